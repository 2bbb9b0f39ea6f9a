"""Consequences of a schedule change that nobody was told about (issue 13): whose supervision ends before the
group's (or plan's) last session would, and which scheduled sessions fall on one of the area's closure dates.

Reads only; the previews and the group page show them before and after a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import AreaClosure
from referrals.candidates import current_sentence
from referrals.models import Sentence
from sessions.models import (
    Membership,
    MembershipStatus,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import Move
from sessions.selectors.schedule import _owner_filter


@dataclass(frozen=True)
class Overrun:
    """A member whose supervision ends before the last session."""

    name: str
    crn: str
    supervision_end: dt.date
    last_session: dt.date


@dataclass(frozen=True)
class ClosureHit:
    """A scheduled session on a closure date (the closure was added after the schedule was made)."""

    number: int
    date: dt.date
    reason: str


def _live(
    owner: ProgrammeGroup | OneToOnePlan, sessions: Iterable[ScheduledSession] | None = None
) -> list[ScheduledSession]:
    """The owner's sessions not cancelled by the provider, by date: from `sessions` when the caller has already
    loaded every session of the owner in that order (the group page has), else one query."""
    if sessions is not None:
        return [s for s in sessions if s.status != SessionStatus.CANCELLED_BY_PROVIDER]
    return list(
        ScheduledSession.objects.filter(**_owner_filter(owner))
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .order_by("date", "start", "number")
    )


def supervision_overruns(
    owner: ProgrammeGroup | OneToOnePlan,
    moves: Iterable[Move] = (),
    *,
    sessions: Iterable[ScheduledSession] | None = None,
) -> list[Overrun]:
    """The active members whose supervision (latest sentence) ends before the last session would be held, once
    `moves` are applied (none: as scheduled now). One query for the sessions (none when `sessions`, every session
    of the owner by date, is given), one for the members and sentences."""
    dates = {s.number: s.date for s in _live(owner, sessions)}
    for move in moves:
        dates[move.number] = move.new_date
    if not dates:
        return []
    last = max(dates.values())
    members = (
        Membership.objects.filter(**_owner_filter(owner), status=MembershipStatus.ACTIVE)
        .select_related("referral__person")
        .prefetch_related(Prefetch("referral__person__sentences", queryset=Sentence.objects.order_by("pk")))
    )
    found = []
    for membership in members:
        person = membership.referral.person
        sentence = current_sentence(person)
        if sentence is not None and sentence.supervision_end_date < last:
            found.append(Overrun(person.full_name, person.crn, sentence.supervision_end_date, last))
    return sorted(found, key=lambda o: (o.supervision_end, o.name))


def closure_hits(
    owner: ProgrammeGroup | OneToOnePlan,
    today: dt.date,
    *,
    sessions: Iterable[ScheduledSession] | None = None,
) -> list[ClosureHit]:
    """Sessions still to come that fall on one of the area's closure dates. Two queries (one when `sessions`,
    every session of the owner by date, is given)."""
    sessions = [s for s in _live(owner, sessions) if s.date >= today and s.status == SessionStatus.SCHEDULED]
    if not sessions:
        return []
    closures = dict(
        AreaClosure.objects.filter(area_id=owner.area_id, date__in=[s.date for s in sessions]).values_list(
            "date", "reason"
        )
    )
    return [ClosureHit(s.number, s.date, closures[s.date]) for s in sessions if s.date in closures]
