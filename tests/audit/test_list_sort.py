"""Issue 13: the audit trail's changes sort by each column on the server (across every page), both ways, with
`aria-sort` on the header and the search kept; an unknown sort falls back to newest first; no queries per row.
The checks are the Reports list's too (tests/pages.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.services import record_event
from tests.factories import UserFactory
from tests.pages import (
    assert_newest_first_unless_sorted,
    assert_sort_links_keep_the_filter,
    assert_sorting_adds_no_queries_per_row,
    assert_sorts_both_ways,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_events(area, tm, time_machine):
    """Event A (by Alice Able, a referral started on record AAA, long ago) and event Z (by Zed Zulu, a person
    changed on record ZZZ, recently): every column puts A first ascending and Z first descending."""
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC))
    alice = UserFactory(role="treatment_manager", area=area, full_name="Alice Able")
    zed = UserFactory(role="treatment_manager", area=area, full_name="Zed Zulu")
    a = record_event(
        actor=alice,
        action="person.updated",
        object_type="referrals.person",
        object_id="a-1",
        object_label="AAA-LABEL",
        area_id=area.pk,
    )
    time_machine.move_to(dt.datetime(2026, 4, 1, 10, 0, tzinfo=dt.UTC))
    z = record_event(
        actor=zed,
        action="referral.created",
        object_type="referrals.referral",
        object_id="z-1",
        object_label="ZZZ-LABEL",
        area_id=area.pk,
    )
    return a, z


@pytest.mark.parametrize(
    ("key", "label"), [("when", "When"), ("who", "Who"), ("what", "What happened"), ("record", "Record")]
)
def test_the_audit_trail_sorts_by_each_column_both_ways(login, tm, two_events, key, label):
    assert_sorts_both_ways(
        login(tm), reverse("audit:event_list"), key=key, label=label, first="AAA-LABEL", last="ZZZ-LABEL"
    )


def test_the_audit_trail_default_and_unknown_sort_are_newest_first(login, tm, two_events):
    assert_newest_first_unless_sorted(
        login(tm),
        reverse("audit:event_list"),
        unknown=("action; drop", "-"),
        newest="ZZZ-LABEL",
        oldest="AAA-LABEL",
        by="When",
        other="Who",
    )


def test_the_sort_links_keep_the_search(login, tm, two_events):
    assert_sort_links_keep_the_filter(
        login(tm),
        reverse("audit:event_list"),
        filters={"action": "person.updated"},
        sort="who",
        shown="AAA-LABEL",
        hidden="ZZZ-LABEL",
    )


@pytest.mark.parametrize("sort", ["when", "-who", "what", "-record"])
@pytest.mark.parametrize("rows", [2, 8])
def test_sorting_the_audit_trail_adds_no_queries_per_row(
    login, area, tm, rows, sort, django_assert_max_num_queries
):
    for n in range(rows):
        actor = UserFactory(role="treatment_manager", area=area)
        record_event(
            actor=actor,
            action="person.updated",
            object_type="referrals.person",
            object_id=f"p-{n}",
            object_label=f"ROW-{n}",
            area_id=area.pk,
        )
    assert_sorting_adds_no_queries_per_row(
        login(tm),
        reverse("audit:event_list"),
        sort,
        queries=14,
        row_text="ROW-",
        rows=rows,
        assert_max_queries=django_assert_max_num_queries,
    )
