"""The retention rule (issue 12), table-driven: no Django."""

from __future__ import annotations

import datetime as dt

import pytest

from dataprotection.rules import retention_cutoff, retention_decision

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("ended", "open_referral", "years", "due", "code"),
    [
        (None, False, 7, False, "RETENTION_NO_SUPERVISION_END"),
        (dt.date(2019, 11, 29), True, 7, False, "RETENTION_OPEN_REFERRAL"),
        (dt.date(2019, 11, 29), False, 7, True, "RETENTION_DUE"),  # more than seven years ago
        (dt.date(2019, 11, 30), False, 7, False, "RETENTION_NOT_YET_DUE"),  # exactly seven: not more than
        (dt.date(2024, 1, 1), False, 7, False, "RETENTION_NOT_YET_DUE"),
        (dt.date(2024, 1, 1), False, 2, True, "RETENTION_DUE"),  # the period is configurable
        (dt.date(2025, 11, 30), False, 1, False, "RETENTION_NOT_YET_DUE"),
    ],
)
def test_retention_decision(ended, open_referral, years, due, code):
    decision = retention_decision(
        supervision_ended=ended, has_open_referral=open_referral, today=TODAY, years=years
    )
    assert (decision.due, decision.code) == (due, code)
    assert decision.reason  # always a plain-English reason


@pytest.mark.parametrize(
    ("today", "years", "cutoff"),
    [
        (dt.date(2026, 11, 30), 7, dt.date(2019, 11, 30)),
        (dt.date(2028, 2, 29), 7, dt.date(2021, 2, 28)),  # no 29 February in 2021
        (dt.date(2028, 2, 29), 4, dt.date(2024, 2, 29)),
    ],
)
def test_retention_cutoff(today, years, cutoff):
    assert retention_cutoff(today, years) == cutoff


def test_the_period_is_at_least_a_year():
    with pytest.raises(ValueError, match="at least one year"):
        retention_cutoff(TODAY, 0)
