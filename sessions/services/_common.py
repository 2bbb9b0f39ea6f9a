"""Helpers the delivery services share: today's date, the area's calendar, slots, row locks and clash checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AreaClosure, ProbationArea, User, Venue
from isotp.errors import DomainConflict
from sessions.models import GroupSlot, GroupStatus, ScheduledSession, SessionStatus
from sessions.rules import WEEKDAYS, Booking, Schedule, Slot, find_clashes, format_date, parse_weekday

if TYPE_CHECKING:
    from sessions.rules import PlannedSession


def today() -> dt.date:
    """Today in Europe/London (the service's time zone)."""
    return timezone.localdate()


def jurisdiction_of(area: ProbationArea) -> str:
    """The `holidays` subdivision whose bank holidays the area's schedules skip (domain.md §5)."""
    return area.holiday_subdivision or area.jurisdiction


def closures_of(area: ProbationArea) -> dict[dt.date, str]:
    """The area's closure dates with their reasons (schedules skip them)."""
    return dict(AreaClosure.objects.filter(area=area).values_list("date", "reason"))


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a time: use HH:MM on the 24-hour clock, e.g. 18:00.") from None


def parse_slots(raw: Iterable[Slot | Mapping[str, Any]], *, max_slots: int) -> list[Slot]:
    """Slots from `Slot`s or `{"weekday": "monday" | 0, "start_time": "18:00" | time}`; ValidationError on `slots`."""
    slots: list[Slot] = []
    try:
        for item in raw:
            if isinstance(item, Slot):
                slots.append(item)
                continue
            weekday = item["weekday"]
            number = weekday if isinstance(weekday, int) else parse_weekday(str(weekday))
            slots.append(Slot(weekday=number, start_time=_parse_time(item["start_time"])))
    except (KeyError, TypeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else "Give each slot a weekday and a start time."
        raise ValidationError({"slots": [message]}) from None
    if not slots:
        raise ValidationError({"slots": ["Choose at least one weekly slot (a weekday and a start time)."]})
    if len(slots) > max_slots:
        times = "once a week" if max_slots == 1 else f"at most {max_slots} times a week"
        raise ValidationError(
            {"slots": [f"This programme meets {times}: choose {max_slots} slot(s) or fewer."]}
        )
    if len({s.weekday for s in slots}) != len(slots):
        raise ValidationError({"slots": ["Choose a different weekday for each slot."]})
    return sorted(slots, key=lambda s: (s.weekday, s.start_time))


def slot_label(slot: Slot) -> str:
    return f"{WEEKDAYS[slot.weekday].capitalize()} at {slot.start_time:%H:%M}"


def lock_bookables(venue: Venue, facilitators: Sequence[User]) -> None:
    """Lock the venue and facilitator rows (in id order, so two writers never deadlock) so that two schedules
    written at once cannot both pass the clash check for the same room or person (domain.md §5)."""
    Venue.objects.select_for_update().filter(pk=venue.pk).first()
    ids = sorted({f.pk for f in facilitators})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


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


def check_clashes(
    candidates: Sequence[Candidate],
    *,
    venue: Venue,
    facilitators: Sequence[User],
    exclude_group_id: int | None = None,
    exclude_plan_id: int | None = None,
) -> None:
    """Refuse (409) when any candidate overlaps a scheduled session at the same venue or with one of the same
    facilitators, naming the clashing session (domain.md §5). One query, whatever the number of candidates."""
    if not candidates:
        return
    dates = {c.date for c in candidates}
    facilitator_ids = {f.pk for f in facilitators}
    from django.db.models import Q

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
    by_ref: dict[str, ScheduledSession] = {}
    venue_bookings: list[Booking] = []
    person_bookings: dict[int, list[Booking]] = {}
    for session in existing:
        ref = str(session.public_id)
        by_ref[ref] = session
        booking = Booking(
            ref=ref, label=session_label(session), date=session.date, start=session.start, end=session.end
        )
        if session.venue_id == venue.pk:
            venue_bookings.append(booking)
        for person in session.facilitators.all():
            if person.pk in facilitator_ids:
                person_bookings.setdefault(person.pk, []).append(booking)
    names = {f.pk: f.full_name for f in facilitators}
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
            raise DomainConflict(
                f"{venue.name} is already booked for {clashes[0].label}: session {candidate.number} would "
                f"overlap it on {format_date(candidate.date)}.",
                code="VENUE_CLASH",
                clashes=[_clash(by_ref[c.ref]) for c in clashes],
            )
        for person_id in sorted(facilitator_ids):
            clashes = find_clashes(wanted, person_bookings.get(person_id, []))
            if clashes:
                raise DomainConflict(
                    f"{names[person_id]} is already delivering {clashes[0].label}: session {candidate.number} "
                    f"would overlap it on {format_date(candidate.date)}.",
                    code="FACILITATOR_CLASH",
                    clashes=[_clash(by_ref[c.ref]) for c in clashes],
                )


def _clash(session: ScheduledSession) -> dict[str, str]:
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
