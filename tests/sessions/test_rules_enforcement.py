"""Enforcement (domain.md §6; CJA 2003 Sch. 8, National Standards): warnings, the 12-month window, the 10th
working day after the absence with bank holidays excluded."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.rules import bank_holidays
from sessions.rules.enforcement import (
    BREACH_ACTIONED,
    BREACH_DUE,
    NONE,
    WARNING_DUE,
    WARNING_ISSUED,
    anniversary,
    enforcement_state,
    within_warning_window,
    working_day_after,
)

D = dt.date


def _eng(day: dt.date) -> bool:
    return day in bank_holidays("ENG", [day.year])


def _no_holidays(day: dt.date) -> bool:
    return False


@pytest.mark.parametrize(
    ("failures", "warnings", "breaches", "status"),
    [
        ([], [], [], NONE),
        ([D(2027, 3, 1)], [], [], WARNING_DUE),  # the first failure: a warning is due
        ([D(2027, 3, 1)], [D(2027, 3, 2)], [], WARNING_ISSUED),
        ([D(2027, 3, 1)], [D(2027, 3, 1)], [], WARNING_ISSUED),  # issued the same day answers that failure
        ([D(2027, 3, 1), D(2027, 3, 8)], [], [], WARNING_DUE),  # two before any warning: still a warning
        ([D(2027, 3, 1), D(2027, 3, 8)], [D(2027, 3, 10)], [], WARNING_ISSUED),
        ([D(2027, 3, 1), D(2027, 5, 3)], [D(2027, 3, 2)], [], BREACH_DUE),  # a further one within 12 months
        ([D(2027, 3, 1), D(2027, 5, 3)], [D(2027, 3, 2)], [D(2027, 5, 10)], BREACH_ACTIONED),
        (
            [D(2027, 3, 1), D(2027, 5, 3)],
            [D(2027, 3, 2)],
            [D(2027, 4, 1)],
            BREACH_DUE,
        ),  # old breach: not this
        ([D(2027, 3, 1), D(2028, 3, 3)], [D(2027, 3, 2)], [], WARNING_DUE),  # beyond 12 months: warning again
    ],
)
def test_the_enforcement_states(failures, warnings, breaches, status):
    state = enforcement_state(
        failures=failures, warnings=warnings, breaches=breaches, is_holiday=_no_holidays
    )
    assert state.status == status
    assert state.code == "ENF_" + status.upper()
    assert state.reason


@pytest.mark.parametrize(
    ("warning", "failure", "within"),
    [
        (D(2027, 3, 2), D(2027, 3, 2), False),  # the same day: that warning's own failure
        (D(2027, 3, 2), D(2027, 3, 3), True),
        (D(2027, 3, 2), D(2028, 3, 1), True),  # the last day of the 12 months
        (D(2027, 3, 2), D(2028, 3, 2), False),  # the anniversary is outside
        (D(2028, 2, 29), D(2029, 2, 28), True),  # a leap-day warning runs to the end of February
        (D(2028, 2, 29), D(2029, 3, 1), False),
        (D(2027, 3, 2), D(2027, 3, 1), False),  # before the warning
    ],
)
def test_the_12_month_window_edges(warning, failure, within):
    assert within_warning_window(failure, warning) is within
    state = enforcement_state(
        failures=[warning, failure], warnings=[warning], breaches=[], is_holiday=_no_holidays
    )
    if failure > warning:
        assert state.status == (BREACH_DUE if within else WARNING_DUE)


@pytest.mark.parametrize(
    ("failures", "warnings", "breaches", "status", "due_by", "answers"),
    [
        # Review of issue 8, no. 8: the first failure after the warning fixes the deadline; more do not slide it.
        ([D(2027, 3, 1), D(2027, 3, 8)], [D(2027, 3, 1)], [], BREACH_DUE, D(2027, 3, 22), D(2027, 3, 8)),
        (
            [D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15), D(2027, 3, 29)],
            [D(2027, 3, 1)],
            [],
            BREACH_DUE,
            D(2027, 3, 22),
            D(2027, 3, 8),
        ),
        # No. 10: breach action answers the failure that made it due; a failure the same day is a further one.
        (
            [D(2027, 3, 1), D(2027, 3, 8)],
            [D(2027, 3, 1)],
            [D(2027, 3, 15)],
            BREACH_ACTIONED,
            None,
            D(2027, 3, 8),
        ),
        (
            [D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 15)],
            [D(2027, 3, 1)],
            [D(2027, 3, 15)],
            BREACH_DUE,
            D(2027, 3, 29),
            D(2027, 3, 15),
        ),
        # Breach actioned on the day of its own failure: answered.
        (
            [D(2027, 3, 1), D(2027, 3, 8)],
            [D(2027, 3, 1)],
            [D(2027, 3, 8)],
            BREACH_ACTIONED,
            None,
            D(2027, 3, 8),
        ),
        # A failure while breach action was due, before it was recorded: answered with it.
        (
            [D(2027, 3, 1), D(2027, 3, 8), D(2027, 3, 10)],
            [D(2027, 3, 1)],
            [D(2027, 3, 12)],
            BREACH_ACTIONED,
            None,
            D(2027, 3, 8),
        ),
        # Failures while a warning is due are one step: the warning answers them all.
        ([D(2027, 3, 1), D(2027, 3, 8)], [D(2027, 3, 9)], [], WARNING_ISSUED, None, D(2027, 3, 1)),
    ],
)
def test_the_steps_and_the_fixed_breach_deadline(failures, warnings, breaches, status, due_by, answers):
    state = enforcement_state(
        failures=failures, warnings=warnings, breaches=breaches, is_holiday=_no_holidays
    )
    assert (state.status, state.breach_due_by, state.answers) == (status, due_by, answers)


def test_anniversary_of_a_leap_day():
    assert anniversary(D(2028, 2, 29)) == D(2029, 3, 1)


@pytest.mark.parametrize(
    ("absence", "due", "why"),
    [
        (D(2027, 3, 1), D(2027, 3, 15), "Monday: two plain weeks"),
        (D(2027, 3, 5), D(2027, 3, 19), "Friday: the weekend does not count"),
        # Good Friday 26 March and Easter Monday 29 March 2027 (England): two extra days.
        (D(2027, 3, 22), D(2027, 4, 7), "over Easter"),
        # Early May bank holiday Monday 3 May 2027.
        (D(2027, 4, 26), D(2027, 5, 11), "over the early May bank holiday"),
        # Christmas 2027: Sat 25 and Sun 26 -> substitute days Mon 27 and Tue 28 December; New Year Sat 1 Jan ->
        # Mon 3 January 2028.
        (D(2027, 12, 20), D(2028, 1, 6), "over Christmas and New Year with substitute days"),
    ],
)
def test_the_10th_working_day_over_bank_holidays(absence, due, why):
    assert working_day_after(absence, 10, is_holiday=_eng) == due, why


def test_the_breach_due_date_uses_the_jurisdictions_holidays():
    # 12 July 2027 (a Monday) is a bank holiday in Northern Ireland, not in England.
    absence = D(2027, 7, 5)
    england = working_day_after(absence, 10, is_holiday=_eng)
    ni = working_day_after(absence, 10, is_holiday=lambda d: d in bank_holidays("NIR", [d.year]))
    assert england == D(2027, 7, 19) and ni == D(2027, 7, 20)
    state = enforcement_state(
        failures=[D(2027, 3, 22), D(2027, 3, 22) + dt.timedelta(days=1)],
        warnings=[D(2027, 3, 22)],
        breaches=[],
        is_holiday=_eng,
    )
    assert state.status == BREACH_DUE and state.breach_due_by == D(2027, 4, 8)


@settings(max_examples=200)
@given(st.dates(min_value=D(2026, 1, 1), max_value=D(2030, 12, 31)), st.integers(1, 30))
def test_the_nth_working_day_is_a_working_day_after_the_absence(start, n):
    due = working_day_after(start, n, is_holiday=_eng)
    assert due > start and due.weekday() < 5 and not _eng(due)
    days = [start + dt.timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(1 for d in days if d.weekday() < 5 and not _eng(d)) == n
