"""The waiting list's "must start by" is shared between requests (issue 11) without ever going stale."""

from __future__ import annotations

import datetime as dt

import pytest

from sessions import programme_terms
from sessions.programme_terms import AreaCatalogue
from tests.factories import ClosureFactory, ProbationAreaFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)
END = dt.date(2027, 9, 1)


def test_a_second_catalogue_reuses_the_answer_without_recomputing(monkeypatch):
    area = ProbationAreaFactory()
    first = AreaCatalogue(area).latest_start("isotp", "group", END, on=TODAY)
    assert first is not None

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(programme_terms, "latest_start", refuse)
    assert AreaCatalogue(area).latest_start("isotp", "group", END, on=TODAY) == first


def test_a_new_closure_date_is_a_new_question():
    area = ProbationAreaFactory()
    before = AreaCatalogue(area).latest_start("isotp", "group", END, on=TODAY)
    # Close every Monday to Friday for two weeks before the end: the latest start moves earlier.
    for offset in range(1, 22):
        day = END - dt.timedelta(days=offset)
        if day.weekday() < 5:
            ClosureFactory(area=area, date=day)
    after = AreaCatalogue(area).latest_start("isotp", "group", END, on=TODAY)
    assert after is not None and before is not None and after < before


@pytest.fixture
def own_cache(settings, request):
    """A cache store of this test's own (the shared Redis may hold an earlier run's entries)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def test_another_process_takes_the_answers_from_the_cache(monkeypatch, own_cache):
    area = ProbationAreaFactory()
    ends = [END, END + dt.timedelta(days=40)]
    # This process has not answered them yet (an earlier test may have, for the same catalogue and calendar).
    monkeypatch.setattr(programme_terms, "_LATEST_SHARED", programme_terms.OrderedDict())
    AreaCatalogue(area).prefetch_latest_starts("isotp", "group", ends, on=TODAY)
    expected = [AreaCatalogue(area).latest_start("isotp", "group", end, on=TODAY) for end in ends]
    # Another gunicorn worker: nothing in its memory, and it must not compute what the cache holds.
    monkeypatch.setattr(programme_terms, "_LATEST_SHARED", programme_terms.OrderedDict())

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed")

    monkeypatch.setattr(programme_terms, "latest_start", refuse)
    other = AreaCatalogue(area)
    other.prefetch_latest_starts("isotp", "group", ends, on=TODAY)
    assert [other.latest_start("isotp", "group", end, on=TODAY) for end in ends] == expected


def test_the_shared_key_changes_with_the_catalogue_content(own_cache):
    area = ProbationAreaFactory()
    before = AreaCatalogue(area)._cache_prefix
    ClosureFactory(area=area, date=END - dt.timedelta(days=3))
    assert AreaCatalogue(area)._cache_prefix != before
    assert AreaCatalogue(ProbationAreaFactory())._cache_prefix == before  # same catalogue and calendar
