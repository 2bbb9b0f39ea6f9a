"""Bookings and clash checks: locking venues and facilitators, finding clashes, writing a schedule's sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from accounts.models import User, Venue
from isotp.errors import DomainConflict
from sessions.models import CatchUp, GroupSlot, GroupStatus, ScheduledSession, SessionStatus
from sessions.rules import Booking, Schedule, Slot, find_clashes, format_date

if TYPE_CHECKING:
    from sessions.rules import PlannedSession


def lock_in_order(
    *,
    sessions: Iterable[ScheduledSession] = (),
    venues: Iterable[Venue] = (),
    facilitators: Iterable[User] = (),
) -> None:
    """Lock sessions, then venues, then facilitators, each in id order: the one fixed order every writer uses
    (issue 7), so two writers (a reschedule, a new group, a plan) can wait on each other but never deadlock, and
    two schedules written at once cannot both pass the clash check for the same room or person (domain.md §5).
    The caller has locked the group or plan first."""
    session_ids = sorted({s.pk for s in sessions})
    if session_ids:
        list(
            ScheduledSession.objects.select_for_update(of=("self",))
            .filter(pk__in=session_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    venue_ids = sorted({v.pk for v in venues})
    if venue_ids:
        list(
            Venue.objects.select_for_update()
            .filter(pk__in=venue_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    ids = sorted({f.pk for f in facilitators})
    if ids:
        list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def lock_bookables(venue: Venue, facilitators: Sequence[User]) -> None:
    """Lock the venue and facilitator rows in the fixed order of `lock_in_order`."""
    lock_in_order(venues=[venue], facilitators=facilitators)


def session_label(session: ScheduledSession) -> str:
    """'session 3 of CHE-ISOTP-2027-01 on Monday 4 January 2027, 18:00 to 20:00' (no personal data)."""
    owner = session.group.reference if session.group is not None else session.plan.reference  # type: ignore[union-attr]
    return (
        f"session {session.number} of {owner} on {format_date(session.date)}, "
        f"{session.start:%H:%M} to {session.end:%H:%M}"
    )


@dataclass(frozen=True)
class Candidate:
    """A date and time a schedule wants to use; `number` says which of the new sessions it is."""

    number: int
    date: dt.date
    start: dt.time
    end: dt.time


def candidates_from(planned: Iterable[PlannedSession]) -> list[Candidate]:
    return [Candidate(p.number, p.date, p.start, p.end) for p in planned]


@dataclass
class _Taken:
    """What is already booked on the candidates' dates: the venue's bookings and each facilitator's."""

    sessions: dict[str, ScheduledSession]  # by public id, to name a clashing session
    venue: list[Booking]
    people: dict[int, list[Booking]]

    def add(self, booking: Booking, *, at_venue: bool, people: Iterable[int]) -> None:
        if at_venue:
            self.venue.append(booking)
        for person_id in people:
            self.people.setdefault(person_id, []).append(booking)


def _taken(
    dates: set[dt.date],
    *,
    venue: Venue,
    facilitator_ids: set[int],
    exclude_group_id: int | None,
    exclude_plan_id: int | None,
) -> _Taken:
    existing = (
        # A delivered session still took the room and the people: only a provider cancellation frees them.
        ScheduledSession.objects.filter(date__in=dates)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .filter(Q(venue=venue) | Q(facilitators__in=facilitator_ids))
        .exclude(group__status=GroupStatus.CANCELLED)
        .exclude(plan__status="cancelled")
        .select_related("group", "plan", "venue")
        .prefetch_related("facilitators")
        .distinct()
    )
    if exclude_group_id is not None:
        existing = existing.exclude(group_id=exclude_group_id)
    if exclude_plan_id is not None:
        existing = existing.exclude(plan_id=exclude_plan_id)
    taken = _Taken(sessions={}, venue=[], people={})
    for session in existing:
        ref = str(session.public_id)
        taken.sessions[ref] = session
        taken.add(
            Booking(
                ref=ref, label=session_label(session), date=session.date, start=session.start, end=session.end
            ),
            at_venue=session.venue_id == venue.pk,
            people=[p.pk for p in session.facilitators.all() if p.pk in facilitator_ids],
        )
    for booking, venue_id, person_id in _catch_up_bookings(
        dates, venue=venue, facilitator_ids=facilitator_ids
    ):
        taken.add(
            booking,
            at_venue=venue_id == venue.pk,
            people=[person_id] if person_id in facilitator_ids else [],
        )
    return taken


def check_clashes(
    candidates: Sequence[Candidate],
    *,
    venue: Venue,
    facilitators: Sequence[User],
    exclude_group_id: int | None = None,
    exclude_plan_id: int | None = None,
) -> None:
    """Refuse (409) when any candidate overlaps a scheduled session at the same venue or with one of the same
    facilitators, or a timed catch-up with either (§6), naming the clash (domain.md §5). Two queries, whatever the
    number of candidates."""
    if not candidates:
        return
    facilitator_ids = {f.pk for f in facilitators}
    taken = _taken(
        {c.date for c in candidates},
        venue=venue,
        facilitator_ids=facilitator_ids,
        exclude_group_id=exclude_group_id,
        exclude_plan_id=exclude_plan_id,
    )
    names = {f.pk: f.full_name for f in facilitators}
    found = _all_clashes(
        candidates,
        venue_pk=venue.pk,
        venue_bookings=taken.venue,
        person_bookings={p: b for p, b in taken.people.items() if p in facilitator_ids},
    )
    if found:
        _refuse(found, venue=venue, names=names, by_ref=taken.sessions)


def _all_clashes(
    candidates: Sequence[Candidate],
    *,
    venue_pk: int,
    venue_bookings: list[Booking],
    person_bookings: dict[int, list[Booking]],
) -> dict[tuple[str, int], list[tuple[Candidate, list[Booking]]]]:
    """Issue 13: every clash at once, keyed by room or person (not one per submit), in date order."""
    found: dict[tuple[str, int], list[tuple[Candidate, list[Booking]]]] = {}
    for candidate in sorted(candidates, key=lambda c: (c.date, c.start)):
        wanted = Booking(
            ref="new",
            label=f"session {candidate.number}",
            date=candidate.date,
            start=candidate.start,
            end=candidate.end,
        )
        clashes = find_clashes(wanted, venue_bookings)
        if clashes:
            found.setdefault(("venue", venue_pk), []).append((candidate, clashes))
        for person_id in sorted(person_bookings):
            clashes = find_clashes(wanted, person_bookings[person_id])
            if clashes:
                found.setdefault(("person", person_id), []).append((candidate, clashes))
    return found


def _refuse(
    found: dict[tuple[str, int], list[tuple[Candidate, list[Booking]]]],
    *,
    venue: Venue,
    names: dict[int, str],
    by_ref: dict[str, ScheduledSession],
) -> None:
    """One refusal naming every room or person that clashes, with the first clash of each and how many more."""
    lines = []
    for (kind, key), hits in found.items():
        candidate, clashes = hits[0]
        more = f" (and {len(hits) - 1} more session{'s' if len(hits) != 2 else ''})" if len(hits) > 1 else ""
        if kind == "venue":
            lines.append(
                f"{venue.name} is already booked for {clashes[0].label}: session {candidate.number} would "
                f"overlap it on {format_date(candidate.date)}{more}."
            )
        else:
            lines.append(
                f"{names[key]} is already delivering {clashes[0].label}: session {candidate.number} "
                f"would overlap it on {format_date(candidate.date)}{more}."
            )
    raise DomainConflict(
        " ".join(lines),
        code="VENUE_CLASH" if ("venue", venue.pk) in found else "FACILITATOR_CLASH",
        clashes=[
            _clash(by_ref, booking)
            for booking in {c.ref: c for hits in found.values() for _cand, cs in hits for c in cs}.values()
        ],
    )


def _catch_up_bookings(
    dates: set[dt.date], *, venue: Venue, facilitator_ids: set[int]
) -> list[tuple[Booking, int | None, int]]:
    """Timed catch-ups on those dates with the venue or one of the facilitators (domain.md §6: a catch-up is an
    individual session with its date, time, facilitator and venue): a session may not overlap them either. Each
    with its venue and facilitator ids. A cancelled catch-up, or one of a session the provider cancelled, is not
    held (as in the facilitator's calendar)."""
    rows = (
        CatchUp.objects.filter(
            date__in=dates, start__isnull=False, end__isnull=False, cancelled_at__isnull=True
        )
        .filter(Q(venue=venue) | Q(facilitator_id__in=facilitator_ids))
        .exclude(missed_session__status=SessionStatus.CANCELLED_BY_PROVIDER)
        .values_list("public_id", "date", "start", "end", "venue_id", "facilitator_id")
    )
    return [
        (
            Booking(
                ref=f"catch-up:{public_id}",
                label=catch_up_label(date, start, end),
                date=date,
                start=start,
                end=end,
            ),
            venue_id,
            facilitator_id,
        )
        for public_id, date, start, end, venue_id, facilitator_id in rows
        if start is not None and end is not None  # filtered above; said again for the type checker
    ]


def catch_up_label(date: dt.date, start: dt.time, end: dt.time) -> str:
    """'a catch-up on Wednesday 20 January 2027, 17:00 to 19:00' (no personal data), for clash messages."""
    return f"a catch-up on {format_date(date)}, {start:%H:%M} to {end:%H:%M}"


def _clash(by_ref: dict[str, ScheduledSession], booking: Booking) -> dict[str, str]:
    """A clash as the API names it: `{"session", "label"}` for a session, `{"catch_up", "label"}` for a catch-up."""
    session = by_ref.get(booking.ref)
    if session is None:
        return {"catch_up": booking.ref.removeprefix("catch-up:"), "label": booking.label}
    return {"session": str(session.public_id), "label": session_label(session)}


def write_schedule(
    *,
    owner: dict[str, Any],
    slots: Sequence[Slot],
    schedule: Schedule,
    venue: Venue,
    facilitators: Sequence[User],
) -> list[ScheduledSession]:
    """Store a group's or plan's weekly slots, its generated sessions and who delivers each (callers hold the
    transaction). `owner` is `{"group": group}` or `{"plan": plan}`."""
    GroupSlot.objects.bulk_create(
        [GroupSlot(**owner, weekday=s.weekday, start_time=s.start_time) for s in slots]
    )
    sessions = ScheduledSession.objects.bulk_create(
        [
            ScheduledSession(
                **owner,
                number=p.number,
                module=p.module,
                module_title=p.module_title,
                block=p.block,
                date=p.date,
                start=p.start,
                end=p.end,
                venue=venue,
            )
            for p in schedule.sessions
        ]
    )
    through = ScheduledSession.facilitators.through
    through.objects.bulk_create(
        [through(scheduledsession_id=s.pk, user_id=f.pk) for s in sessions for f in facilitators]
    )
    return sessions
