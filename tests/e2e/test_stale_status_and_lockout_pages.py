"""Issue 12 (tester nos. 3 and 4), seen in a browser at 1280 and 375 px: the referral status page posted after
someone else withdrew the referral (409, what it is now, nothing to do by hand), and the sign-in page after too
many failures from this computer's address (429, the address, the minutes left)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page

from referrals.services.status import change_status
from tests.e2e.conftest import assert_fits_the_viewport, look, sign_in_through_pages
from tests.factories import PASSWORD
from tests.referrals.factories import referral_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_stale_status_change_shows_the_conflict(page: Page, area, om, tm):
    referral = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    sign_in_through_pages(page, om)
    page.goto(f"/referrals/{referral.public_id}/status/")
    page.get_by_label("Withdrawn").check()
    page.get_by_label("Reason").select_option("withdrawn:other")
    page.get_by_label("Details (optional)").fill("Moved to Scotland")
    change_status(
        actor=tm, referral=referral, to_status="withdrawn", reason_code="other", reason="Moved away"
    )
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Change status").click()
    assert answer.value.status == 409
    summary = page.locator(".govuk-error-summary").inner_text()
    lead = "This referral was changed by someone else while you had this page open. It is now withdrawn."
    assert lead in summary and summary.index(lead) < summary.index("The referral is already 'Withdrawn'.")
    assert "Look at the referral again" in summary and "Select a reason" not in summary
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        look(page, f"issue12-stale-status-{width}")
        assert_fits_the_viewport(page, "stale status")


def test_an_address_lock_says_so_with_the_minutes_left(page: Page, tm):
    for n in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/accounts/sign-in/")
        page.get_by_label("Email address").fill(f"nobody{n}@example.org")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Continue").click()
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(tm.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Continue").click()
    assert answer.value.status == 429 and int(answer.value.headers["retry-after"]) > 0
    assert "from this computer or network" in page.locator("main").inner_text()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        look(page, f"issue12-address-lock-{width}")
        assert_fits_the_viewport(page, "address lock")
