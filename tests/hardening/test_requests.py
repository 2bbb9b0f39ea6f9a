"""Request hardening (issue 12): absurd JSON and bodies, caching, session rotation, lockout, rate limits."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_sign_in import current_code, sign_in
from tests.referrals.test_api import RM2000

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1_100, 50_000])
def test_json_nested_too_deep_is_a_400(api, tm, depth):
    response = api(tm).post(reverse("api-rm2000-score"), nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_json_nested_a_little_is_an_ordinary_400(api, tm):
    response = api(tm).post(reverse("api-rm2000-score"), nested(50), content_type="application/json")
    assert response.status_code == 400


def test_api_body_over_the_limit_is_a_413(api, tm):
    body = json.dumps({**RM2000, "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api(tm).post(reverse("api-rm2000-score"), body, content_type="application/json")
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_page_body_over_the_limit_is_a_413_page(login, tm):
    response = login(tm).post(
        reverse("accounts:closure_list"), {"reason": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 413
    assert b"What you sent is too large" in response.content


def test_a_body_just_under_the_limit_is_read(api, tm, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({**RM2000, "padding": "x" * 5_000})
    assert api(tm).post(reverse("api-rm2000-score"), body, content_type="application/json").status_code == 200


def test_a_sign_in_form_over_the_limit_is_a_413_not_a_500(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post(reverse("accounts:login"), {"username": "a@b.c", "password": "p" * 2_000})
    assert response.status_code == 413


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_and_api_answers_are_no_store(login, api, tm, client):
    assert _no_store(login(tm).get("/"))
    assert _no_store(login(tm).get(reverse("accounts:staff_list")))
    assert _no_store(api(tm).get("/api/v1/me/"))
    assert _no_store(login(tm).get("/api/v1/me/"))
    assert _no_store(client.get(reverse("accounts:login")))
    assert _no_store(client.get("/api/v1/me/"))  # even the 401


def test_session_key_is_rotated_when_the_second_factor_is_entered(client, tm):
    sign_in(client, tm.email)
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=tm)
    response = client.post(reverse("accounts:two_factor"), {"token": current_code(device)})
    assert response.status_code == 302
    after = client.session.session_key
    assert after != before
    # The pre-second-factor key no longer opens anything.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get("/").status_code == 302


def test_lockout_is_keyed_on_the_address_not_the_browser(tm):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": f"nobody{n}@example.org", "password": "wrong"},
            HTTP_USER_AGENT=f"browser {n}",
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": tm.email, "password": "correct-horse-battery-staple"},
        HTTP_USER_AGENT="a brand new browser",
    )
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert b"Signing in from here is paused" in response.content  # the address is locked, not an account
    # Another address is not locked.
    other = Client(REMOTE_ADDR="203.0.113.10")
    response = other.post(
        reverse("accounts:login"), {"username": tm.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("api-rm2000-score", RM2000),
        ("api-eligibility-check", {}),
        ("api-ogrs3-score", {}),
        ("api-schedule-preview", {}),
    ],
)
def test_the_calculators_are_rate_limited_with_retry_after(api, tm, settings, name, body):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "calculators": "2/minute"}
    client = api(tm)
    statuses = [client.post(reverse(name), body, format="json").status_code for _ in range(3)]
    assert 429 not in statuses[:2]
    assert statuses[2] == 429
    response = client.post(reverse(name), body, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_an_api_string_over_the_text_limit_is_a_400_on_its_field(api, tm, settings):
    body = {**RM2000, "sex": "m" * (settings.MAX_TEXT_LENGTH + 1)}
    response = api(tm).post(reverse("api-rm2000-score"), body, format="json")
    assert response.status_code == 400
    assert "no more than" in response.json()["sex"][0]


def test_a_nul_character_anywhere_in_api_json_is_a_400(api, tm):
    response = api(tm).post(
        reverse("api-rm2000-score"), {**RM2000, "extra": {"nested": ["ok", "bad\x00"]}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["extra"] == ["Null characters are not allowed."]


def test_a_form_text_over_the_limit_gets_a_field_error(settings):
    from django import forms

    from isotp.forms import GovukFormMixin

    class Rationale(GovukFormMixin, forms.Form):
        rationale = forms.CharField(widget=forms.Textarea)  # no max_length of its own

    settings.MAX_TEXT_LENGTH = 100
    assert Rationale({"rationale": "x" * 100}).is_valid()
    form = Rationale({"rationale": "x" * 101})
    assert not form.is_valid()
    assert form.errors["rationale"] == ["Enter no more than 100 characters"]
    assert form.summary_errors() == [("id_rationale", "Enter no more than 100 characters")]
