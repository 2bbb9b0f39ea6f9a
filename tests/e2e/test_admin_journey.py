"""Issue 13: an area administrator does what their home page says they manage, in a real browser: invites a member
of staff (who follows the emailed link, sets a password and enrols their authenticator), changes a role,
deactivates and reactivates an account, adds, changes and retires a venue, removes a training record, and adds
and removes a closure date (a past date refused). Every page is checked with axe-core at 1280 px, and the lists
at 375 px without sideways scroll (the deactivated accounts with a member listed)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.conftest import look, sign_in_through_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _narrow(page: Page, name: str, *within: str) -> None:
    """At 375 px the page does not scroll sideways, and each button named in `within` lies inside the screen."""
    page.set_viewport_size({"width": 375, "height": 800})
    look(page, f"{name}-375")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for button in within:
        box = page.get_by_role("button", name=button).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, button
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_administrator_journeys(page: Page, browser, live_server, area_admin, facilitator, tm):
    sign_in_through_pages(page, area_admin)

    # Invite a member of staff.
    page.get_by_role("link", name="Staff").first.click()
    page.get_by_role("button", name="Invite a member of staff").click()
    look(page, "admin-invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their full name")
    page.get_by_label("Full name").fill("Jo Newby")
    page.get_by_label("Email address").fill("jo.newby@example.org")
    page.get_by_label("Facilitator").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been sent an email")
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]
    path = "/accounts/" + link.split("/accounts/", 1)[1]

    newcomer = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, bypass_csp=True
    ).new_page()
    newcomer.goto(path)
    look(newcomer, "admin-invitation")
    newcomer.get_by_label("Create a password").fill("a-long-Passphrase-2026!")
    newcomer.get_by_label("Confirm password").fill("a-long-Passphrase-2026!")
    newcomer.get_by_role("button", name="Continue").click()
    newcomer.wait_for_url("**/accounts/two-factor/set-up/**")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__email="jo.newby@example.org", confirmed=False)
    newcomer.get_by_label("Security code").fill(
        f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    )
    newcomer.locator("main form button[type=submit]").click()
    newcomer.wait_for_url(lambda url: "/accounts/" not in url)
    newcomer.goto(path)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(
        "This link has expired or has already been used"
    )
    newcomer.context.close()

    # Change a role, deactivate and reactivate.
    page.goto(f"/staff/{tm.public_id}/")
    page.get_by_role("link", name="Change role").click()
    look(page, "admin-role")
    page.get_by_label("Offender manager").check()
    page.get_by_role("button", name="Change role").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("role is now offender manager")
    page.get_by_role("link", name="Deactivate account").click()
    look(page, "admin-deactivate")
    page.get_by_role("button", name="Deactivate account").click()
    assert not User.objects.get(pk=tm.pk).is_active
    page.get_by_role("link", name="Deactivated accounts").click()
    look(page, "admin-deactivated")
    _narrow(page, "admin-deactivated", f"Reactivate {tm.full_name}")  # a stacked table (it was 400 px wide)
    page.get_by_role("button", name=f"Reactivate {tm.full_name}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("active again")

    # Remove a training record.
    page.goto(f"/staff/{facilitator.public_id}/")
    page.get_by_role("link", name="Remove Assessment centre").click()
    look(page, "admin-training-remove")
    page.get_by_role("button", name="Remove training record").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Training record removed")

    # Venues.
    page.get_by_role("link", name="Venues").first.click()
    page.get_by_role("button", name="Add a venue").click()
    page.get_by_label("Venue name").fill("Annexe")
    page.get_by_label("How many people the room holds").fill("lots")
    page.get_by_role("button", name="Add venue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Capacity must be a whole number")
    look(page, "admin-venue-error")
    page.get_by_label("How many people the room holds").fill("9")
    page.get_by_role("button", name="Add venue").click()
    page.get_by_role("link", name="Change Annexe").click()
    page.get_by_label("Venue name").fill("Annexe room 2")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="Retire Annexe room 2").click()
    page.get_by_role("button", name="Retire venue").click()
    expect(page.locator("table")).to_contain_text("Retired")
    look(page, "admin-venues")
    _narrow(page, "admin-venues")

    # Closure dates: a past date refused, removal confirmed.
    page.get_by_role("link", name="Closure dates").first.click()
    page.get_by_label("Day").fill("1")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2020")
    page.get_by_label("Reason").fill("Training day")
    page.get_by_role("button", name="Add closure date").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("has passed")
    look(page, "admin-closure-past")
    page.get_by_label("Year").fill("2099")
    page.get_by_role("button", name="Add closure date").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Closure date added")
    page.get_by_role("link", name=re.compile("Remove the closure on 1 January 2099")).click()
    look(page, "admin-closure-remove")
    page.get_by_role("button", name="Remove closure date").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Closure date removed")
    _narrow(page, "admin-closures")
