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


def _list_views():
    """Each list route's view class (pages: none), by URL name."""
    for name, pattern in _patterns(get_resolver()):
        view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
        if view is not None and hasattr(view, "list"):
            yield name, view


def _query_keys(path: str) -> set[str]:
    from urllib.parse import parse_qs, urlsplit

    return set(parse_qs(urlsplit(path).query, keep_blank_values=True))


# Filters the API cannot be sent (none: the programmes endpoint's `?format=` answered 404, DRF's renderer
# override, until it took the referral endpoints' content negotiation).
UNREACHABLE: dict[str, set[str]] = {}


def test_every_filter_of_each_api_list_is_requested():
    """Issue 11: "every list endpoint with its filters". Each DRF filterset's filters are read from the class, and
    every one of them must be sent by at least one entry of the mix to an endpoint using that filterset (a filter
    added to a filterset without a load-test entry fails here); and every endpoint with a filterset is requested
    with at least one of its filters."""
    routes = _routes_module()
    sent: dict[str, set[str]] = {}
    for entry in routes.MIX:
        sent.setdefault(entry[4], set()).update(_query_keys(entry[3]))
    used: dict[type, set[str]] = {}
    declared: dict[type, set[str]] = {}
    for name, view in _list_views():
        filterset = getattr(view, "filterset_class", None)
        if filterset is None:
            continue
        declared[filterset] = set(filterset.base_filters)
        assert sent.get(name, set()) & declared[filterset], f"{name} is never requested with a filter"
        used.setdefault(filterset, set()).update(sent.get(name, set()))
    assert len(declared) >= 8  # the enumeration sees the filtersets (it is not vacuously empty)
    for filterset, filters in declared.items():
        filters = filters - UNREACHABLE.get(filterset.__name__, set())
        assert filters <= used[filterset], (
            f"{filterset.__name__}: never requested: {sorted(filters - used[filterset])}"
        )


# The other list parameters (views' own `request.GET` reads and the API's hand-read ones), each requested by
# at least one entry: (URL name, query parameters one entry or another must send).
LIST_PARAMETERS = [
    ("api-notification-list", {"unread"}),
    ("api-audit-event-list", {"action"}),
    ("programme_sessions:group_list", {"status"}),
    ("referrals:referral_list", {"q", "status", "programme", "sort"}),
    (
        "referrals:waiting_list",
        {"q", "urgency", "programme", "format"},
    ),  # `restart`: no restarts in the load data
    ("accounts:staff_list", {"role", "needs"}),
    ("referrals:person_list", {"search", "page"}),
    ("quality:statistics", {"scope", "programme", "start", "end"}),
    ("audit:event_list", {"action"}),
    ("reports:report_list", {"status", "new"}),
]


@pytest.mark.parametrize(("route", "parameters"), LIST_PARAMETERS)
def test_each_list_parameter_is_requested(route, parameters):
    routes = _routes_module()
    sent = set().union(*(_query_keys(entry[3]) for entry in routes.MIX if entry[4] == route))
    assert parameters <= sent, f"{route}: never requested with {sorted(parameters - sent)}"


def test_the_filter_entries_of_the_review_are_in_the_mix():
    """The entries added for the review of issue 11's mix (each list's filters), by name and role."""
    routes = _routes_module()
    named = {(entry[0], entry[2]) for entry in routes.MIX}
    expected = {
        (routes.OM, "api notifications ?unread"),
        (routes.TM, "api people ?offender_manager"),
        (routes.TM, "api groups ?starts"),
        (routes.TM, "api group sessions ?date"),
        (routes.ADMIN, "api audit events ?action"),
        (routes.TM, "groups ?status"),
        (routes.TM, "referrals ?q"),
        (routes.TM, "referrals ?sort"),
        (routes.TM, "waiting list ?q"),
        (routes.TM, "waiting list ?urgency"),
        (routes.ADMIN, "staff ?needs"),
        (routes.TM, "people ?page"),
        (routes.TM, "statistics ?scope"),
    }
    assert expected <= named
    offences = [entry[3] for entry in routes.MIX if entry[2] == "api offences ?category"]
    assert offences and all("category=" in path for path in offences)
