"""Signing in: password, then the second factor (enrolment on first sign-in), lockout, idle expiry, sign-out."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_then_code_reaches_home(client, tm):
    response = sign_in(client, tm.email)
    assert response.status_code == 302
    # Password alone is not enough: every page sends the user to the second factor.
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=tm)
    response = client.post(reverse("accounts:two_factor"), {"token": current_code(device)})
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert b"Treatment manager" in home.content
    assert b"OFFICIAL-SENSITIVE" in home.content
    assert AuditEvent.objects.filter(actor=tm, action="signed_in").exists()


def test_wrong_code_shows_error_summary(client, tm):
    sign_in(client, tm.email)
    response = client.post(reverse("accounts:two_factor"), {"token": "000000"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"govuk-error-summary" in response.content
    assert b"The security code is not correct" in response.content


def test_first_sign_in_enrols_an_authenticator(client, area):
    user = UserFactory(area=area, totp=False)
    TOTPDevice.objects.filter(user=user).delete()
    sign_in(client, user.email)
    response = client.get(reverse("accounts:two_factor"))
    assert response["Location"] == reverse("accounts:two_factor_setup")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert b"<svg" in page.content  # the QR code
    secret = re.search(rb'id="totp-secret">([A-Z2-7]+)<', page.content)
    assert secret
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:two_factor_setup"), {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, tm):
    response = sign_in(client, tm.email, "wrong-password")
    assert response.status_code == 200
    assert b"Enter a correct email address and password" in response.content


def test_repeated_failures_lock_the_account(client, tm):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, tm.email, "wrong-password")
    response = sign_in(client, tm.email)  # even the right password is refused now
    assert response.status_code == 429
    assert b"Your account is locked" in response.content
    cool_off = int(settings.AXES_COOLOFF_TIME * 3600)
    assert 0 < int(response["Retry-After"]) <= cool_off


def test_a_lock_on_the_address_says_so_and_when_to_try_again(client, tm, time_machine):
    """Issue 12, tester no. 4: failures for other addresses from one computer lock the computer's address, not
    the account: the page says so, with the minutes left, and Retry-After carries the seconds left."""
    import datetime as dt

    from django.utils import timezone

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"nobody{n}@example.org", "wrong-password")
    time_machine.move_to(start + dt.timedelta(minutes=10), tick=False)
    response = sign_in(client, tm.email)  # the right password for a real account, from the locked address
    assert response.status_code == 429
    cool_off = int(settings.AXES_COOLOFF_TIME * 3600)
    assert int(response["Retry-After"]) == cool_off - 600
    text = response.content.decode()
    assert "Your account is locked" not in text and "to this account" not in text
    assert "too many failed attempts to sign in from this computer or network" in text
    assert f"Try again after {(cool_off - 600) // 60} minutes" in text
    time_machine.move_to(start + dt.timedelta(seconds=cool_off + 1), tick=False)
    assert sign_in(client, tm.email).status_code == 302  # the lock has ended


def test_idle_sessions_expire(login, tm, time_machine):
    """Each page renews the session for 30 minutes: 29 idle minutes keep it, 31 end it."""
    import datetime as dt

    from django.utils import timezone

    start = timezone.now()
    time_machine.move_to(start, tick=False)
    client = login(tm)
    assert client.get("/").status_code == 200
    time_machine.move_to(start + dt.timedelta(minutes=29), tick=False)
    assert client.get("/").status_code == 200
    time_machine.move_to(start + dt.timedelta(minutes=29 + 31), tick=False)
    assert client.get("/").status_code == 302


def test_sign_out(login, tm):
    client = login(tm)
    assert client.get("/").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 200
    assert b"You have signed out" in response.content
    assert client.get("/").status_code == 302


def test_home_page_per_role(login, personas):
    for role, user in personas.items():
        page = login(user).get("/")
        assert page.status_code == 200, role
        assert user.get_role_display().encode() in page.content
