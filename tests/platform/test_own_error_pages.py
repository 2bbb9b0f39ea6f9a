"""Pages that answer an error status with content of their own show it in every mode, DJANGO_DEBUG on or off.

Issue 13: with DEBUG on, a used invitation link showed the generic "Page not found" instead of "This link has
expired or has already been used": the debug-mode error-page substitution replaced every 404. It now replaces only
what Django would show as a technical page (an exception, an address no URL matches), so each page below keeps its
own words.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import administration
from isotp.errors import DomainConflict
from tests.accounts.test_sign_in import sign_in
from tests.conftest import verified_client
from tests.factories import UserFactory
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.parametrize("debug", [True, False])]

USED_LINK = "This link has expired or has already been used"


def test_an_invalid_invitation_link_shows_its_own_page(client, settings, debug):
    settings.DEBUG = debug
    response = client.get(reverse("accounts:invitation", args=["Mw", "not-a-token"]))
    assert response.status_code == 404
    assert USED_LINK in page_text(response) and "Page not found" not in page_text(response)


def test_an_invitation_used_while_the_form_was_open_shows_its_own_page(
    client, settings, debug, area, monkeypatch
):
    settings.DEBUG = debug
    member = UserFactory(email="new.member@cheshire.test", role="facilitator", area=area)
    monkeypatch.setattr(administration, "invited_member", lambda uidb64, token: member)

    def used(**kwargs):
        raise DomainConflict("already used")

    monkeypatch.setattr(administration, "accept_invitation", used)
    strong = "a-long-Passphrase-2026!"
    response = client.post(
        reverse("accounts:invitation", args=["Mw", "token"]),
        {"new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 404
    assert USED_LINK in page_text(response) and "Page not found" not in page_text(response)


@pytest.mark.parametrize("page", ["home", "attention_list"])
def test_an_account_without_a_role_sees_its_own_page(settings, debug, db, page):
    settings.DEBUG = debug
    nobody = UserFactory(email="nobody@cheshire.test", role="", area=None, is_superuser=True)
    url = reverse("home") if page == "home" else reverse("attention_list", args=["anything"])
    response = verified_client(nobody).get(url)
    assert response.status_code == 403
    assert "Your account has no role" in page_text(response)


def test_an_expired_form_shows_the_session_expired_page(settings, debug, tm):
    settings.DEBUG = debug
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:login"), {"username": tm.email, "password": "x"}
    )
    assert response.status_code == 403
    assert "Your session has expired" in page_text(response)


def test_a_locked_account_sees_its_own_page(client, settings, debug, tm):
    settings.DEBUG = debug
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, tm.email, "wrong-password")
    response = sign_in(client, tm.email)
    assert "Your account is locked" in page_text(response)


def test_a_body_too_large_shows_its_own_page(client, settings, debug, db):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post(reverse("accounts:login"), {"username": "x" * 200, "password": "y"})
    assert response.status_code == 413
    assert "What you sent is too large" in page_text(response)
