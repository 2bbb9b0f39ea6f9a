"""Creating groups and previewing schedules (domain.md §5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import ProbationArea, Supervision, User, Venue
from accounts.permissions import can_manage_delivery, delivers_programmes, require, supervises_facilitators
from accounts.selectors import training_decision
from audit.services import record_event
from isotp import bounds
from isotp.clock import today as clock_today
from isotp.dates import long_date
from isotp.errors import DomainConflict
from sessions.models import Delivery, GroupFacilitator, Programme, ProgrammeGroup
from sessions.rules import Schedule, Slot, format_date, generate_schedule, session_templates
from sessions.selectors.area import closures_of, jurisdiction_of
from sessions.selectors.catalogue import programme_for_area
from sessions.services.bookings import candidates_from, check_clashes, lock_bookables, write_schedule
from sessions.services.slots import parse_slots


def schedule_for(
    programme: Programme,
    *,
    start_date: dt.date,
    slots: Sequence[Slot],
    jurisdiction: str,
    closures: Mapping[dt.date, str] | Iterable[dt.date] = (),
    sessions_per_module: Mapping[int, int] | None = None,
) -> Schedule:
    """The dated sessions of `programme` from `start_date` (pure: no reads, no writes)."""
    try:
        templates = session_templates(programme.as_entry(), sessions_per_module)
        schedule = generate_schedule(
            templates,
            start_date=start_date,
            slots=slots,
            jurisdiction=jurisdiction,
            closures=closures,
            cadence=programme.cadence,
        )
    except ValueError as exc:
        raise ValidationError({"slots": [str(exc)]}) from None
    except OverflowError:  # a start date so far ahead that the calendar runs out (e.g. year 9999)
        raise ValidationError({"start_date": ["Choose a start date in the next few years."]}) from None
    # 012: every session's date within the bounds every date keeps (a start late in 2100 runs into 2101).
    if any(bounds.date_out_of_range(planned.date) for planned in schedule.sessions):
        last = long_date(bounds.LATEST_DATE)
        raise ValidationError(
            {"start_date": [f"Choose an earlier start date: the sessions would run past {last}."]}
        )
    return schedule


def preview_schedule(
    *,
    programme: Programme,
    start_date: dt.date,
    slots: Iterable[Slot | Mapping[str, Any]],
    area: ProbationArea | None = None,
    jurisdiction: str | None = None,
    closures: Mapping[dt.date, str] | Iterable[dt.date] | None = None,
    sessions_per_module: Mapping[int, int] | None = None,
) -> Schedule:
    """The schedule a group or plan would get, without writing anything (the pages' and API's preview).

    Jurisdiction and closures default to the area's; pass them to preview for any calendar. ValidationError on
    bad slots.
    """
    parsed = parse_slots(slots, max_slots=programme.max_slots_per_week)
    if jurisdiction is None:
        if area is None:
            raise ValueError("Give an area or a jurisdiction.")
        jurisdiction = jurisdiction_of(area)
    if closures is None:
        closures = closures_of(area) if area is not None else {}
    return schedule_for(
        programme,
        start_date=start_date,
        slots=parsed,
        jurisdiction=jurisdiction,
        closures=closures,
        sessions_per_module=sessions_per_module,
    )


def reference_prefix(area: ProbationArea, programme: Programme, year: int) -> str:
    """'CHE-ISOTP-2027-': area, programme, year; a running number follows."""
    short = programme.code.upper().replace("_GROUP", "").replace("_ONE_TO_ONE", "-121").replace("_", "-")
    return f"{area.code[:3].upper()}-{short}-{year}-"


def next_reference(
    model: type[ProgrammeGroup] | Any, area: ProbationArea, programme: Programme, start: dt.date
) -> str:
    prefix = reference_prefix(area, programme, start.year)
    taken = set(
        model.objects.filter(area=area, reference__startswith=prefix).values_list("reference", flat=True)
    )
    number = 1
    while f"{prefix}{number:02d}" in taken:
        number += 1
    return f"{prefix}{number:02d}"


def check_facilitators(
    facilitators: Sequence[User], *, programme: Programme, area_id: int | None, field: str = "facilitators"
) -> None:
    """ValidationError naming each facilitator who is not in the area or not trained for the programme (000),
    and refusing fewer than the programme needs per session (domain.md §5)."""
    problems: list[str] = []
    if len({f.pk for f in facilitators}) != len(facilitators):
        problems.append("Choose each facilitator once.")
    for person in facilitators:
        if not delivers_programmes(person) or person.area_id != area_id or not person.is_active:
            problems.append(f"{person.full_name} is not a facilitator in this area.")
            continue
        decision = training_decision(person, programme.training_programme)
        if not decision.trained:
            problems.append(
                f"{person.full_name} cannot deliver {programme.name}: " + "; ".join(decision.missing) + "."
            )
    needed = programme.facilitators_per_session
    if len(facilitators) < needed:
        problems.append(
            f"{programme.name} needs {needed} facilitator{'s' if needed != 1 else ''} at every session: "
            f"choose at least {needed}."
        )
    if problems:
        raise ValidationError({field: problems})


def check_supervised(facilitators: Sequence[User], *, on: dt.date) -> None:
    """000 (domain.md §3): staff deliver "under the supervision of a Treatment Manager or designated supervisor at
    all times", so a facilitator with no current supervisor on `on` (the date the group or plan starts) cannot be
    allocated (409 FACILITATOR_UNSUPERVISED, naming each one). A supervisor whose account is deactivated
    supervises no one."""
    check_supervised_on_dates([(facilitator, on) for facilitator in facilitators])


def check_supervised_on_dates(dated: Iterable[tuple[User, dt.date]]) -> None:
    """The same rule for one-off session changes (a reschedule, a provider cancellation's replacement, a
    catch-up): each facilitator must be supervised on the date of the session they deliver, not today
    (409 FACILITATOR_UNSUPERVISED naming each one and the first date they are unsupervised). One query."""
    wanted = sorted({(f.pk, day): f for f, day in dated}.items(), key=lambda item: (item[0][1], item[0][0]))
    if not wanted:
        return
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    rows = Supervision.objects.filter(
        facilitator_id__in={pk for (pk, _day), _f in wanted}, treatment_manager__is_active=True
    ).values_list("facilitator_id", "started_on", "ended_on")
    for facilitator_id, started_on, ended_on in rows:
        periods.setdefault(facilitator_id, []).append((started_on, ended_on))
    missing: dict[int, tuple[User, dt.date]] = {}
    for (pk, day), facilitator in wanted:
        covered = any(start <= day and (end is None or end >= day) for start, end in periods.get(pk, []))
        if not covered and pk not in missing:
            missing[pk] = (facilitator, day)
    if missing:
        names = [f.full_name for f, _day in missing.values()]
        verb = "has" if len(names) == 1 else "have"
        first = min(day for _f, day in missing.values())
        raise DomainConflict(
            f"{' and '.join(names)} {verb} no current supervisor on {format_date(first)}: facilitators deliver "
            "under a treatment manager's supervision at all times. Record a supervisor first.",
            code="FACILITATOR_UNSUPERVISED",
        )


def _check_age_band(programme: Programme, age_min: int, age_max: int | None) -> None:
    if age_max is not None and age_max < age_min:
        raise ValidationError({"age_max": ["The oldest age must not be below the youngest."]})
    if age_min >= programme.min_age:
        if programme.max_age is not None and (age_max is None or age_max > programme.max_age):
            raise ValidationError(
                {"age_max": [f"{programme.name} is for people aged up to {programme.max_age}."]}
            )
        return
    band = programme.young_adult_band
    # 003: an area may form groups by age band (17-21 and 21+) when there are enough referrals.
    if band and age_min >= band["min_age"] and age_max is not None and age_max <= band["max_age"]:
        return
    allowed = f"{programme.min_age} and over"
    if band:
        allowed += f", or young adults aged {band['min_age']} to {band['max_age']}"
    raise ValidationError({"age_min": [f"{programme.name} groups are for people aged {allowed}."]})


def _check_group_input(
    *, actor: User, programme: Programme, venue: Venue, treatment_manager: User, capacity: int
) -> None:
    if programme.delivery == Delivery.ONE_TO_ONE:
        raise ValidationError(
            {"programme": [f"{programme.name} is delivered one-to-one: create a plan instead."]}
        )
    if venue.area_id != actor.area_id or not venue.active:
        raise ValidationError({"venue": ["Choose an active venue in your area."]})
    if not supervises_facilitators(treatment_manager) or treatment_manager.area_id != actor.area_id:
        raise ValidationError({"treatment_manager": ["Choose a treatment manager in your area."]})
    if not programme.group_min <= capacity <= programme.group_max:
        raise ValidationError(
            {
                "capacity": [
                    f"{programme.name} groups take {programme.group_min} to {programme.group_max} people: enter a "
                    f"capacity in that range."
                ]
            }
        )


@transaction.atomic
def create_group(
    *,
    actor: User,
    programme_code: str,
    venue: Venue,
    treatment_manager: User,
    facilitators: Sequence[User],
    slots: Iterable[Slot | Mapping[str, Any]],
    start_date: dt.date,
    capacity: int,
    age_min: int | None = None,
    age_max: int | None = None,
    name: str = "",
) -> ProgrammeGroup:
    """Treatment managers: create a group and generate its sessions (domain.md §5).

    Refuses (400) an unknown programme, a venue or TM outside the area, a capacity outside the programme's sizes,
    an age band the programme does not allow, untrained facilitators (naming what is missing) and too few of them;
    refuses (409) a venue or facilitator clash, naming the clashing session. Locks the venue and facilitator rows
    so two groups written at once cannot take the same room or person. Audited. The start date must not be in
    the past. Facilitators must be supervised on the group's start date (FACILITATOR_UNSUPERVISED).
    """
    require(can_manage_delivery(actor), "Only treatment managers create groups")
    if start_date < clock_today():
        raise ValidationError({"start_date": ["The start date must be today or in the future."]})
    area = actor.area
    assert area is not None
    programme = programme_for_area(area, programme_code, on=start_date)
    if programme is None:
        raise ValidationError({"programme": ["Choose a programme this area offers."]})
    _check_group_input(
        actor=actor, programme=programme, venue=venue, treatment_manager=treatment_manager, capacity=capacity
    )
    band_min = programme.min_age if age_min is None else age_min
    band_max = programme.max_age if age_min is None and age_max is None else age_max
    _check_age_band(programme, band_min, band_max)
    people = list(facilitators)
    check_facilitators(people, programme=programme, area_id=actor.area_id)
    check_supervised(people, on=start_date)
    parsed = parse_slots(slots, max_slots=programme.max_slots_per_week)
    schedule = schedule_for(
        programme,
        start_date=start_date,
        slots=parsed,
        jurisdiction=jurisdiction_of(area),
        closures=closures_of(area),
    )
    lock_bookables(venue, people)
    check_clashes(candidates_from(schedule.sessions), venue=venue, facilitators=people)
    try:
        with transaction.atomic():
            group = ProgrammeGroup.objects.create(
                area=area,
                programme=programme,
                reference=next_reference(ProgrammeGroup, area, programme, start_date),
                name=name.strip(),
                venue=venue,
                treatment_manager=treatment_manager,
                capacity=capacity,
                group_max=programme.group_max,
                age_min=band_min,
                age_max=band_max,
                start_date=schedule.sessions[0].date if schedule.sessions else start_date,
                created_by=actor,
            )
    except IntegrityError:
        raise DomainConflict(
            "Another group took the same reference at the same moment: try again.", code="REFERENCE_TAKEN"
        ) from None
    GroupFacilitator.objects.bulk_create([GroupFacilitator(group=group, facilitator=f) for f in people])
    sessions = write_schedule(
        owner={"group": group}, slots=parsed, schedule=schedule, venue=venue, facilitators=people
    )
    record_event(
        actor=actor,
        action="group.created",
        obj=group,
        object_label=group.reference,
        changes={
            "programme": f"{programme.code} v{programme.version}",
            "venue": venue.name,
            "treatment_manager": str(treatment_manager.public_id),
            "facilitators": [str(f.public_id) for f in people],
            "slots": [s.label() for s in parsed],
            "start_date": group.start_date,
            "capacity": capacity,
            "age_min": band_min,
            "age_max": band_max,
            "sessions": len(sessions),
            "skipped": [f"{d.date.isoformat()}: {d.reason}" for d in schedule.skipped],
        },
    )
    return group
