"""Quality assurance: the monitoring form's areas of practice and each facilitator's monitored share (issue 14).

Pure. Seeds 000 and 002: "Each programme is rated against two criteria: the quality of delivery of the programme
and the quality of treatment management. The QA process involves examination of treatment reports; viewing
recordings of sessions and examining the supervisor's records." The areas of practice below are the product's
breakdown of "quality of delivery" for the TM's monitoring form (the sources name no list); the ratings are the
usual four-point scale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# 000/002: quality of delivery, rated per area of practice on a viewed recording.
AREAS_OF_PRACTICE: dict[str, str] = {
    "programme_integrity": "Programme integrity: the session delivered as the manual sets out",
    "responsivity": "Responsivity: pitched to the members' learning styles and needs",
    "motivational_style": "Motivational style: warm, empathic, rewarding, directive",
    "group_management": "Group or session management: participation, boundaries, time",
    "skills_practice": "Skills practice and between-session work",
    "risk_focus": "Focus on risk and treatment targets",
}
RATINGS: dict[str, str] = {
    "4": "Excellent",
    "3": "Good",
    "2": "Requires improvement",
    "1": "Unsatisfactory",
}
DEFAULT_MONITORING_TARGET = 0.10  # configurable per area: the share of each facilitator's sessions monitored


@dataclass(frozen=True)
class MonitoredShare:
    delivered: int
    recorded: int
    monitored: int
    share: float | None  # monitored / delivered
    target: float
    meets_target: bool
    code: str
    reason: str


def monitored_share(*, delivered: int, recorded: int, monitored: int, target: float) -> MonitoredShare:
    """A facilitator's share of delivered sessions monitored, against the area's target, with its reason."""
    share = monitored / delivered if delivered else None
    meets = delivered == 0 or (share is not None and share >= target)
    if delivered == 0:
        code, reason = "QA_NOTHING_DELIVERED", "No sessions delivered in the period."
    elif meets:
        code, reason = (
            "QA_TARGET_MET",
            f"{monitored} of {delivered} sessions monitored: at or above the target.",
        )
    else:
        needed = _needed(delivered, target) - monitored
        code, reason = (
            "QA_BELOW_TARGET",
            f"{monitored} of {delivered} sessions monitored: {needed} more needed to reach the target.",
        )
    return MonitoredShare(
        delivered=delivered,
        recorded=recorded,
        monitored=monitored,
        share=share,
        target=target,
        meets_target=meets,
        code=code,
        reason=reason,
    )


def _needed(delivered: int, target: float) -> int:
    """The smallest number of sessions monitored that reaches `target` of `delivered` (no float rounding slip)."""
    needed = int(delivered * target)
    while needed / delivered < target - 1e-12:
        needed += 1
    return needed


def average_rating(ratings: dict[str, str]) -> float | None:
    """The mean of the numeric ratings given (areas left unrated are skipped)."""
    values = [int(v) for v in ratings.values() if v in RATINGS]
    return sum(values) / len(values) if values else None


def session_has_ended(*, date: dt.date, end: dt.time, now: dt.datetime) -> bool:
    """000/002: a recording is of a session delivered, so a session is recorded only once it has ended (its date
    and end time have passed, in local time)."""
    last_day, last_end = ended_by(now)
    return date < last_day or (date == last_day and end <= last_end)


def ended_by(now: dt.datetime) -> tuple[dt.date, dt.time]:
    """000/002: the sessions that have ended by `now` (local time) are those dated before `now`'s date, or on it
    with an end time at or before `now`'s time. The one rule behind `session_has_ended` and the facilitator's list
    of sessions to mark as recorded (review of issue 14: the list showed this evening's session before it ended)."""
    return now.date(), now.time()


def viewed_on_problem(*, viewed_on: dt.date, session_date: dt.date, today: dt.date) -> str | None:
    """000/002: the TM views a recording of a delivered session, so the monitoring date is on or after the
    session and not in the future. The reason in plain English, or None when the date can be right."""
    if viewed_on > today:
        return "The date viewed must be today or in the past"
    if viewed_on < session_date:
        return f"The date viewed must be on or after the session ({session_date:%-d %B %Y})"
    return None
