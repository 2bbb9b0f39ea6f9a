"""Your account in a real browser: sign-in history, issuing and revoking an API token, changing the password;
checked with axe-core at desktop width and at 375 px (no sideways scroll)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import look, sign_in_through_pages
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_account_page_tokens_and_password(page: Page, tm):
    sign_in_through_pages(page, tm)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator("table").first).to_contain_text("Signed in")
    page.get_by_label("Token name").fill("Case management <script>alert(1)</script>")
    page.get_by_label("Days until it expires").fill("30")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    expect(page.get_by_role("table", name="API tokens")).to_contain_text("Case management <script>")
    look(page, "account-token-created")
    page.set_viewport_size({"width": 375, "height": 800})
    look(page, "account-token-created-375")
    _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("table", name="API tokens")).to_contain_text("Revoked")
    look(page, "account-token-revoked")
    page.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    look(page, "account-password-errors")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-much-longer-passphrase-2026")
    page.get_by_label("Confirm new password").fill("a-much-longer-passphrase-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    look(page, "account-password-changed")
