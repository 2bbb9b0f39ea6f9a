"""The statistics cache (issue 11): the cached answer is the computed one; the key holds the scope, so one area's
figures are never served to another area or as national ones; a write does not force a recompute (the TTL bounds
the staleness, and every answer says when its figures were computed); TTL 0 computes every time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import record_event
from isotp import clock
from quality import tables
from quality.rules.programme import Period
from quality.selectors import Scope
from quality.tables import Figures, statistics_cache_key, statistics_figures
from tests.pages import page_text
from tests.referrals.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db
QUERY = {"programme": "isotp"}


@pytest.fixture(autouse=True)
def _cache_on(settings, request) -> None:
    """The cache on, in a store of this test's own: the key is the question (scope, filters, day, database), so an
    entry left in the shared Redis by an earlier run on a rebuilt test database must not answer here."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }
    settings.STATISTICS_CACHE_SECONDS = 600


def _referrals(area, n: int, actor) -> None:
    """`n` submitted referrals in the area, recorded with an audit event (as every write of the product is)."""
    for _ in range(n):
        referral = ReferralFactory(person=PersonFactory(area=area), status="submitted", programme="isotp")
    record_event(actor=actor, action="create", obj=referral)


def _referral_count(client) -> str:
    body = client.get(reverse("api-statistics"), QUERY).json()
    return body["tables"][0]["rows"][0][1]


def test_the_cached_answer_is_the_computed_one_and_costs_no_aggregate(api, tm, settings):
    _referrals(tm.area, 12, tm)
    client = api(tm)
    with CaptureQueriesContext(connection) as first:
        computed = client.get(reverse("api-statistics"), QUERY).json()
    with CaptureQueriesContext(connection) as second:
        cached = client.get(reverse("api-statistics"), QUERY).json()
    assert cached == computed and computed["tables"][0]["rows"][0] == ["Referrals", "12"]
    assert len(second.captured_queries) < len(first.captured_queries)
    settings.STATISTICS_CACHE_SECONDS = 0
    assert client.get(reverse("api-statistics"), QUERY).json()["tables"] == computed["tables"]


def test_each_area_and_national_have_their_own_entry(api, tm, other_tm):
    _referrals(tm.area, 12, tm)
    assert _referral_count(api(tm)) == "12"
    # Same filters, same day, same data version: the other area still gets its own figures, not the cached ones.
    assert _referral_count(api(other_tm)) == "0"
    assert _referral_count(api(tm)) == "12"
    other_tm.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
    national = api(type(other_tm).objects.get(pk=other_tm.pk)).get(
        reverse("api-statistics"), {**QUERY, "scope": "national"}
    )
    assert national.status_code == 200 and national.json()["scope"] == "All areas"
    assert api(other_tm).get(reverse("api-statistics"), QUERY).json()["scope"] != "All areas"


def test_a_write_between_two_requests_does_not_force_a_recompute(api, tm):
    _referrals(tm.area, 10, tm)
    client = api(tm)
    first = client.get(reverse("api-statistics"), QUERY).json()
    _referrals(tm.area, 2, tm)  # audited writes, as an area makes all day
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(reverse("api-statistics"), QUERY).json()
    assert second == first and second["tables"][0]["rows"][0][1] == "10"
    assert second["refreshed_every_seconds"] == 600 and second["computed_at"] == first["computed_at"]
    assert not any("referrals_referral" in q["sql"] for q in second_queries.captured_queries)


def test_ttl_0_computes_every_answer(api, tm, settings):
    settings.STATISTICS_CACHE_SECONDS = 0
    _referrals(tm.area, 10, tm)
    client = api(tm)
    assert _referral_count(client) == "10"
    _referrals(tm.area, 2, tm)
    body = client.get(reverse("api-statistics"), QUERY).json()
    assert body["tables"][0]["rows"][0][1] == "12" and body["refreshed_every_seconds"] == 0
    assert cache.get(statistics_cache_key(Scope(tm.area_id, str(tm.area)), **_question())) is None


def _question() -> dict:
    today = clock.today()
    return {"programme": "isotp", "period": Period(today - dt.timedelta(days=365), today), "today": today}


def test_the_key_is_the_scope_chosen_after_the_permission_check(tm, other_tm):
    keys = {
        statistics_cache_key(Scope(tm.area_id, str(tm.area)), **_question()),
        statistics_cache_key(Scope(other_tm.area_id, str(other_tm.area)), **_question()),
        statistics_cache_key(Scope(None, "All areas"), **_question()),
    }
    assert len(keys) == 3


def test_the_as_at_text_says_when_and_how_often():
    at = timezone.make_aware(dt.datetime(2026, 11, 30, 22, 15))
    assert Figures([], [], at, 600).as_at == (
        "Figures as at 22:15 on 30 November 2026; they are refreshed every 10 minutes."
    )
    assert Figures([], [], at, 60).as_at.endswith("every 1 minute.")
    assert Figures([], [], at, 0).as_at == "Figures as at 22:15 on 30 November 2026."


def test_the_page_and_its_csv_show_the_cached_figures(login, tm):
    _referrals(tm.area, 11, tm)
    client = login(tm)
    csv_url = reverse("quality:statistics_csv", args=["flow"])
    computed = client.get(csv_url, QUERY).content.decode()  # computed, then cached for the page
    page = client.get(reverse("quality:statistics"), QUERY)
    assert page.status_code == 200 and "Referrals" in page_text(page)
    assert client.get(csv_url, QUERY).content.decode() == computed
    assert "Referrals,11" in computed.replace('"', "")
    as_at = page.context["as_at"]
    assert as_at.startswith("Figures as at ") and "refreshed every 10 minutes" in as_at
    assert as_at in page_text(page) and as_at in computed


# --- the dogpile guard: a miss while another request computes the same figures waits for its answer -------------


def _scope(tm) -> Scope:
    return Scope(tm.area_id, str(tm.area))


def _not_computed(*args, **kwargs):
    raise AssertionError("computed the figures another request was computing")


def test_a_miss_while_another_request_computes_waits_for_its_answer(tm, monkeypatch):
    key = statistics_cache_key(_scope(tm), **_question())
    assert cache.add(f"{key}:computing", 1, 30)  # another request is computing these figures
    theirs = Figures([], [], timezone.now(), 600)
    looks: list[float] = []

    def their_answer_arrives(seconds: float) -> None:  # the pause during which the other request finishes
        looks.append(seconds)
        if len(looks) == 2:
            cache.set(key, theirs, 600)

    monkeypatch.setattr(tables, "_pause", their_answer_arrives)
    monkeypatch.setattr(tables, "statistics_for", _not_computed)
    found = statistics_figures(_scope(tm), **_question())
    assert found.computed_at == theirs.computed_at and len(looks) == 2
    assert cache.get(f"{key}:computing") == 1  # their lock, left to them


def test_a_waiter_computes_the_figures_itself_when_the_answer_does_not_come(tm, monkeypatch):
    _referrals(tm.area, 11, tm)
    key = statistics_cache_key(_scope(tm), **_question())
    assert cache.add(f"{key}:computing", 1, 30)  # held by a request that never answers (it died)
    looks: list[float] = []
    monkeypatch.setattr(tables, "_pause", looks.append)
    found = statistics_figures(_scope(tm), **_question())
    assert len(looks) == tables.STATISTICS_WAIT_POLLS  # a bounded wait, then its own computation
    assert found.statistics[0].rows[0][1] == "11"


def test_the_computing_request_releases_its_lock_whatever_happens(tm, monkeypatch):
    key = statistics_cache_key(_scope(tm), **_question())
    monkeypatch.setattr(tables, "_pause", _not_computed)  # nobody else computes: no waiting
    computed = statistics_figures(_scope(tm), **_question())
    assert cache.get(key).computed_at == computed.computed_at and cache.get(f"{key}:computing") is None
    cache.delete(key)
    monkeypatch.setattr(tables, "statistics_for", _not_computed)
    with pytest.raises(AssertionError):
        statistics_figures(_scope(tm), **_question())
    assert cache.get(f"{key}:computing") is None and cache.get(key) is None


# --- the refresh ahead of expiry (beat `refresh-statistics`, `manage.py refresh_statistics`) ---------------------


def test_the_refresh_caches_the_default_figures_of_every_area_and_national(api, tm, other_tm, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import ProbationArea
    from quality.rules.programme import default_period
    from referrals.models import Programme

    _referrals(tm.area, 12, tm)
    out = StringIO()
    call_command("refresh_statistics", stdout=out)
    answers = (ProbationArea.objects.count() + 1) * (len(Programme.values) + 1)
    assert out.getvalue().startswith(f"{answers} answers cached")
    today = clock.today()
    for scope in (_scope(tm), _scope(other_tm), Scope(None, "All areas")):
        for programme in ("", "isotp"):
            key = statistics_cache_key(scope, programme=programme, period=default_period(today), today=today)
            assert isinstance(cache.get(key), Figures)
    monkeypatch.setattr(tables, "statistics_for", _not_computed)  # the page's first reader finds them
    assert _referral_count(api(tm)) == "12"


def test_the_refresh_does_nothing_with_the_cache_off(tm, settings):
    from quality.tasks import refresh_statistics

    settings.STATISTICS_CACHE_SECONDS = 0
    assert refresh_statistics() == 0
