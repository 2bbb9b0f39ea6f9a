"""Bookings and clash checks: locking venues and facilitators, finding clashes, writing a schedule's sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from accounts.models import User, Venue
from isotp.errors import DomainConflict
from sessions.models import (
    CatchUp,
    GroupSlot,
    GroupStatus,
    ScheduledSession,
    SessionFacilitator,
    SessionStatus,
)
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
    """What is already booked on the candidates' dates: each venue's bookings and each facilitator's."""

    sessions: dict[str, ScheduledSession]  # by public id, to name a clashing session
    venues: dict[int, list[Booking]]
    people: dict[int, list[Booking]]

    def add(self, booking: Booking, *, venue_id: int | None, people: Iterable[int]) -> None:
        if venue_id is not None:
            self.venues.setdefault(venue_id, []).append(booking)
        for person_id in people:
            self.people.setdefault(person_id, []).append(booking)


def _taken(
    dates: set[dt.date],
    *,
    venue_ids: set[int],
    facilitator_ids: set[int],
    exclude_group_id: int | None,
    exclude_plan_id: int | None,
) -> _Taken:
    """The bookings of any of `venue_ids` and `facilitator_ids` on `dates`: two queries, whatever the number of
    venues, people or dates (the question pages ask it for every venue and facilitator offered at once)."""
    existing = (
        # A delivered session still took the room and the people: only a provider cancellation frees them.
        ScheduledSession.objects.filter(date__in=dates)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .filter(Q(venue_id__in=venue_ids) | Q(facilitators__in=facilitator_ids))
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
    taken = _Taken(sessions={}, venues={}, people={})
    for session in existing:
        ref = str(session.public_id)
        taken.sessions[ref] = session
        taken.add(
            Booking(
                ref=ref, label=session_label(session), date=session.date, start=session.start, end=session.end
            ),
            venue_id=session.venue_id if session.venue_id in venue_ids else None,
            people=[p.pk for p in session.facilitators.all() if p.pk in facilitator_ids],
        )
    for booking, venue_id, person_id in _catch_up_bookings(
        dates, venue_ids=venue_ids, facilitator_ids=facilitator_ids
    ):
        taken.add(
            booking,
            venue_id=venue_id if venue_id in venue_ids else None,
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
        venue_ids={venue.pk},
        facilitator_ids=facilitator_ids,
        exclude_group_id=exclude_group_id,
        exclude_plan_id=exclude_plan_id,
    )
    names = {f.pk: f.full_name for f in facilitators}
    found = _all_clashes(
        candidates,
        venue_pk=venue.pk,
        venue_bookings=taken.venues.get(venue.pk, []),
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


@dataclass(frozen=True)
class Busy:
    """How a venue or facilitator is already booked against a proposed schedule: how many of its sessions would
    clash, and the first clash (the new session's number and date, and what is booked then)."""

    clashing: int
    number: int
    date: dt.date
    booked: str


def availability(
    candidates: Sequence[Candidate],
    *,
    venue_ids: Iterable[int],
    facilitator_ids: Iterable[int],
    exclude_group_id: int | None = None,
    exclude_plan_id: int | None = None,
) -> dict[tuple[str, int], Busy]:
    """Issue 13: who and what is busy for a proposed schedule, before anything is chosen: `("venue", id)` and
    `("person", id)` keys for each one with at least one clash (the rest are free). The same bookings and overlap
    rule as `check_clashes`, so a choice shown free is not refused for a clash later. Two queries. Reads only."""
    venues, people = set(venue_ids), set(facilitator_ids)
    if not candidates or not (venues or people):
        return {}
    taken = _taken(
        {c.date for c in candidates},
        venue_ids=venues,
        facilitator_ids=people,
        exclude_group_id=exclude_group_id,
        exclude_plan_id=exclude_plan_id,
    )
    busy: dict[tuple[str, int], Busy] = {}
    keyed = [(("venue", v), taken.venues.get(v, [])) for v in sorted(venues)]
    keyed += [(("person", p), taken.people.get(p, [])) for p in sorted(people)]
    for key, bookings in keyed:
        if not bookings:
            continue
        hits = []
        for candidate in sorted(candidates, key=lambda c: (c.date, c.start)):
            wanted = Booking(
                ref="new", label="", date=candidate.date, start=candidate.start, end=candidate.end
            )
            clashes = find_clashes(wanted, bookings)
            if clashes:
                hits.append((candidate, clashes[0]))
        if hits:
            first, booking = hits[0]
            busy[key] = Busy(len(hits), first.number, first.date, booking.label)
    return busy


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
    dates: set[dt.date], *, venue_ids: set[int], facilitator_ids: set[int]
) -> list[tuple[Booking, int | None, int]]:
    """Timed catch-ups on those dates with the venue or one of the facilitators (domain.md §6: a catch-up is an
    individual session with its date, time, facilitator and venue): a session may not overlap them either. Each
    with its venue and facilitator ids. A cancelled catch-up, or one of a session the provider cancelled, is not
    held (as in the facilitator's calendar)."""
    rows = (
        CatchUp.objects.filter(
            date__in=dates, start__isnull=False, end__isnull=False, cancelled_at__isnull=True
        )
        .filter(Q(venue_id__in=venue_ids) | Q(facilitator_id__in=facilitator_ids))
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
    (owner_row,) = owner.values()
    sessions = ScheduledSession.objects.bulk_create(
        [
            ScheduledSession(
                **owner,
                delivery_area_id=owner_row.area_id,  # bulk_create calls no save(): the area is set here
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
    # The links' copy of each session's date and status is filled by the database (migration 0014).
    SessionFacilitator.objects.bulk_create(
        [SessionFacilitator(scheduledsession_id=s.pk, user_id=f.pk) for s in sessions for f in facilitators]
    )
    return sessions
