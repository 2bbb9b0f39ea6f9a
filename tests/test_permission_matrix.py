"""Every URL pattern × every role × two areas (see tests/matrix.py for the rules)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.conftest import token_client, verified_client
from tests.matrix import Route

IGNORED_NAMESPACES = {"admin"}  # the Django admin: superusers only, guarded by is_staff


def _routes() -> list[Route]:
    """Every `ROUTES` list in tests/<app>/matrix.py and tests/<app>/matrix_*.py."""
    routes: list[Route] = []
    for package in pkgutil.iter_modules(tests.__path__):
        if not package.ispkg:
            continue
        pkg = importlib.import_module(f"tests.{package.name}")
        for module in pkgutil.iter_modules(pkg.__path__):
            if module.name == "matrix" or module.name.startswith("matrix_"):
                routes.extend(importlib.import_module(f"tests.{package.name}.{module.name}").ROUTES)
    return routes


ROUTES = _routes()


def _url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in IGNORED_NAMESPACES:
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    listed = {r.name for r in ROUTES}
    missing = sorted(_url_names() - listed)
    assert not missing, f"Add these URL names to a tests/<app>/matrix.py: {missing}"


def _api_methods(resolver: URLResolver | None = None, prefix: str = "") -> set[tuple[str, str]]:
    """(URL name, method) for every write method (POST, PUT, PATCH, DELETE) an API view answers."""
    found: set[tuple[str, str]] = set()
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in IGNORED_NAMESPACES:
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            found |= _api_methods(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            view = getattr(pattern.callback, "cls", None)
            if view is None:
                continue
            for method in ("post", "put", "patch", "delete"):
                if hasattr(view, method) and method in view.http_method_names:
                    found.add((prefix + pattern.name, method))
    return found


def test_every_api_write_method_is_in_the_matrix():
    """PATCH and DELETE (and POST, PUT) of every API view are checked, not only the GET of its URL."""
    listed = {(r.name, r.method) for r in ROUTES}
    missing = sorted(_api_methods() - listed)
    assert not missing, f"Add these (URL name, method) pairs to a tests/<app>/matrix*.py: {missing}"


def _request(route: Route, client, url: str, area, personas):
    data = route.data
    if callable(data):
        data = data(area, personas)
    if route.method == "post":
        return client.post(url, data or {}, format="json") if route.api else client.post(url, data or {})
    if route.method in ("put", "patch", "delete"):
        return getattr(client, route.method)(url, data or {}, format="json")
    return client.get(url + route.query)


def _url(route: Route, area, personas) -> str:
    kwargs = route.kwargs(area, personas) if route.kwargs else {}
    return reverse(route.name, kwargs=kwargs)


def _client(route: Route, user):
    return token_client(user) if route.api else verified_client(user)


def _got_through(route: Route, response) -> bool:
    if response.status_code in (401, 403, 404):
        return False
    if response.status_code in (301, 302):
        return "/accounts/sign-in/" not in response["Location"]
    return response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: f"{r.name}-{r.method}")
def test_anonymous_is_refused(route, client, area, personas):
    url = _url(route, area, personas)
    response = getattr(client, route.method)(url)
    if route.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["treatment_manager", "facilitator", "offender_manager", "area_admin"])
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: f"{r.name}-{r.method}")
def test_role_matrix_in_home_area(route, role, area, personas):
    url = _url(route, area, personas)
    response = _request(route, _client(route, personas[role]), url, area, personas)
    if role in route.roles:
        assert _got_through(route, response), f"{role} should reach {route.name}: {response.status_code}"
    else:
        assert response.status_code in (403, 404), (
            f"{role} must not reach {route.name}: {response.status_code}"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.scoped], ids=lambda r: f"{r.name}-{r.method}")
def test_other_area_gets_404(route, area, personas, other_tm, other_facilitator, other_om, other_admin):
    url = _url(route, area, personas)
    others = {
        "treatment_manager": other_tm,
        "facilitator": other_facilitator,
        "offender_manager": other_om,
        "area_admin": other_admin,
    }
    for role in route.roles:
        response = _request(route, _client(route, others[role]), url, area, personas)
        assert response.status_code == 404, (
            f"{role} of another area got {response.status_code} on {route.name}"
        )
