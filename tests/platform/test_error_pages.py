"""Every error a page can meet is the service's own GOV.UK page: 400, 403, 404 and 500, with DEBUG off (as `make run`
and production serve) and, for what a view raises or an address no URL matches, with DJANGO_DEBUG on too.

Issue 13: a 404 in the demo showed Django's debug page listing every URL pattern; then a host not in ALLOWED_HOSTS
showed the DisallowedHost traceback with the settings, and an unknown static file Django's debug 404.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from isotp import urls as isotp_urls
from tests.conftest import verified_client


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure")


def _suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("deliberately suspicious")


urlpatterns = [path("boom/", _boom), path("suspicious/", _suspicious), *isotp_urls.urlpatterns]
handler400 = "isotp.views.error_400"
handler404 = "isotp.views.error_404"
handler500 = "isotp.views.error_500"


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_gets_the_service_404(client, settings, debug, db):
    settings.DEBUG = debug
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "govuk-template" in body
    assert "URLconf" not in body and "accounts/sign-in/" not in body.split("<main", 1)[-1].split("</main>")[0]


@pytest.mark.parametrize("debug", [True, False])
def test_a_record_not_found_gets_the_service_404(settings, debug, tm):
    settings.DEBUG = debug
    response = verified_client(tm).get(reverse("accounts:staff_detail", args=[uuid.uuid4()]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Raised by" not in response.content.decode()


@pytest.mark.parametrize("debug", [True, False])
def test_a_failure_gets_the_service_500(settings, debug, db):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, there is a problem with the service" in body
    assert "Traceback" not in body and "deliberate failure" not in body


def test_api_404_stays_json(settings, api, tm):
    settings.DEBUG = True
    response = api(tm).get("/api/v1/people/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_host_not_allowed_gets_the_service_400_page(db):
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Sorry, there is a problem with that request" in body and "govuk-template" in body
    assert "DisallowedHost" not in body and "ALLOWED_HOSTS" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_a_suspicious_request_gets_the_service_400_page(settings, debug, db):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/suspicious/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Sorry, there is a problem with that request" in body
    assert "deliberately suspicious" not in body and "Traceback" not in body


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_static_file_gets_the_service_404(client, settings, debug, db):
    settings.DEBUG = debug
    response = client.get("/static/nope.css")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "govuk-template" in body and "URLconf" not in body


def test_api_400_for_a_host_not_allowed_stays_json(db):
    response = Client(HTTP_HOST="evil.example").get("/api/v1/people/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
