"""Management commands: api_token, seed_demo (idempotent), demo helpers refusing outside the demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from accounts.models import ApiToken, ProbationArea, User
from accounts.rules import token_digest

pytestmark = pytest.mark.django_db


def test_api_token_prints_a_working_token(tm):
    out = StringIO()
    call_command("api_token", tm.email, stdout=out)
    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=tm)
    assert token.key_digest == token_digest(key) and key not in token.key_digest  # only the digest is kept
    again = StringIO()
    call_command("api_token", tm.email.upper(), stdout=again)
    assert again.getvalue().strip() != key  # a key cannot be printed twice: a new token each time
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    rotated = StringIO()
    call_command("api_token", tm.email, "--rotate", stdout=rotated)
    assert client.get("/api/v1/me/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated.getvalue().strip()}")
    assert client.get("/api/v1/me/").status_code == 200


def test_api_token_unknown_email():
    with pytest.raises(CommandError, match="No active member of staff"):
        call_command("api_token", "nobody@example.org")


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=StringIO())
    counts = {m.__name__: m.objects.count() for m in (ProbationArea, User)}
    assert counts["ProbationArea"] == 2
    assert User.objects.filter(email="tm@cheshire.example", role="treatment_manager").exists()
    assert User.objects.filter(email="om@northumbria.example", role="offender_manager").exists()
    from django.apps import apps

    before = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "audit"}
    }
    call_command("seed_demo", stdout=StringIO())
    after = {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label not in {"sessions", "audit"}
    }
    assert before == after


def test_demo_helpers_refuse_outside_the_demo(settings):
    settings.DEBUG = False
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("totp_code", "tm@cheshire.example")
    with pytest.raises(CommandError):
        call_command("demo_logins")


def test_demo_helpers_run_in_the_demo_without_debug(settings, area):
    """`make run` serves without DEBUG; ISOTP_DEMO lets it print the logins and a current second-factor code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import UserFactory

    settings.DEBUG = False
    settings.DEMO = True
    member = UserFactory(email="tm@cheshire.example", role="treatment_manager", area=area)
    TOTPDevice.objects.create(user=member, name="demo", confirmed=True)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "tm@cheshire.example" in out.getvalue()
    code = StringIO()
    call_command("totp_code", "tm@cheshire.example", stdout=code)
    assert code.getvalue().strip().isdigit() and len(code.getvalue().strip()) == 6
