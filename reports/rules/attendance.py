"""The attendance facts a report states (domain.md §6, §8): sessions attended, catch-ups, absences with outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

ATTENDED = frozenset({"attended", "late"})  # domain.md §6: `late` counts as attended
MISSED = frozenset({"acceptable_absence", "unacceptable_absence", "sent_home"})


@dataclass(frozen=True)
class SessionRecord:
    number: int
    date: dt.date
    outcome: str  # an attendance outcome, or "catch_up" for an attended catch-up of a missed session
    caught_up_on: dt.date | None = None


@dataclass(frozen=True)
class AttendanceFacts:
    sessions_delivered: int
    attended: int
    missed: int
    caught_up: int
    absences: tuple[SessionRecord, ...] = field(default=())

    @property
    def completed(self) -> int:
        """Sessions completed: attended in the group plus those completed by catch-up (003)."""
        return self.attended + self.caught_up


def summarise_attendance(records: Iterable[SessionRecord]) -> AttendanceFacts:
    """Count a member's record: every missed session is listed with its date and outcome (domain.md §8)."""
    rows = sorted(records, key=lambda r: (r.date, r.number))
    attended = sum(1 for r in rows if r.outcome in ATTENDED)
    absences = tuple(r for r in rows if r.outcome in MISSED)
    caught_up = sum(1 for r in absences if r.caught_up_on is not None)
    return AttendanceFacts(
        sessions_delivered=len(rows),
        attended=attended,
        missed=len(absences),
        caught_up=caught_up,
        absences=absences,
    )


def before_leaving(
    date: dt.date,
    start: dt.time,
    *,
    left_on: dt.date | None,
    left_at: dt.datetime | None = None,
    recorded: bool = False,
) -> bool:
    """Whether a session took place while the member was still in the group (issue 10: an exit report counts only
    the sessions before the leaving point). `left_at` is the local (Europe/London) moment the membership ended,
    when known: a session later on the leaving day is after it. Without that moment, a session on the leaving day
    counts only when the register records him at it."""
    if left_on is None or date < left_on:
        return True
    if date > left_on:
        return False
    if left_at is not None and left_at.date() == left_on:
        return start < left_at.time()
    return recorded


def last_attended(records: Iterable[SessionRecord]) -> dt.date | None:
    """The last day the member attended a session or a catch-up: the completion date (issue 10), taken from the
    records so that it never moves when a report is amended or issued later."""
    rows = list(records)
    days = [r.date for r in rows if r.outcome in ATTENDED]
    days += [r.caught_up_on for r in rows if r.caught_up_on is not None]
    return max(days, default=None)
