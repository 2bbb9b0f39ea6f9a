"""Platform: health check, error pages, security headers, the OpenAPI schema."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok"}
    assert response.json()["failed"] == []


def test_healthz_503_when_database_down(client):
    with mock.patch("isotp.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"
    assert response.json()["failed"] == ["database"]


def test_healthz_503_when_redis_down(client, settings):
    with mock.patch("isotp.views._redis_answers", side_effect=ConnectionError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"
    assert "redis" in response.json()["failed"]


def test_404_page_is_govuk_styled(login, tm):
    response = login(tm).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"OFFICIAL-SENSITIVE" in response.content


def test_csp_header_and_no_inline_script_without_nonce(login, tm):
    response = login(tm).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = response.content.decode()
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or "nonce=" in head, f"inline script without nonce: {head}"


def test_openapi_schema_is_valid(login, tm):
    response = login(tm).get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    validate(response.json())


def test_api_docs_page(login, tm):
    assert login(tm).get(reverse("api-docs")).status_code == 200


def test_api_unauthenticated_is_401(client):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401


def test_api_token_and_session(api, login, tm):
    assert api(tm).get("/api/v1/me/").json()["email"] == tm.email
    assert login(tm).get("/api/v1/me/").status_code == 200


def test_unverified_session_cannot_use_api(client, tm):
    client.force_login(tm)  # password only, no second factor
    assert client.get("/api/v1/me/").status_code == 401


def test_multiple_choice_checkboxes_render_as_checkboxes():
    from django import forms

    from isotp.templatetags.govuk import govuk_field

    class F(forms.Form):
        many = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )
        one = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    form = F()
    assert govuk_field(form["many"])["kind"] == "checkboxes"
    assert govuk_field(form["one"])["kind"] == "radios"


def test_greeting_skips_titles():
    from accounts.models import User

    assert User(full_name="Dr Max Lynch").get_short_name() == "Max"
    assert User(full_name="Priya Shah").get_short_name() == "Priya"
