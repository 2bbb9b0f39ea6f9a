"""Waiting-list urgency: the latest start date and its boundaries (domain.md §3, 003)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.rules.waiting import LEVELS, latest_start_date, urgency

END = date(2027, 9, 1)
LATEST = date(2027, 3, 3)  # 26 weeks before the end of supervision


@pytest.mark.parametrize(
    ("end", "weeks", "latest"),
    [
        (END, 26, LATEST),
        (END, 1, date(2027, 8, 25)),
        (date(2028, 3, 7), 1, date(2028, 2, 29)),  # across a leap day
        (date(2026, 1, 5), 35, date(2025, 5, 5)),  # i-SOTP group, once a week
        (date(2026, 1, 5), 18, date(2025, 9, 1)),  # i-SOTP group, twice a week
    ],
)
def test_latest_start_date(end: date, weeks: int, latest: date) -> None:
    assert latest_start_date(end, weeks) == latest


@pytest.mark.parametrize("weeks", [0, -3])
def test_a_programme_lasts_at_least_a_week(weeks: int) -> None:
    with pytest.raises(ValueError, match="at least one week"):
        latest_start_date(END, weeks)


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
    result = urgency(today, END, 26)
    assert (result.level, result.days_left, result.latest_start) == (level, days_left, LATEST)


def test_messages_in_plain_english() -> None:
    assert urgency(date(2026, 1, 1), END, 26).message == (
        "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027"
    )
    assert urgency(date(2027, 2, 1), END, 26).message == (
        "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027 "
        "(that is within 30 days)"
    )
    assert urgency(LATEST - timedelta(days=1), END, 26).message.endswith("(that is within 1 day)")
    assert urgency(LATEST, END, 26).message.endswith("(that is today)")
    assert urgency(date(2027, 3, 4), END, 26).message == (
        "Can no longer finish in time: had to start by 3 March 2027 to finish before supervision ends on "
        "1 September 2027"
    )


def test_no_end_date_is_unknown() -> None:
    result = urgency(date(2026, 1, 1), None, 26)
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
    assert urgency(today, END, 26, warning_weeks=warning_weeks).level == level


def test_negative_warning_weeks_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        urgency(date(2026, 1, 1), END, 26, warning_weeks=-1)


def test_as_dict_is_json() -> None:
    data = urgency(date(2026, 1, 1), END, 26).as_dict()
    assert data == {
        "level": "ok",
        "message": "Must start by 3 March 2027 to finish before supervision ends on 1 September 2027",
        "latest_start": "2027-03-03",
        "days_left": 426,
    }
    assert json.loads(json.dumps(data)) == data
    assert urgency(date(2026, 1, 1), None, 26).as_dict()["latest_start"] is None


dates = st.dates(date(2024, 1, 1), date(2032, 12, 31))


@given(dates, dates, st.integers(1, 60), st.integers(0, 20))
def test_urgency_only_grows_as_time_passes(today: date, end: date, weeks: int, warning: int) -> None:
    order = ["ok", "start_soon", "overdue"]
    now = urgency(today, end, weeks, warning)
    later = urgency(today + timedelta(days=1), end, weeks, warning)
    assert now.level in LEVELS
    assert order.index(later.level) >= order.index(now.level)


@given(dates, st.integers(1, 104))
def test_starting_on_the_latest_date_finishes_before_supervision_ends(end: date, weeks: int) -> None:
    latest = latest_start_date(end, weeks)
    assert latest + timedelta(weeks=weeks) == end
    assert urgency(latest, end, weeks).level != "overdue"
    assert urgency(latest + timedelta(days=1), end, weeks).level == "overdue"
