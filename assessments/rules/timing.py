"""When the pre- and post-programme administrations may be recorded (domain.md §7; seeds 001 and 003).

003: "Before the group starts, offenders are required to complete a psychometric assessment. Following completion
of the programme, they are required to repeat this exercise."

Two kinds of refusal: the state of the membership (`check_pre_state` / `check_post_state`: no field, an illegal
state, 409 with its code; asked before a form is even offered) and the date given (`check_pre_date` /
`check_post_date`: the `administered_on` field, 400). `check_pre_timing` and `check_post_timing` ask both.
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


def _check_bounds(administered_on: dt.date, earliest: dt.date | None, today: dt.date) -> None:
    """Any administration: not in the future, and not before the referral (no one is assessed for a programme
    before being referred to it; this also refuses a mistyped year such as 1900)."""
    if administered_on > today:
        raise TimingRefused(
            "DATE_IN_FUTURE", "The date of the assessment must be today or in the past", "administered_on"
        )
    if earliest is not None and administered_on < earliest:
        raise TimingRefused(
            "DATE_BEFORE_REFERRAL",
            f"The date of the assessment must be on or after the referral ({_long(earliest)})",
            "administered_on",
        )


def check_pre_date(
    *,
    administered_on: dt.date,
    first_session: dt.date | None,
    today: dt.date,
    earliest: dt.date | None = None,
) -> None:
    """003: the pre-programme battery is completed before the group starts (on or before the member's first
    session; the same day counts, the session being later that day), and after the referral (`earliest`)."""
    _check_bounds(administered_on, earliest, today)
    if first_session is not None and administered_on > first_session:
        raise TimingRefused(
            "PRE_AFTER_FIRST_SESSION",
            f"The pre-programme assessment must be on or before the first session ({_long(first_session)})",
            "administered_on",
        )


def check_pre_state(*, has_pre: bool) -> None:
    """One pre-programme administration per membership."""
    if has_pre:
        raise TimingRefused("ADMINISTRATION_EXISTS", "The pre-programme assessment is already recorded")


def check_post_state(*, has_pre: bool, has_post: bool, sessions_complete: bool) -> None:
    """003: the post-programme battery repeats the exercise after the sessions are complete, and compares with the
    pre-programme one, so that must exist. One per membership."""
    if has_post:
        raise TimingRefused("ADMINISTRATION_EXISTS", "The post-programme assessment is already recorded")
    if not has_pre:
        raise TimingRefused(
            "PRE_PROGRAMME_REQUIRED", "Record the pre-programme assessment before the post-programme one"
        )
    if not sessions_complete:
        raise TimingRefused(
            "SESSIONS_NOT_COMPLETE",
            "The post-programme assessment is recorded after the member's sessions are complete",
        )


def check_post_date(
    *,
    administered_on: dt.date,
    last_session: dt.date | None,
    today: dt.date,
    earliest: dt.date | None = None,
    pre_on: dt.date | None = None,
) -> None:
    """003: after the sessions are complete: on or after the last session and the pre-programme administration,
    not in the future, not before the referral."""
    _check_bounds(administered_on, earliest, today)
    if last_session is not None and administered_on < last_session:
        raise TimingRefused(
            "POST_BEFORE_LAST_SESSION",
            f"The post-programme assessment must be on or after the last session ({_long(last_session)})",
            "administered_on",
        )
    if pre_on is not None and administered_on < pre_on:
        raise TimingRefused(
            "POST_BEFORE_PRE",
            f"The post-programme assessment must be on or after the pre-programme one ({_long(pre_on)})",
            "administered_on",
        )


def check_pre_timing(
    *,
    administered_on: dt.date,
    first_session: dt.date | None,
    today: dt.date,
    earliest: dt.date | None = None,
) -> None:
    """The pre-programme date (see `check_pre_date`)."""
    check_pre_date(
        administered_on=administered_on, first_session=first_session, today=today, earliest=earliest
    )


def check_post_timing(
    *,
    administered_on: dt.date,
    has_pre: bool,
    sessions_complete: bool,
    last_session: dt.date | None,
    today: dt.date,
    earliest: dt.date | None = None,
    pre_on: dt.date | None = None,
) -> None:
    """The post-programme state, then its date."""
    check_post_state(has_pre=has_pre, has_post=False, sessions_complete=sessions_complete)
    check_post_date(
        administered_on=administered_on,
        last_session=last_session,
        today=today,
        earliest=earliest,
        pre_on=pre_on,
    )
