"""The committed schema documents every generic answer each operation can give (what the API really does).

The expectations are derived from the views themselves (drf-spectacular's endpoint enumerator over the URLconf),
not from the postprocessing hook that writes them (isotp/schema.py), so a view whose answers change without the
schema following fails here. Each generic body is also checked against what the API actually sends.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import resolve, reverse
from drf_spectacular.generators import EndpointEnumerator

from isotp.schema import throttled

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
WRITES = {"post", "put", "patch"}


def _endpoints() -> list[tuple[str, str, Any]]:
    """(schema path, method, view callback) for every API operation the URLconf serves."""
    found = []
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        if not path.startswith("/api/v1/"):
            continue
        found.append((re.sub(r"\{(\w+)\}", r"{\1}", path), method.lower(), callback))
    return found


ENDPOINTS = _endpoints()


def _view(callback: Any, method: str) -> Any:
    view = callback.cls(**getattr(callback, "initkwargs", {}))
    view.request = RequestFactory().generic(method.upper(), "/")
    view.format_kwarg = None
    view.args, view.kwargs = (), {}
    return view


def _expected(path: str, method: str, callback: Any) -> set[str]:
    operation = SCHEMA["paths"][path][method]
    view = _view(callback, method)
    # Every view authenticates, checks a permission, reads the database, refuses a method it does not serve
    # (405) and negotiates the answer's type (406).
    codes = {"401", "403", "405", "406", "503"}
    has_body = "requestBody" in operation
    has_query = any(p["in"] == "query" for p in operation.get("parameters", []))
    if has_body or has_query:
        codes.add("400")
    paginated = method == "get" and hasattr(view, "list") and getattr(view, "pagination_class", None)
    if "{" in path or paginated:
        codes.add("404")
    if has_body:
        codes.add("415")
    if method in WRITES:
        codes.add("413")
    if throttled(view) and any(t.get_rate() for t in view.get_throttles()):
        codes.add("429")
    return codes


def _ref(response: dict[str, Any]) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_the_enumerator_sees_every_documented_api_operation():
    documented = {
        (path, method)
        for path, item in SCHEMA["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert {(p, m) for p, m, _ in ENDPOINTS} == documented


@pytest.mark.parametrize(("path", "method", "callback"), ENDPOINTS, ids=[f"{m} {p}" for p, m, _ in ENDPOINTS])
def test_every_operation_documents_the_generic_answers_it_can_give(path, method, callback):
    responses = SCHEMA["paths"][path][method]["responses"]
    missing = _expected(path, method, callback) - set(responses)
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
    for code in _expected(path, method, callback):
        assert "application/json" in responses[code].get("content", {}), (code, "no JSON body documented")
    assert _ref(responses["503"]) == "ServiceUnavailable"
    assert responses["503"]["headers"]["Retry-After"]["required"]
    if "429" in responses:
        assert "Retry-After" in responses["429"]["headers"]
        view = _view(callback, method)
        assert throttled(view), f"{method.upper()} {path} documents a 429 no throttle can give"


def test_the_token_list_is_not_rate_limited_but_issuing_is():
    """The one view whose throttle depends on the method: only POST documents 429."""
    item = SCHEMA["paths"]["/api/v1/tokens/"]
    assert "429" in item["post"]["responses"]
    assert "429" not in item["get"]["responses"]


def _validate(body: Any, response_doc: dict[str, Any]) -> None:
    schema = {**response_doc["content"]["application/json"]["schema"], "components": SCHEMA["components"]}
    jsonschema.validate(body, schema)


@pytest.mark.django_db
def test_the_database_unavailable_answer_is_the_documented_503(api, tm, monkeypatch):
    url = reverse("api-offence-list")
    view = resolve(url).func.cls

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(view, "get", gone)
    response = api(tm).get(url)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    _validate(response.json(), SCHEMA["paths"]["/api/v1/offences/"]["get"]["responses"]["503"])
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"


def test_the_503_answered_outside_the_api_views_is_the_documented_one():
    """A database failure before DRF (a session read in the middleware) is answered by isotp.views."""
    import json

    from isotp.views import database_unavailable

    response = database_unavailable(RequestFactory().get("/api/v1/offences/"))
    assert response.status_code == 503 and int(response["Retry-After"]) > 0
    _validate(json.loads(response.content), SCHEMA["paths"]["/api/v1/offences/"]["get"]["responses"]["503"])


@pytest.mark.django_db
def test_a_rate_limited_answer_is_the_documented_429(api, tm, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "calculators": "1/minute"}
    client = api(tm)
    url = reverse("api-ogrs3-score")
    client.post(url, {}, format="json")
    response = client.post(url, {}, format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    _validate(response.json(), SCHEMA["paths"]["/api/v1/ogrs3/score/"]["post"]["responses"]["429"])


@pytest.mark.django_db
def test_healthz_is_documented_with_both_answers(client, monkeypatch):
    from isotp import views

    documented = SCHEMA["paths"]["/healthz"]["get"]["responses"]
    response = client.get("/healthz")
    assert response.status_code == 200
    _validate(response.json(), documented["200"])

    def refuse(url):
        raise ConnectionError("refused")

    monkeypatch.setattr(views, "_redis_answers", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503 and "redis" in response.json()["failed"]
    _validate(response.json(), documented["503"])


@pytest.mark.django_db
def test_the_oversized_and_over_deep_bodies_answer_as_documented(api, tm, settings):
    """413 for a body over the limit, 400 for JSON nested too deep: the bodies the schema documents."""
    client = api(tm)
    path = "/api/v1/ogrs3/score/"
    documented = SCHEMA["paths"][path]["post"]["responses"]
    response = client.post(path, "[" * 1100 + "]" * 1100, content_type="application/json")
    assert response.status_code == 400
    _validate(response.json(), documented["400"])
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(path, {"notes": "x" * 2000}, format="json")
    assert response.status_code == 413
    _validate(response.json(), documented["413"])


@pytest.mark.django_db
def test_the_method_not_allowed_and_not_acceptable_answers_are_the_documented_ones(api, tm):
    client = api(tm)
    path = "/api/v1/offences/"
    documented = SCHEMA["paths"][path]["get"]["responses"]
    response = client.delete(path)
    assert response.status_code == 405 and "GET" in response["Allow"]
    _validate(response.json(), documented["405"])
    response = client.get(path, HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    _validate(response.json(), documented["406"])
