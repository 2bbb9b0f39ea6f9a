"""The load test's mix covers every list page and list endpoint (issue 11): a list added to the URLconf without
being added to bench/loadtest/routes.py fails here, so the figures keep measuring every list."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROUTES_FILE = Path(__file__).resolve().parents[2] / "bench" / "loadtest" / "routes.py"


def _routes_module():
    spec = importlib.util.spec_from_file_location("loadtest_routes", ROUTES_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _patterns(resolver: URLResolver, namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


def list_routes(page_lists: frozenset[str]) -> set[str]:
    """Every list page (named `*list`, or one of `page_lists`) and every API view with a list action."""
    found = set()
    for name, pattern in _patterns(get_resolver()):
        if name.startswith(("admin:", "django-admin")) or "admin" in pattern.callback.__module__.split("."):
            continue
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        is_api_list = view is not None and hasattr(view, "list")
        if is_api_list or name.rsplit(":", 1)[-1].endswith("list") or name in page_lists:
            found.add(name)
    return found


def test_every_list_route_is_in_the_load_test_mix():
    routes = _routes_module()
    found = list_routes(routes.PAGE_LISTS)
    # The enumeration itself sees pages and API lists of every app (it is not vacuously empty).
    assert {"dataprotection:retention_list", "transfers:list", "audit:event_list", "api-audit-event-list",
            "api-group-session-list", "api-psychometric-administration-list", "reports:report_list"} <= found  # fmt: skip
    missing = list_routes(routes.PAGE_LISTS) - routes.covered_routes()
    assert not missing, f"list routes missing from bench/loadtest/routes.py: {sorted(missing)}"


def test_the_mix_names_only_routes_that_exist():
    routes = _routes_module()
    known = {name for name, _ in _patterns(get_resolver())}
    assert routes.covered_routes() <= known
    assert known >= routes.PAGE_LISTS


def test_every_role_has_its_home_and_the_floor():
    routes = _routes_module()
    for role in routes.EVERY:
        requested = {(entry[2], entry[4]) for entry in routes.MIX if entry[0] == role}
        assert ("ping", "ping") in requested
        assert any(route == "home" for _, route in requested)


@pytest.mark.parametrize("users", [4, 20, 50, 51, 108])
def test_the_even_mix_gives_each_role_users_in_proportion_to_its_entries(users):
    """The even mix requests every entry of the mix equally often: each role's users are in proportion to its
    number of entries (within one user), every role has one, and there are exactly as many roles as users."""
    routes = _routes_module()
    roles = routes.even_roles(users)
    counts = routes.entries_per_role()
    total = sum(counts.values())
    assert len(roles) == users
    for role, entries in counts.items():
        assert roles.count(role) >= 1
        assert abs(roles.count(role) - users * entries / total) < 1
    # Spread out: the first four users are of four different roles.
    assert len(set(roles[:4])) == 4
