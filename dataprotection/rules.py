"""Retention of a person's record (issue 12): pure rules, no Django.

# issue 12: "a nightly job finds people whose supervision ended more than a configurable number of years ago
# (default seven) and no open referral".
# UK GDPR art. 5(1)(e) and DPA 2018 s.39 (Part 3): personal data kept no longer than necessary; the period is the
# service's policy (RETENTION_YEARS), not the law's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def retention_cutoff(today: dt.date, years: int) -> dt.date:
    """The date `years` before `today`: supervision that ended before it is past retention. 29 February falls back
    to 28 February in a year without one."""
    if years < 1:
        raise ValueError("The retention period is at least one year")
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class RetentionDecision:
    due: bool
    code: str
    reason: str


def retention_decision(
    *, supervision_ended: dt.date | None, has_open_referral: bool, today: dt.date, years: int
) -> RetentionDecision:
    """Whether a person's personal data is due for deletion, with a rule code and a plain-English reason."""
    if supervision_ended is None:
        return RetentionDecision(
            False, "RETENTION_NO_SUPERVISION_END", "No sentence with a supervision end is recorded"
        )
    if has_open_referral:
        # issue 12: "... and no open referral"
        return RetentionDecision(False, "RETENTION_OPEN_REFERRAL", "The person has an open referral")
    cutoff = retention_cutoff(today, years)
    if supervision_ended >= cutoff:
        return RetentionDecision(
            False,
            "RETENTION_NOT_YET_DUE",
            f"Supervision ended less than {years} year{'s' if years != 1 else ''} ago",
        )
    return RetentionDecision(
        True,
        "RETENTION_DUE",
        f"Supervision ended more than {years} year{'s' if years != 1 else ''} ago and no referral is open",
    )
