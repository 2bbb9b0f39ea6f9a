"""People on probation: details, convictions and sentences."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.permissions import (
    can_add_person,
    can_choose_offender_manager,
    can_edit_person,
    manages_caseload,
    require,
    require_person_found,
    sees_own_caseload_only,
)
from audit.services import diff, record_event
from isotp.bounds import date_of_birth_problem
from isotp.clock import today
from referrals.models import Conviction, Offence, Person, Sentence
from referrals.rules import LEGAL_BASES, OFFENCE_CATEGORIES
from referrals.rules.eligibility import contact_refused
from referrals.services.auditing import person_event
from referrals.services.validation import full_clean, not_before_birth, not_future

if TYPE_CHECKING:
    from accounts.models import User

PERSON_FIELDS = (
    "crn",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "iq",
    "learning_disability",
    "offender_manager",
)


def _check_offender_manager(actor: User, offender_manager: User | None) -> User:
    """The OM must be an active offender manager of the actor's area; an OM adds to their own caseload only."""
    if offender_manager is None:
        if sees_own_caseload_only(actor):
            return actor
        raise ValidationError({"offender_manager": ["Choose the person's offender manager"]})
    if (
        not manages_caseload(offender_manager)
        or offender_manager.area_id != actor.area_id
        or not offender_manager.is_active
    ):
        raise ValidationError({"offender_manager": ["Choose an offender manager of your probation area"]})
    return offender_manager


HELD_ELSEWHERE = (
    "A person with this CRN is held by another probation area. A CRN is unique nationally, so they cannot be "
    "added again here: ask the holding area to transfer the person to your area (a treatment manager requests it "
    "from the Transfers page)"
)


def _refuse_a_taken_crn(actor: User, crn: str, exclude: Person | None = None) -> None:
    """A CRN is national: refuse one already held, in plain words; an attempt on another area's person is
    audited in both areas (committed even though the write is refused), naming the person by public id only."""
    others = Person.objects.filter(crn=crn).select_related("area")
    holder = (others.exclude(pk=exclude.pk) if exclude is not None else others).first()
    if holder is None:
        return
    if holder.area_id == actor.area_id:
        raise ValidationError({"crn": ["A person with this CRN already exists in your area"]})
    with transaction.atomic():
        for area_id in (holder.area_id, actor.area_id):
            record_event(
                actor=actor,
                action="person.crn_held_by_another_area",
                object_type="referrals.person",
                object_id=str(holder.public_id),
                object_label=crn,
                area_id=area_id,
                changes={"holding_area": holder.area.code, "requesting_area": actor.area.code},  # type: ignore[union-attr]
            )
    raise ValidationError({"crn": [HELD_ELSEWHERE]})


def create_person(
    *,
    actor: User,
    crn: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    sex: str,
    iq: int | None = None,
    learning_disability: bool = False,
    offender_manager: User | None = None,
) -> Person:
    """OMs (onto their own caseload) and TMs (for an OM of their area): add a person on probation."""
    require(can_add_person(actor), "Only offender managers and treatment managers add people")
    offender_manager = _check_offender_manager(actor, offender_manager)
    if sees_own_caseload_only(actor) and offender_manager != actor:
        raise ValidationError({"offender_manager": ["You can only add people to your own caseload"]})
    problem = date_of_birth_problem(date_of_birth, today())
    if problem:
        raise ValidationError({"date_of_birth": [problem]})
    crn = (crn or "").strip().upper()
    _refuse_a_taken_crn(actor, crn)
    person = Person(
        crn=crn,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        sex=sex,
        iq=iq,
        learning_disability=learning_disability,
        area=actor.area,
        offender_manager=offender_manager,
        created_by=actor,
    )
    full_clean(person)
    try:
        with transaction.atomic():
            person.save()
            person_event(
                actor,
                "person.created",
                person,
                {f: getattr(person, f) for f in PERSON_FIELDS if f != "offender_manager"}
                | {"offender_manager": str(offender_manager.public_id)},
            )
    except IntegrityError:  # two people saved with the same CRN at once
        raise ValidationError({"crn": ["A person with this CRN already exists"]}) from None
    return person


def update_person(*, actor: User, person: Person, **changes: Any) -> Person:
    """The person's OM or a TM of the area: change details (PERSON_FIELDS); audited with the fields changed."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can change this",
    )
    if unknown := sorted(set(changes) - set(PERSON_FIELDS)):
        raise TypeError(f"update_person() cannot change {', '.join(unknown)}")
    if "crn" in changes:
        changes["crn"] = (changes["crn"] or "").strip().upper()
        _refuse_a_taken_crn(actor, changes["crn"], exclude=person)
    if "offender_manager" in changes:
        changes["offender_manager"] = _check_offender_manager(actor, changes["offender_manager"])
        if (
            not can_choose_offender_manager(actor)
            and changes["offender_manager"].pk != person.offender_manager_id
        ):
            # An OM may not hand a person to another caseload (and so lose or give away access): a TM does that.
            raise ValidationError(
                {"offender_manager": ["Only a treatment manager can change a person's offender manager"]}
            )
    problem = date_of_birth_problem(changes["date_of_birth"], today()) if "date_of_birth" in changes else None
    if problem:
        raise ValidationError({"date_of_birth": [problem]})
    try:
        with transaction.atomic():
            locked = Person.objects.select_for_update().get(pk=person.pk)
            changed = diff(locked, PERSON_FIELDS, changes)
            if not changed:
                return locked
            for field, value in changes.items():
                setattr(locked, field, value)
            full_clean(locked, exclude=["created_by"])  # imported or seeded people have no creator
            locked.save()
            person_event(actor, "person.updated", locked, changed)
    except IntegrityError:
        raise ValidationError({"crn": ["A person with this CRN already exists"]}) from None
    return locked


def add_conviction(
    *,
    actor: User,
    person: Person,
    offence_code: str,
    conviction_date: dt.date,
    offence_date: dt.date | None = None,
    notes: str = "",
    contact: bool | None = None,
) -> Conviction:
    """The person's OM or a TM: record a conviction for an offence of the reference table. `contact` says whether
    it involved actual or attempted contact; None takes the offence category's default (domain.md §3)."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can change this",
    )
    offence = Offence.objects.filter(code=offence_code).first()
    if offence is None:
        raise ValidationError({"offence_code": ["Choose an offence from the list"]})
    if refused := contact_refused(offence.code, offence.category, contact):
        raise ValidationError({"contact": [refused]})
    not_future("conviction_date", conviction_date, "The conviction date")
    not_future("offence_date", offence_date, "The offence date")
    not_before_birth("conviction_date", conviction_date, person.date_of_birth, "The conviction date")
    not_before_birth("offence_date", offence_date, person.date_of_birth, "The offence date")
    if offence_date is not None and offence_date > conviction_date:
        raise ValidationError({"offence_date": ["The offence date must be on or before the conviction date"]})
    conviction = Conviction(
        person=person,
        offence=offence,
        conviction_date=conviction_date,
        offence_date=offence_date,
        notes=notes,
        contact=OFFENCE_CATEGORIES[offence.category].contact if contact is None else contact,
        recorded_by=actor,
    )
    full_clean(conviction)
    with transaction.atomic():
        conviction.save()
        person_event(
            actor,
            "conviction.added",
            person,
            {
                "conviction": str(conviction.public_id),
                "offence": offence.code,
                "conviction_date": conviction_date,
                "offence_date": offence_date,
                "contact": conviction.contact,
            },
        )
    return conviction


def remove_conviction(*, actor: User, conviction: Conviction) -> None:
    """The person's OM or a TM: remove a conviction recorded in error (the audit keeps what it was)."""
    person = conviction.person
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can change this",
    )
    with transaction.atomic():
        person_event(
            actor,
            "conviction.removed",
            person,
            {
                "conviction": str(conviction.public_id),
                "offence": conviction.offence.code,
                "conviction_date": conviction.conviction_date,
            },
        )
        conviction.delete()


def record_sentence(
    *,
    actor: User,
    person: Person,
    legal_basis: str,
    programme_requirement: bool,
    start_date: dt.date,
    supervision_end_date: dt.date,
) -> Sentence:
    """The person's OM or a TM: record the order or licence (the latest one is current)."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can change this",
    )
    if legal_basis not in LEGAL_BASES:
        raise ValidationError({"legal_basis": ["Choose the type of order or licence"]})
    # A sentence starts on the day it is passed or a licence on release: an event, never in the future and never
    # before the person was born (tester of issue 12: 2099 and a start before birth were stored). Its end is planned.
    not_future("start_date", start_date, "The start date")
    not_before_birth("start_date", start_date, person.date_of_birth, "The start date")
    if supervision_end_date <= start_date:
        raise ValidationError(
            {"supervision_end_date": ["The end of supervision must be after the start date"]}
        )
    sentence = Sentence(
        person=person,
        legal_basis=legal_basis,
        programme_requirement=programme_requirement,
        start_date=start_date,
        supervision_end_date=supervision_end_date,
        recorded_by=actor,
    )
    full_clean(sentence)
    with transaction.atomic():
        sentence.save()
        person_event(
            actor,
            "sentence.recorded",
            person,
            {
                "legal_basis": legal_basis,
                "programme_requirement": programme_requirement,
                "start_date": start_date,
                "supervision_end_date": supervision_end_date,
            },
        )
    return sentence
