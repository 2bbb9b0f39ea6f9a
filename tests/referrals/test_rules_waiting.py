"""Waiting-list urgency from the latest start date and its boundaries (domain.md §3, 003); the latest start
itself is tested with the schedule in tests/sessions/test_rules_pathways.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.rules.waiting import LEVELS, urgency

END = date(2027, 9, 1)
LATEST = date(2027, 3, 3)  # 26 weeks before the end of supervision


@pytest.mark.parametrize(
    ("today", "level", "days_left"),
    [
        (LATEST - timedelta(days=100), "ok", 100),
        (LATEST - timedelta(days=57), "ok", 57),  # one day more than 8 weeks
        (LATEST - timedelta(days=56), "start_soon", 56),  # exactly 8 weeks
        (LATEST - timedelta(days=1), "start_soon", 1),
        (LATEST, "start_soon", 0),  # the last day it can start
        (LATEST + timedelta(days=1), "overdue", -1),
        (END, "overdue", -182),
        (END + timedelta(days=30), "overdue", -212),
    ],
)
def test_urgency_boundaries(today: date, level: str, days_left: int) -> None:
    result = urgency(today, END, LATEST)
    assert (result.level, result.days_left, result.latest_start) == (level, days_left, LATEST)


def test_messages_in_plain_english() -> None:
    assert urgency(date(2026, 1, 1), END, LATEST).message == (
        "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027"
    )
    assert urgency(date(2027, 2, 1), END, LATEST).message == (
        "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027 "
        "(that is within 30 days)"
    )
    assert urgency(LATEST - timedelta(days=1), END, LATEST).message.endswith("(that is within 1 day)")
    assert urgency(LATEST, END, LATEST).message.endswith("(that is today)")
    assert urgency(date(2027, 3, 4), END, LATEST).message == (
        "Can no longer finish in time: had to start by 3 March 2027 to finish before supervision ends on "
        "1 September 2027"
    )


def test_no_end_date_is_unknown() -> None:
    result = urgency(date(2026, 1, 1), None, None)
    assert (result.level, result.latest_start, result.days_left) == ("unknown", None, None)
    assert "No supervision end date is recorded" in result.message


@pytest.mark.parametrize(
    ("warning_weeks", "today", "level"),
    [
        (0, LATEST, "start_soon"),
        (0, LATEST - timedelta(days=1), "ok"),
        (12, LATEST - timedelta(days=84), "start_soon"),
        (12, LATEST - timedelta(days=85), "ok"),
    ],
)
def test_the_warning_period_is_a_parameter(warning_weeks: int, today: date, level: str) -> None:
    assert urgency(today, END, LATEST, warning_weeks=warning_weeks).level == level


def test_negative_warning_weeks_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        urgency(date(2026, 1, 1), END, LATEST, warning_weeks=-1)


def test_as_dict_is_json() -> None:
    data = urgency(date(2026, 1, 1), END, LATEST).as_dict()
    assert data == {
        "level": "ok",
        "message": "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027",
        "latest_start": "2027-03-03",
        "days_left": 426,
    }
    assert json.loads(json.dumps(data)) == data
    assert urgency(date(2026, 1, 1), None, None).as_dict()["latest_start"] is None


dates = st.dates(date(2024, 1, 1), date(2032, 12, 31))


@given(dates, dates, st.integers(1, 400), st.integers(0, 20))
def test_urgency_only_grows_as_time_passes(today: date, end: date, days: int, warning: int) -> None:
    order = ["ok", "start_soon", "overdue"]
    latest = end - timedelta(days=days)
    now = urgency(today, end, latest, warning)
    later = urgency(today + timedelta(days=1), end, latest, warning)
    assert now.level in LEVELS
    assert order.index(later.level) >= order.index(now.level)


@given(dates, st.integers(1, 400))
def test_the_latest_start_itself_is_not_overdue_and_the_day_after_is(end: date, days: int) -> None:
    latest = end - timedelta(days=days)
    assert urgency(latest, end, latest).level != "overdue"
    assert urgency(latest + timedelta(days=1), end, latest).level == "overdue"


def test_an_unknown_latest_start_is_unknown() -> None:
    assert urgency(date(2026, 1, 1), END, None).level == "unknown"
