"""Moving sessions: rescheduling (optionally cascading) and provider cancellations (domain.md §5, §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import ProbationArea, User
from accounts.permissions import can_manage_delivery, require, require_in_area
from audit.services import record_event
from isotp.clock import today
from isotp.errors import DomainConflict
from sessions.models import OneToOnePlan, ProgrammeGroup, ScheduledSession, SessionStatus
from sessions.rules import ExistingSession, Move, ScheduleError, Slot, provider_cancellation, reschedule
from sessions.selectors.area import closures_of, jurisdiction_of
from sessions.services.bookings import Candidate, check_clashes, lock_in_order
from sessions.services.groups import check_supervised_on_dates


@dataclass
class _Owner:
    """The group or plan a session belongs to, locked, with what the rules need to move its sessions."""

    obj: Any
    area: ProbationArea
    slots: list[Slot]
    cadence: str
    sessions: dict[int, ScheduledSession]  # live sessions by number
    exclude: dict[str, int]


def _lock_owner(session: ScheduledSession) -> _Owner:
    """Lock the session's group (or plan) row: one writer moves its sessions at a time."""
    if session.group_id is not None:
        obj: Any = (
            ProgrammeGroup.objects.select_for_update(of=("self",))
            .select_related("area", "programme")
            .get(pk=session.group_id)
        )
        live = ScheduledSession.objects.filter(group=obj)
        exclude = {"exclude_group_id": obj.pk}
    else:
        assert session.plan_id is not None  # a session belongs to a group or a plan (database check)
        obj = (
            OneToOnePlan.objects.select_for_update(of=("self",))
            .select_related("area", "programme")
            .get(id=session.plan_id)
        )
        live = ScheduledSession.objects.filter(plan=obj)
        exclude = {"exclude_plan_id": obj.pk}
    if obj.status == "cancelled":
        raise DomainConflict(
            f"{obj.reference} is cancelled: its sessions no longer move.", code="OWNER_CANCELLED"
        )
    if obj.status == "completed":
        raise DomainConflict(
            f"{obj.reference} is completed: its sessions no longer move.", code="OWNER_COMPLETED"
        )
    sessions = {
        s.number: s
        for s in live.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .select_related("venue")
        .prefetch_related("facilitators")
    }
    slots = [Slot(weekday=s.weekday, start_time=s.start_time) for s in obj.slots.all()]
    return _Owner(
        obj=obj, area=obj.area, slots=slots, cadence=obj.programme.cadence, sessions=sessions, exclude=exclude
    )


def _still_scheduled(owner: _Owner, session: ScheduledSession) -> bool:
    """Whether `session` is, as read under the owner's lock, still the live and scheduled row with its number.

    The caller's copy may be stale: another request may have cancelled it (a replacement row now holds its
    number) or recorded attendance at it since it was read. Judging by the stale copy would cancel or move the
    replacement, or a delivered session, which nobody asked for.
    """
    current = owner.sessions.get(session.number)
    return current is not None and current.pk == session.pk and current.status == SessionStatus.SCHEDULED


def _existing(owner: _Owner) -> list[ExistingSession]:
    return [
        ExistingSession(number=s.number, date=s.date, start=s.start, end=s.end)
        for s in owner.sessions.values()
    ]


def _check_move_clashes(owner: _Owner, moves: list[Move]) -> None:
    """Check each moved session against everyone else's bookings, per venue and facilitators."""
    by_key: dict[tuple[int, tuple[int, ...]], list[Candidate]] = {}
    people: dict[int, User] = {}
    venues: dict[int, Any] = {}
    for move in moves:
        session = owner.sessions[move.number]
        staff = list(session.facilitators.all())
        people.update({p.pk: p for p in staff})
        venues[session.venue_id] = session.venue
        key = (session.venue_id, tuple(sorted(p.pk for p in staff)))
        by_key.setdefault(key, []).append(Candidate(move.number, move.new_date, move.start, move.end))
    # Issue 7: the moved sessions, every venue and every facilitator, in one fixed order (never venue by venue).
    lock_in_order(
        sessions=[owner.sessions[m.number] for m in moves],
        venues=venues.values(),
        facilitators=people.values(),
    )
    for (venue_id, staff_ids), candidates in by_key.items():
        check_clashes(
            candidates, venue=venues[venue_id], facilitators=[people[i] for i in staff_ids], **owner.exclude
        )


def _check_move_supervision(owner: _Owner, moves: list[Move]) -> None:
    """Issue 7: each moved session's facilitators must be supervised on its NEW date, not today
    (409 FACILITATOR_UNSUPERVISED)."""
    check_supervised_on_dates(
        (person, move.new_date) for move in moves for person in owner.sessions[move.number].facilitators.all()
    )


def _apply(owner: _Owner, moves: list[Move]) -> list[ScheduledSession]:
    moved = []
    for move in moves:
        session = owner.sessions[move.number]
        planned = session.moved_from or move.old_date
        session.moved_from = None if move.new_date == planned else planned
        session.date, session.start, session.end = move.new_date, move.start, move.end
        moved.append(session)
    ScheduledSession.objects.bulk_update(moved, ["date", "start", "end", "moved_from"])
    return moved


def _moves_log(moves: list[Move]) -> list[dict[str, str]]:
    return [
        {
            "number": str(m.number),
            "from": m.old_date.isoformat(),
            "to": m.new_date.isoformat(),
            "start": f"{m.start:%H:%M}",
        }
        for m in moves
    ]


@transaction.atomic
def reschedule_session(
    *,
    actor: User,
    session: ScheduledSession,
    new_date: dt.date,
    new_start: dt.time | None = None,
    cascade: bool,
) -> list[ScheduledSession]:
    """Treatment managers: move one session, and with `cascade` every later one onto the next free slot dates.

    Past sessions never move; bank holidays and closures are refused; a venue or facilitator clash is refused
    naming the clashing session (409); a facilitator unsupervised on a moved session's new date is refused
    (409 FACILITATOR_UNSUPERVISED). Locks the group (or plan). Returns the sessions that moved. Audited.
    """
    require_in_area(actor, session)
    require(can_manage_delivery(actor), "Only treatment managers reschedule sessions")
    owner = _lock_owner(session)
    if not _still_scheduled(owner, session):
        raise DomainConflict("Only a scheduled session can be moved.", code="SESSION_NOT_SCHEDULED")
    try:
        moves = reschedule(
            _existing(owner),
            session_number=session.number,
            new_date=new_date,
            new_start=new_start,
            cascade=cascade,
            today=today(),
            slots=owner.slots,
            jurisdiction=jurisdiction_of(owner.area),
            closures=closures_of(owner.area),
            cadence=owner.cadence,
        )
    except ScheduleError as exc:
        raise DomainConflict(exc.message, code=exc.code) from None
    except ValueError as exc:
        raise DomainConflict(str(exc), code="INVALID_RESCHEDULE") from None
    except OverflowError:  # a date so far ahead that the calendar runs out (e.g. year 9999)
        raise ValidationError({"new_date": ["Choose a date in the next few years."]}) from None
    _check_move_clashes(owner, moves)
    _check_move_supervision(owner, moves)
    moved = _apply(owner, moves)
    record_event(
        actor=actor,
        action="session.rescheduled",
        obj=owner.obj,
        object_label=owner.obj.reference,
        changes={"session": session.number, "cascade": cascade, "moves": _moves_log(moves)},
    )
    return moved


@transaction.atomic
def cancel_session_by_provider(
    *, actor: User, session: ScheduledSession, reason: str = ""
) -> ScheduledSession:
    """Treatment managers: the provider cancels a session; it is rescheduled for everyone (domain.md §6).

    The cancelled row stays (status `cancelled_by_provider`) and a new row with the same number takes the next
    free slot date; every later session moves on in order. Past sessions never move. Returns the new session.
    Locks the group (or plan). Audited.
    """
    require_in_area(actor, session)
    require(can_manage_delivery(actor), "Only treatment managers cancel sessions")
    owner = _lock_owner(session)
    if not _still_scheduled(owner, session):
        raise DomainConflict("Only a scheduled session can be cancelled.", code="SESSION_NOT_SCHEDULED")
    try:
        moves = provider_cancellation(
            _existing(owner),
            session_number=session.number,
            today=today(),
            slots=owner.slots,
            jurisdiction=jurisdiction_of(owner.area),
            closures=closures_of(owner.area),
            cadence=owner.cadence,
        )
    except ScheduleError as exc:
        raise DomainConflict(exc.message, code=exc.code) from None
    _check_move_clashes(owner, moves)
    _check_move_supervision(owner, moves)
    original = owner.sessions[session.number]
    staff = list(original.facilitators.all())
    target = next(m for m in moves if m.number == session.number)
    ScheduledSession.objects.filter(pk=original.pk).update(status=SessionStatus.CANCELLED_BY_PROVIDER)
    replacement = ScheduledSession.objects.create(
        group_id=original.group_id,
        plan_id=original.plan_id,
        delivery_area_id=original.delivery_area_id,
        number=original.number,
        module=original.module,
        module_title=original.module_title,
        block=original.block,
        date=target.new_date,
        start=target.start,
        end=target.end,
        venue=original.venue,
        moved_from=original.moved_from or original.date,
    )
    replacement.facilitators.set(staff)
    _apply(owner, [m for m in moves if m.number != session.number])
    record_event(
        actor=actor,
        action="session.cancelled_by_provider",
        obj=owner.obj,
        object_label=owner.obj.reference,
        reason=reason,
        changes={"session": session.number, "moves": _moves_log(moves)},
    )
    return replacement
