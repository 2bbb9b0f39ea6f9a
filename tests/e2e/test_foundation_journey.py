"""Foundation journeys in a real browser: sign in with the second factor, see the role's home page, sign out."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.e2e.conftest import look, sign_in_through_pages
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLE_PAGES = {
    "treatment_manager": ["/", "/staff/", "/audit/", "/venues/", "/closures/"],
    "facilitator": ["/"],
    "offender_manager": ["/"],
    "area_admin": ["/", "/staff/", "/closures/", "/venues/"],
}


@pytest.mark.parametrize("role", sorted(ROLE_PAGES))
def test_each_role_signs_in_sees_home_and_signs_out(page: Page, personas, role):
    user = personas[role]
    sign_in_through_pages(page, user, shots=f"foundation-{role}" if role == "treatment_manager" else None)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Hello {user.get_short_name()}")
    expect(page.locator(".app-protective-marking").first).to_have_text("OFFICIAL-SENSITIVE")
    for path in ROLE_PAGES[role]:
        page.goto(path)
        look(page, f"foundation-{role}-{path.strip('/') or 'home'}")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    look(page, f"foundation-{role}-signed-out")
    page.goto("/")
    assert "/accounts/sign-in/" in page.url


def test_first_sign_in_enrols_authenticator_with_qr_code(page: Page, tm):
    TOTPDevice.objects.filter(user=tm).delete()
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(tm.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/two-factor/set-up/**")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    look(page, "foundation-two-factor-setup")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is not correct")
    look(page, "foundation-two-factor-setup-error")


def test_sign_in_errors_use_the_error_summary(page: Page, tm):
    page.goto("/accounts/sign-in/")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your email address")
    expect(summary).to_contain_text("Enter your password")
    look(page, "foundation-sign-in-errors")
