"""Accounts and sessions (issue 12): the second factor cannot be skipped; password change and an administrator's
reset end sessions and revoke tokens; deactivation stops everything at once; named, expiring, revocable API
tokens; sign-ins audited and shown to their owner."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role, User
from accounts.rules import browser_summary
from audit.models import AuditEvent
from tests.accounts.test_sign_in import current_code, sign_in
from tests.conftest import token_client, verified_client
from tests.factories import PASSWORD
from tests.test_permission_matrix import ROUTES, _url

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2026"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.name)
def test_the_second_factor_cannot_be_skipped(route, area, personas):
    """After the password and before the code, every page and endpoint answers as if signed out."""
    client = Client()
    client.force_login(
        personas["area_admin"]
        if "area_admin" in route.roles
        else personas[next(iter(route.roles), Role.TREATMENT_MANAGER)]
    )
    url = _url(route, area, personas)
    response = client.post(url) if route.method == "post" else client.get(url + route.query)
    if route.api:
        assert response.status_code == 401, route.name
    else:
        assert response.status_code == 302, route.name
        assert response["Location"].startswith(reverse("accounts:two_factor")), route.name


def _api_with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _issue(client: Client, name: str = "Integration", days: int = 30) -> str:
    response = client.post(reverse("accounts:your_account"), {"name": name, "lifetime_days": days})
    assert response.status_code == 201, response.content[:2000]
    return response.context["new_key"]


def test_a_password_change_ends_other_sessions_and_revokes_tokens(tm):
    this, other = verified_client(tm), verified_client(tm)
    key = _issue(this)
    assert _api_with_key(key).get("/api/v1/me/").status_code == 200
    response = this.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert this.get("/").status_code == 200  # this session carries on
    assert other.get("/").status_code == 302  # every other one has ended
    assert _api_with_key(key).get("/api/v1/me/").status_code == 401
    event = AuditEvent.objects.get(action="password.changed", actor=tm)
    assert event.changes["api_tokens_revoked"] == 1
    tm.refresh_from_db()
    assert tm.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_changes_nothing(login, tm):
    response = login(tm).post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert b"Your current password is not correct" in response.content
    tm.refresh_from_db()
    assert tm.check_password(PASSWORD)


def test_a_weak_or_mismatched_new_password_is_refused(login, tm):
    client = login(tm)
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert b"This password is too short" in weak.content
    mismatched = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert b"The new passwords do not match" in mismatched.content


def test_an_administrators_reset_ends_every_session_and_revokes_tokens(login, area_admin, facilitator):
    session = verified_client(facilitator)
    key = _issue(session)
    response = login(area_admin).post(
        reverse("accounts:staff_reset_second_factor", kwargs={"public_id": facilitator.public_id})
    )
    assert response.status_code == 302
    assert session.get("/").status_code == 302
    assert _api_with_key(key).get("/api/v1/me/").status_code == 401
    assert not TOTPDevice.objects.filter(user=facilitator).exists()


def _feed_status(token: str) -> int:
    return Client().get(reverse("programme_sessions_feed:ical", args=[token])).status_code


def test_a_password_change_stops_the_calendar_feed(facilitator):
    from sessions.services import issue_feed_token

    token = issue_feed_token(actor=facilitator, user=facilitator).token
    assert _feed_status(token) == 200
    response = verified_client(facilitator).post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _feed_status(token) == 404
    event = AuditEvent.objects.get(action="password.changed", actor=facilitator)
    assert event.changes["calendar_feeds_revoked"] == 1


def test_an_administrators_reset_and_deactivation_stop_the_calendar_feed(login, area_admin, facilitator):
    from sessions.services import issue_feed_token

    admin = login(area_admin)
    token = issue_feed_token(actor=facilitator, user=facilitator).token
    admin.post(reverse("accounts:staff_reset_second_factor", kwargs={"public_id": facilitator.public_id}))
    assert _feed_status(token) == 404
    assert AuditEvent.objects.get(action="second_factor.reset").changes["calendar_feeds_revoked"] == 1

    token = issue_feed_token(actor=facilitator, user=facilitator).token
    from accounts.services.administration import set_active

    set_active(actor=area_admin, member=facilitator, active=False)
    assert _feed_status(token) == 404
    assert AuditEvent.objects.get(action="staff.deactivated").changes["calendar_feeds_revoked"] == 1
    set_active(actor=area_admin, member=facilitator, active=True)
    assert _feed_status(token) == 404  # reactivation does not bring the old address back


def test_a_deactivated_users_token_and_sessions_stop_at_once(tm):
    session, api = verified_client(tm), token_client(tm)
    assert session.get("/").status_code == 200 and api.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=tm.pk).update(is_active=False)
    assert session.get("/").status_code == 302
    assert session.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/").status_code == 401


def test_tokens_are_named_listed_and_shown_once(login, tm):
    client = login(tm)
    key = _issue(client, "Case system")
    page = client.get(reverse("accounts:your_account"))
    assert b"Case system" in page.content and key.encode() not in page.content
    token = ApiToken.objects.get(user=tm)
    assert key not in token.key_digest and token.prefix == key[:8]
    listed = _api_with_key(key).get(reverse("api-token-list")).json()["results"]
    assert [t["name"] for t in listed] == ["Case system"] and listed[0]["status"] == "active"
    assert "key" not in listed[0]


def test_a_token_expires_after_its_lifetime(login, tm, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    key = _issue(login(tm), days=7)
    with time_machine.travel(timezone.now() + dt.timedelta(days=7, minutes=1)):
        assert _api_with_key(key).get("/api/v1/me/").status_code == 401
    too_long = login(tm).post(reverse("accounts:your_account"), {"name": "x", "lifetime_days": 31})
    assert too_long.status_code == 200 and b"A token lasts at most 30 days" in too_long.content


@pytest.mark.parametrize("days", [0, 91, 1000])
def test_a_token_lifetime_out_of_range_is_a_400_on_the_field_with_the_bounds_in_the_schema(tm, days):
    from drf_spectacular.generators import SchemaGenerator

    client = verified_client(tm)
    response = client.post(
        reverse("api-token-list"), {"name": "x", "lifetime_days": days}, content_type="application/json"
    )
    assert response.status_code == 400 and list(response.json()) == ["lifetime_days"]
    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["ApiTokenInputRequest"]["properties"]["lifetime_days"]
    assert (field["minimum"], field["maximum"]) == (1, 90)


def test_the_owner_revokes_a_token(login, tm):
    client = login(tm)
    key = _issue(client)
    token = ApiToken.objects.get(user=tm)
    response = client.post(reverse("accounts:api_token_revoke", kwargs={"public_id": token.public_id}))
    assert response.status_code == 302
    assert _api_with_key(key).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", actor=tm).exists()
    again = token_client(tm).post(reverse("api-token-revoke", kwargs={"public_id": token.public_id}))
    assert again.status_code == 409 and again.json()["code"] == "TOKEN_ALREADY_REVOKED"


def test_an_administrator_revokes_a_colleagues_token_but_no_one_else_can(
    login, api, area_admin, facilitator, om, other_admin
):
    key = _issue(verified_client(facilitator))
    token = ApiToken.objects.get(user=facilitator, name="Integration")
    url = reverse("api-token-revoke", kwargs={"public_id": token.public_id})
    assert api(om).post(url).status_code == 404
    assert api(other_admin).post(url).status_code == 404
    detail = login(area_admin).get(
        reverse("accounts:staff_detail", kwargs={"public_id": facilitator.public_id})
    )
    assert b"Integration" in detail.content
    assert api(area_admin).post(url).status_code == 200
    assert _api_with_key(key).get("/api/v1/me/").status_code == 401


def test_tokens_are_issued_from_a_browser_session_only(login, api, tm):
    assert api(tm).post(reverse("api-token-list"), {"name": "x"}, format="json").status_code == 403
    created = login(tm).post(
        reverse("api-token-list"), {"name": "Nightly export"}, content_type="application/json"
    )
    assert created.status_code == 201
    assert _api_with_key(created.json()["key"]).get("/api/v1/me/").status_code == 200


def test_the_token_endpoint_is_rate_limited(login, tm, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "tokens": "2/hour"}
    client = login(tm)
    statuses = [
        client.post(reverse("api-token-list"), {"name": f"t{n}"}, content_type="application/json").status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    limited = client.post(reverse("api-token-list"), {"name": "t"}, content_type="application/json")
    assert int(limited["Retry-After"]) > 0
    assert client.get(reverse("api-token-list")).status_code == 200  # listing is not limited


def test_sign_ins_are_audited_and_shown_to_their_owner(tm):
    client = Client(HTTP_USER_AGENT=FIREFOX)
    sign_in(client, tm.email, "wrong-password")
    sign_in(client, tm.email)
    device = TOTPDevice.objects.get(user=tm)
    client.post(reverse("accounts:two_factor"), {"token": current_code(device)})
    elsewhere = Client(HTTP_USER_AGENT="curl/8.5.0")
    sign_in(elsewhere, tm.email)
    elsewhere.post(reverse("accounts:two_factor"), {"token": "000000"})
    outcomes = [
        e.changes["outcome"]
        for e in AuditEvent.objects.filter(object_id=str(tm.public_id)).order_by("at", "id")
        if e.action in ("signed_in", "sign_in.refused")
    ]
    assert outcomes == ["wrong_password", "signed_in", "wrong_code"]
    page = client.get(reverse("accounts:your_account")).content.decode()
    for text in ("Firefox on Windows", "Wrong password", "Wrong security code", "Signed in"):
        assert text in page
    assert "wrong-password" not in page


def test_a_locked_out_attempt_is_in_the_history(client, tm, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, tm.email, "wrong-password")
    sign_in(client, tm.email)
    assert AuditEvent.objects.filter(action="sign_in.refused", changes__outcome="locked_out").exists()


def test_unknown_emails_are_not_recorded(client):
    sign_in(client, "nobody@example.org", "wrong-password")
    assert not AuditEvent.objects.filter(action="sign_in.refused").exists()


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "Chrome on Linux"),
        (
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1",
            "Safari on iOS",
        ),
        ("curl/8.5.0", "curl"),
        ("", "Unknown browser"),
    ],
)
def test_browser_summary(agent, summary):
    assert browser_summary(agent) == summary
