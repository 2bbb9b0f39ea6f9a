"""When the pre- and post-programme administrations may be recorded (domain.md §7; seeds 001 and 003).

003: "Before the group starts, offenders are required to complete a psychometric assessment. Following completion
of the programme, they are required to repeat this exercise."

A refusal with a `field` is bad input (the date: 400 on that field); one without is an illegal state (409).
"""

from __future__ import annotations

import datetime as dt

from isotp.dates import long_date


class TimingRefused(ValueError):
    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def _long(day: dt.date) -> str:
    return long_date(day)


def check_pre_timing(*, administered_on: dt.date, first_session: dt.date | None, today: dt.date) -> None:
    """003: the pre-programme battery is completed before the group starts (on or before the member's first
    session; the same day counts, the session being later that day)."""
    if administered_on > today:
        raise TimingRefused(
            "DATE_IN_FUTURE", "The date of the assessment must be today or in the past", "administered_on"
        )
    if first_session is not None and administered_on > first_session:
        raise TimingRefused(
            "PRE_AFTER_FIRST_SESSION",
            f"The pre-programme assessment must be on or before the first session ({_long(first_session)})",
            "administered_on",
        )


def check_post_timing(
    *,
    administered_on: dt.date,
    has_pre: bool,
    sessions_complete: bool,
    last_session: dt.date | None,
    today: dt.date,
) -> None:
    """003: the post-programme battery repeats the exercise after the sessions are complete, and compares with the
    pre-programme one, so that must exist."""
    if not has_pre:
        raise TimingRefused(
            "PRE_PROGRAMME_REQUIRED", "Record the pre-programme assessment before the post-programme one"
        )
    if not sessions_complete:
        raise TimingRefused(
            "SESSIONS_NOT_COMPLETE",
            "The post-programme assessment is recorded after the member's sessions are complete",
        )
    if administered_on > today:
        raise TimingRefused(
            "DATE_IN_FUTURE", "The date of the assessment must be today or in the past", "administered_on"
        )
    if last_session is not None and administered_on < last_session:
        raise TimingRefused(
            "POST_BEFORE_LAST_SESSION",
            f"The post-programme assessment must be on or after the last session ({_long(last_session)})",
            "administered_on",
        )
