"""Every write to people, their risk and their referrals.

Each service takes keyword arguments with the acting user first, checks the role (an OM only for their own
caseload; only TMs assess), validates into a Django `ValidationError` keyed by field (400 / form errors), runs in
one `transaction.atomic` block and writes its audit event in the same transaction, so a failure leaves nothing
half-saved. State changes lock the referral row (`select_for_update`) and ask `referrals.rules.check_transition`;
an illegal move raises `DomainConflict(code="ILLEGAL_TRANSITION", allowed=[...])` (409).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import (
    can_add_person,
    can_assess,
    can_change_referral_status,
    can_edit_person,
    can_edit_referral,
    can_record_deviance,
    can_refer,
)
from audit.services import diff, record_event
from isotp.errors import DomainConflict
from referrals.decisions import decision_for
from referrals.models import (
    AssessmentDecision,
    AssessmentOutcome,
    Conviction,
    DevianceAssessment,
    EligibilityConfiguration,
    Format,
    Offence,
    Person,
    Programme,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
    RiskSource,
    Rm2000ScoringTable,
    RoshAssessment,
    Sentence,
    Sex,
)
from referrals.rules import (
    LEGAL_BASES,
    OPEN_STATUSES,
    PARKING_STATUSES,
    RISK_LEVELS,
    STATUSES,
    IllegalTransition,
    ReasonRequired,
    RM2000Input,
    RM2000Refused,
    check_transition,
    config_from_dict,
    score,
    validate_scoring_table,
)
from referrals.rules.transitions import OTHER
from referrals.selectors import active_scoring_table

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
REFERRAL_FIELDS = (
    "programme",
    "format",
    "planned_start",
    "active_appeal",
    "maintains_innocence",
    "completed_prison_sotp",
    "notes",
)
# Entering the waiting list from these statuses starts the wait; coming back from a parking status or from an
# allocation that fell through keeps the original place in the queue.
STARTS_THE_WAIT = frozenset({"suitable", "restart_required"})


def _require(allowed: bool, message: str = "You do not have permission to do this") -> None:
    if not allowed:
        raise PermissionDenied(message)


def _today() -> dt.date:
    return timezone.localdate()


def _clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Model validation (field validators and DB constraints) as field errors before any write."""
    instance.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)


def _person_event(
    actor: User, action: str, person: Person, changes: Mapping[str, Any] | None = None, reason: str = ""
) -> None:
    record_event(
        actor=actor, action=action, obj=person, object_label=person.crn, changes=changes, reason=reason
    )


def _not_future(field: str, value: dt.date | None, what: str) -> None:
    if value is not None and value > _today():
        raise ValidationError({field: [f"{what} must be today or in the past"]})


def _check_offender_manager(actor: User, offender_manager: User | None) -> User:
    """The OM must be an active offender manager of the actor's area; an OM adds to their own caseload only."""
    if offender_manager is None:
        if actor.role == Role.OFFENDER_MANAGER:
            return actor
        raise ValidationError({"offender_manager": ["Choose the person's offender manager"]})
    if (
        offender_manager.role != Role.OFFENDER_MANAGER
        or offender_manager.area_id != actor.area_id
        or not offender_manager.is_active
    ):
        raise ValidationError({"offender_manager": ["Choose an offender manager of your probation area"]})
    return offender_manager


# --- people -------------------------------------------------------------------------------------------------


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
    _require(can_add_person(actor))
    offender_manager = _check_offender_manager(actor, offender_manager)
    if actor.role == Role.OFFENDER_MANAGER and offender_manager != actor:
        raise ValidationError({"offender_manager": ["You can only add people to your own caseload"]})
    if date_of_birth >= _today():
        raise ValidationError({"date_of_birth": ["Enter a date of birth in the past"]})
    person = Person(
        crn=(crn or "").strip().upper(),
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
    _clean(person)
    try:
        with transaction.atomic():
            person.save()
            _person_event(
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
    _require(can_edit_person(actor, person))
    if unknown := sorted(set(changes) - set(PERSON_FIELDS)):
        raise TypeError(f"update_person() cannot change {', '.join(unknown)}")
    if "crn" in changes:
        changes["crn"] = (changes["crn"] or "").strip().upper()
    if "offender_manager" in changes:
        changes["offender_manager"] = _check_offender_manager(actor, changes["offender_manager"])
        if (
            actor.role != Role.TREATMENT_MANAGER
            and changes["offender_manager"].pk != person.offender_manager_id
        ):
            # An OM may not hand a person to another caseload (and so lose or give away access): a TM does that.
            raise ValidationError(
                {"offender_manager": ["Only a treatment manager can change a person's offender manager"]}
            )
    if "date_of_birth" in changes and changes["date_of_birth"] >= _today():
        raise ValidationError({"date_of_birth": ["Enter a date of birth in the past"]})
    try:
        with transaction.atomic():
            locked = Person.objects.select_for_update().get(pk=person.pk)
            changed = diff(locked, PERSON_FIELDS, changes)
            if not changed:
                return locked
            for field, value in changes.items():
                setattr(locked, field, value)
            _clean(locked, exclude=["created_by"])  # imported or seeded people have no creator
            locked.save()
            _person_event(actor, "person.updated", locked, changed)
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
) -> Conviction:
    """The person's OM or a TM: record a conviction for an offence of the reference table."""
    _require(can_edit_person(actor, person))
    offence = Offence.objects.filter(code=offence_code).first()
    if offence is None:
        raise ValidationError({"offence_code": ["Choose an offence from the list"]})
    _not_future("conviction_date", conviction_date, "The conviction date")
    _not_future("offence_date", offence_date, "The offence date")
    if offence_date is not None and offence_date > conviction_date:
        raise ValidationError({"offence_date": ["The offence date must be on or before the conviction date"]})
    conviction = Conviction(
        person=person,
        offence=offence,
        conviction_date=conviction_date,
        offence_date=offence_date,
        notes=notes,
        recorded_by=actor,
    )
    _clean(conviction)
    with transaction.atomic():
        conviction.save()
        _person_event(
            actor,
            "conviction.added",
            person,
            {
                "conviction": str(conviction.public_id),
                "offence": offence.code,
                "conviction_date": conviction_date,
                "offence_date": offence_date,
            },
        )
    return conviction


def remove_conviction(*, actor: User, conviction: Conviction) -> None:
    """The person's OM or a TM: remove a conviction recorded in error (the audit keeps what it was)."""
    person = conviction.person
    _require(can_edit_person(actor, person))
    with transaction.atomic():
        _person_event(
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
    _require(can_edit_person(actor, person))
    if legal_basis not in LEGAL_BASES:
        raise ValidationError({"legal_basis": ["Choose the type of order or licence"]})
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
    _clean(sentence)
    with transaction.atomic():
        sentence.save()
        _person_event(
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


# --- risk ---------------------------------------------------------------------------------------------------


def record_rm2000(
    *, actor: User, person: Person, s: str, v: str, c: str, assessed_on: dt.date, assessor: str
) -> RiskMatrixAssessment:
    """The person's OM or a TM: record the RM2000 categories as assessed (usually from OASys)."""
    _require(can_edit_person(actor, person))
    errors = {
        name: ["Choose low, medium, high or very high"]
        for name, value in (("s", s), ("v", v), ("c", c))
        if value not in RISK_LEVELS
    }
    if not (assessor or "").strip():
        errors["assessor"] = ["Enter the name of the assessor"]
    if errors:
        raise ValidationError(errors)
    _not_future("assessed_on", assessed_on, "The assessment date")
    assessment = RiskMatrixAssessment(
        person=person,
        s=s,
        v=v,
        c=c,
        assessed_on=assessed_on,
        assessor=assessor.strip(),
        source=RiskSource.RECORDED,
        recorded_by=actor,
    )
    with transaction.atomic():
        assessment.save()
        _person_event(
            actor,
            "rm2000.recorded",
            person,
            {"s": s, "v": v, "c": c, "assessed_on": assessed_on, "assessor": assessment.assessor},
        )
    return assessment


def calculate_and_record_rm2000(*, actor: User, person: Person, inputs: RM2000Input) -> RiskMatrixAssessment:
    """The person's OM or a TM: score RM2000 with the active scoring table and record it with its working."""
    _require(can_edit_person(actor, person))
    if inputs.date_of_birth != person.date_of_birth:
        raise ValidationError({"date_of_birth": ["The date of birth must match the person's record"]})
    if inputs.sex != person.sex:
        raise ValidationError({"sex": ["The sex must match the person's record"]})
    _not_future("assessment_date", inputs.assessment_date, "The assessment date")
    table = active_scoring_table()
    try:
        result = score(inputs, table.table)
    except RM2000Refused as refused:
        raise ValidationError({refused.field: [refused.message]}) from None
    assessment = RiskMatrixAssessment(
        person=person,
        s=result.s_category,
        v=result.v_category,
        c=result.c_category,
        assessed_on=inputs.assessment_date,
        assessor=actor.full_name,
        source=RiskSource.CALCULATED,
        inputs={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in vars(inputs).items()},
        working=list(result.working),
        table_version=result.table_version,
        recorded_by=actor,
    )
    with transaction.atomic():
        assessment.save()
        _person_event(
            actor,
            "rm2000.calculated",
            person,
            {
                "s": result.s_category,
                "v": result.v_category,
                "c": result.c_category,
                "assessed_on": inputs.assessment_date,
                "table_version": result.table_version,
            },
        )
    return assessment


def record_rosh(*, actor: User, person: Person, level: str, assessed_on: dt.date) -> RoshAssessment:
    """The person's OM or a TM: record the OASys risk of serious harm."""
    _require(can_edit_person(actor, person))
    if level not in RISK_LEVELS:
        raise ValidationError({"level": ["Choose low, medium, high or very high"]})
    _not_future("assessed_on", assessed_on, "The assessment date")
    assessment = RoshAssessment(person=person, level=level, assessed_on=assessed_on, recorded_by=actor)
    with transaction.atomic():
        assessment.save()
        _person_event(actor, "rosh.recorded", person, {"level": level, "assessed_on": assessed_on})
    return assessment


def record_deviance(*, actor: User, person: Person, level: str, rationale: str) -> DevianceAssessment:
    """TMs only: record psychometric deviance with the rationale (domain.md §7)."""
    _require(can_record_deviance(actor, person))
    errors: dict[str, list[str]] = {}
    if level not in ("low", "high"):
        errors["level"] = ["Choose low or high"]
    if not (rationale or "").strip():
        errors["rationale"] = ["Give the rationale for the deviance level"]
    if errors:
        raise ValidationError(errors)
    assessment = DevianceAssessment(
        person=person, level=level, rationale=rationale.strip(), recorded_by=actor
    )
    with transaction.atomic():
        assessment.save()
        _person_event(actor, "deviance.recorded", person, {"level": level}, reason=assessment.rationale)
    return assessment


# --- referrals ----------------------------------------------------------------------------------------------


def _referral_event(
    actor: User, action: str, referral: Referral, changes: Mapping[str, Any] | None = None, reason: str = ""
) -> None:
    record_event(
        actor=actor,
        action=action,
        obj=referral,
        object_label=referral.person.crn,
        changes=changes,
        reason=reason,
    )


LIHI_PROGRAMMES = frozenset({Programme.LI, Programme.HI})


def _validate_programme(programme: str, fmt: str, field: str = "format", *, area: Any = None) -> None:
    """A known programme and format; with `area`, LI and HI only where the area has switched them on (§2.5)."""
    if programme not in Programme.values:
        raise ValidationError({"programme": ["Choose a programme"]})
    if area is not None and programme in LIHI_PROGRAMMES and not area.lihi_enabled:
        raise ValidationError(
            {"programme": ["The Low and High Intensity programmes are not used in this probation area"]}
        )
    if fmt not in Format.values:
        raise ValidationError({"format": ["Choose group or one-to-one"]})
    if fmt == Format.ONE_TO_ONE and programme != Programme.ISOTP:
        raise ValidationError({field: ["Only i-SOTP has a one-to-one format"]})


def _has_open_referral(person: Person, programme: str, exclude: Referral | None = None) -> bool:
    qs = Referral.objects.filter(person=person, programme=programme, status__in=sorted(OPEN_STATUSES))
    return qs.exclude(pk=exclude.pk).exists() if exclude is not None else qs.exists()


def _open_referral_conflict() -> ValidationError:
    return ValidationError({"programme": ["This person already has an open referral to this programme"]})


def create_referral(
    *,
    actor: User,
    person: Person,
    programme: str,
    format: str,
    planned_start: dt.date | None = None,
    active_appeal: bool = False,
    maintains_innocence: bool = False,
    completed_prison_sotp: bool = False,
    notes: str = "",
) -> Referral:
    """OMs: start a draft referral for a person on their own caseload."""
    _require(can_refer(actor, person), "You can only refer people on your own caseload")
    _validate_programme(programme, format, area=person.area)
    if planned_start is not None and planned_start < _today():
        raise ValidationError({"planned_start": ["The planned start must be today or in the future"]})
    referral = Referral(
        person=person,
        area_id=person.area_id,
        programme=programme,
        format=format,
        planned_start=planned_start,
        active_appeal=active_appeal,
        maintains_innocence=maintains_innocence,
        completed_prison_sotp=completed_prison_sotp,
        notes=notes,
        referred_by=actor,
    )
    if _has_open_referral(person, programme):
        raise _open_referral_conflict()
    _clean(referral)
    try:
        with transaction.atomic():
            referral.save()
            ReferralStatusChange.objects.create(
                referral=referral, from_status="", to_status="draft", actor=actor
            )
            _referral_event(
                actor,
                "referral.created",
                referral,
                {f: getattr(referral, f) for f in REFERRAL_FIELDS if f != "notes"}
                | {"person": str(person.public_id)},
            )
    except IntegrityError:
        raise _open_referral_conflict() from None
    return referral


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",)).select_related("person", "area").get(pk=referral.pk)
    )


def update_referral(*, actor: User, referral: Referral, **changes: Any) -> Referral:
    """The person's OM: change a draft referral (REFERRAL_FIELDS); a submitted one cannot be edited."""
    if unknown := sorted(set(changes) - set(REFERRAL_FIELDS)):
        raise TypeError(f"update_referral() cannot change {', '.join(unknown)}")
    try:
        with transaction.atomic():
            locked = _lock(referral)
            if locked.status != "draft":
                raise DomainConflict("Only a draft referral can be changed", code="REFERRAL_NOT_DRAFT")
            _require(can_edit_referral(actor, locked))
            new_programme = changes.get("programme", locked.programme)
            _validate_programme(
                new_programme,
                changes.get("format", locked.format),
                area=locked.area if new_programme != locked.programme else None,
            )
            start = changes.get("planned_start")
            if start is not None and start != locked.planned_start and start < _today():
                raise ValidationError({"planned_start": ["The planned start must be today or in the future"]})
            changed = diff(locked, REFERRAL_FIELDS, changes)
            if not changed:
                return locked
            if "programme" in changed and _has_open_referral(locked.person, changes["programme"], locked):
                raise _open_referral_conflict()
            for field, value in changes.items():
                setattr(locked, field, value)
            _clean(locked)
            locked.save()
            _referral_event(actor, "referral.updated", locked, changed)
    except IntegrityError:
        raise _open_referral_conflict() from None
    return locked


def answer_other_information(*, actor: User, referral: Referral, **answers: Any) -> Referral:
    """The person's OM: the appeal, innocence, prison SOTP and notes answers of a draft; marks the task answered."""
    with transaction.atomic():
        updated = update_referral(actor=actor, referral=referral, **answers)
        if updated.other_information_answered_at is None:
            updated.other_information_answered_at = timezone.now()
            updated.save(update_fields=["other_information_answered_at", "updated_at"])
            _referral_event(
                actor,
                "referral.other_information_answered",
                updated,
                {k: v for k, v in answers.items() if k != "notes"},
            )
    return updated


def missing_for_submission(referral: Referral) -> list[str]:
    """What a referral still needs before it can be submitted: `convictions`, `sentence` (empty when complete)."""
    person = referral.person
    missing = []
    if not person.convictions.exists():
        missing.append("convictions")
    if not person.sentences.exists():
        missing.append("sentence")
    return missing


def _move(
    *, actor: User, referral: Referral, to_status: str, reason_code: str = "", reason: str = ""
) -> ReferralStatusChange:
    """Move a LOCKED referral one step: check the rules, keep the history, audit. Callers hold the transaction."""
    current = referral.status
    returns_to = referral.returns_to or None
    try:
        check_transition(
            current,
            to_status,
            returns_to=returns_to if current in PARKING_STATUSES else None,
            reason=reason_code or None,
        )
    except IllegalTransition as exc:
        raise DomainConflict(exc.message, code=exc.code, allowed=list(exc.allowed)) from None
    except ReasonRequired as exc:
        raise ValidationError({"reason_code": [exc.message]}) from None
    if reason_code == OTHER[0] and not reason.strip():
        raise ValidationError({"reason": ["Give the details of the reason"]})
    now = timezone.now()
    if to_status == "submitted":
        if missing := missing_for_submission(referral):
            raise DomainConflict(
                f"The referral is not complete: add {' and '.join(missing)} before submitting it",
                code="REFERRAL_INCOMPLETE",
                missing=missing,
            )
        referral.submitted_at = now
    if to_status in PARKING_STATUSES:
        referral.returns_to = current
    elif current in PARKING_STATUSES:
        referral.returns_to = ""
    if to_status == "awaiting_allocation" and (current in STARTS_THE_WAIT or referral.awaiting_since is None):
        referral.awaiting_since = now
    referral.status = to_status
    referral.save(update_fields=["status", "returns_to", "submitted_at", "awaiting_since", "updated_at"])
    change = ReferralStatusChange.objects.create(
        referral=referral,
        from_status=current,
        to_status=to_status,
        reason_code=reason_code,
        reason=reason.strip(),
        actor=actor,
    )
    _referral_event(
        actor,
        "referral.status_changed",
        referral,
        {"status": {"from": current, "to": to_status}, "reason_code": reason_code},
        reason=reason,
    )
    return change


def submit_referral(*, actor: User, referral: Referral) -> Referral:
    """The person's OM: submit a complete draft (a conviction and a sentence recorded) for assessment."""
    with transaction.atomic():
        locked = _lock(referral)
        _require(can_change_referral_status(actor, locked, "submitted"))
        _move(actor=actor, referral=locked, to_status="submitted")
    return locked


def change_status(
    *, actor: User, referral: Referral, to_status: str, reason_code: str = "", reason: str = ""
) -> Referral:
    """TMs move a referral of their area; the person's OM may submit or withdraw. Locks the referral row."""
    if to_status not in STATUSES:
        raise ValidationError({"to_status": [f"{to_status!r} is not a referral status"]})
    with transaction.atomic():
        locked = _lock(referral)
        _require(can_change_referral_status(actor, locked, to_status))
        _move(actor=actor, referral=locked, to_status=to_status, reason_code=reason_code, reason=reason)
    return locked


def move_as_consequence(
    *,
    actor: User,
    referral: Referral,
    to_status: str,
    only_from: str | None = None,
    reason_code: str = "",
    reason: str = "",
) -> Referral:
    """Delivery services: move a referral as the consequence of an action they have already authorised.

    Allocation, removal and the first attended session change the referral's status although a facilitator may
    be the one acting; the transition table still decides what is legal. With `only_from`, a referral found (under
    the lock) in any other status is left as it is. Locks the referral row; audited.
    """
    with transaction.atomic():
        locked = _lock(referral)
        if only_from is not None and locked.status != only_from:
            return locked
        _move(actor=actor, referral=locked, to_status=to_status, reason_code=reason_code, reason=reason)
    return locked


def record_assessment(
    *,
    actor: User,
    referral: Referral,
    outcome: str,
    override: Mapping[str, str | None] | None = None,
    rationale: str = "",
    reason_code: str = "",
    today: dt.date | None = None,
) -> AssessmentDecision:
    """TMs: record the assessment of a submitted referral, snapshotting the computed eligibility decision.

    `override` ({"programme", "format", "route"}) replaces the recommendation and needs a rationale; so does an
    outcome that goes against the decision for the referral's programme. `suitable` moves the referral to
    the waiting list (suitable → awaiting_allocation); `suitable_not_ready` parks it after `suitable`;
    `not_suitable` closes it with `reason_code` (derived as `eligibility_rules` when the rules refuse it).
    """
    if outcome not in AssessmentOutcome.values:
        raise ValidationError({"outcome": ["Choose suitable, not suitable, or suitable but not ready"]})
    rationale = (rationale or "").strip()
    today = today or _today()
    with transaction.atomic():
        locked = _lock(referral)
        _require(can_assess(actor, locked), "Only treatment managers assess referrals")
        if locked.status == "submitted":
            _move(actor=actor, referral=locked, to_status="assessment")
        if locked.status != "assessment":
            raise DomainConflict(
                f"Only a referral that is submitted or being assessed can be assessed; this one is "
                f"{STATUSES[locked.status].lower()!r}",
                code="NOT_IN_ASSESSMENT",
                allowed=["submitted", "assessment"],
            )
        decision = decision_for(locked, today)
        programme, fmt, route = locked.programme, locked.format, ""
        if override:
            programme = override.get("programme") or ""
            fmt = override.get("format") or ""
            route = override.get("route") or ""
            _validate_programme(programme, fmt, area=locked.area)
            if not rationale:
                raise ValidationError({"rationale": ["Give the rationale for the override"]})
        chosen = decision.get(programme, fmt)
        eligible = bool(chosen and chosen.eligible)
        if not rationale and outcome != AssessmentOutcome.NOT_SUITABLE and not eligible:
            raise ValidationError(
                {
                    "rationale": [
                        "The rules do not find him eligible for this programme: give the rationale for your decision"
                    ]
                }
            )
        if not rationale and outcome == AssessmentOutcome.NOT_SUITABLE and eligible:
            raise ValidationError(
                {
                    "rationale": [
                        "The rules find him eligible for this programme: give the rationale for your decision"
                    ]
                }
            )
        if outcome == AssessmentOutcome.NOT_SUITABLE and not reason_code:
            if eligible:
                raise ValidationError({"reason_code": ["Choose the reason he is not suitable"]})
            reason_code = "eligibility_rules"
        assessment = AssessmentDecision.objects.create(
            referral=locked,
            outcome=outcome,
            computed=decision.as_dict(),
            planned_start=locked.planned_start or today,
            referred_programme=locked.programme,
            referred_format=locked.format,
            override_programme=programme if override else "",
            override_format=fmt if override else "",
            override_route=route,
            rationale=rationale,
            actor=actor,
        )
        if override and (programme, fmt) != (locked.programme, locked.format) and outcome != "not_suitable":
            previous = {"programme": locked.programme, "format": locked.format}
            if programme != previous["programme"] and _has_open_referral(locked.person, programme, locked):
                raise _open_referral_conflict()
            locked.programme, locked.format = programme, fmt
            try:
                with transaction.atomic():
                    locked.save(update_fields=["programme", "format", "updated_at"])
            except IntegrityError:
                raise _open_referral_conflict() from None
            _referral_event(
                actor,
                "referral.updated",
                locked,
                {
                    "programme": {"from": previous["programme"], "to": programme},
                    "format": {"from": previous["format"], "to": fmt},
                },
                reason=rationale,
            )
        _referral_event(
            actor,
            "referral.assessed",
            locked,
            {
                "outcome": outcome,
                "recommendation": decision.as_dict()["recommendation"]["programme"],
                "override": dict(override) if override else None,
            },
            reason=rationale,
        )
        if outcome == AssessmentOutcome.NOT_SUITABLE:
            _move(
                actor=actor,
                referral=locked,
                to_status="not_suitable",
                reason_code=reason_code,
                reason=rationale,
            )
        else:
            _move(actor=actor, referral=locked, to_status="suitable", reason=rationale)
            if outcome == AssessmentOutcome.SUITABLE:
                _move(actor=actor, referral=locked, to_status="awaiting_allocation")
            else:
                _move(
                    actor=actor,
                    referral=locked,
                    to_status="suitable_not_ready",
                    reason_code=reason_code,
                    reason=rationale,
                )
    return assessment


# --- configuration (Django admin, superusers) ----------------------------------------------------------------


def save_scoring_table(*, actor: User, scoring_table: Rm2000ScoringTable) -> Rm2000ScoringTable:
    """Superusers: save an RM2000 scoring table version (validated); making it active retires the active one."""
    table = scoring_table.table
    if problems := validate_scoring_table(table):
        raise ValidationError({"table": problems})
    if table.get("version") != scoring_table.version:
        raise ValidationError({"version": ['The version must match the table\'s own "version"']})
    with transaction.atomic():
        if scoring_table.active:
            Rm2000ScoringTable.objects.select_for_update().filter(active=True).exclude(
                pk=scoring_table.pk
            ).update(active=False)
        if scoring_table.pk is None:
            scoring_table.created_by = actor
        scoring_table.save()
        record_event(
            actor=actor,
            action="rm2000_table.saved",
            obj=scoring_table,
            object_id=scoring_table.version,
            changes={"version": scoring_table.version, "active": scoring_table.active},
        )
    return scoring_table


def save_eligibility_configuration(
    *, actor: User, configuration: EligibilityConfiguration
) -> EligibilityConfiguration:
    """Superusers: save an area's eligibility thresholds, checked by the rules' own `config_from_dict`."""
    try:
        config_from_dict({"lihi_enabled": configuration.area.lihi_enabled, **configuration.values})
    except (TypeError, ValueError) as problem:
        raise ValidationError({"values": [str(problem)]}) from None
    with transaction.atomic():
        configuration.updated_by = actor
        configuration.save()
        record_event(
            actor=actor,
            action="eligibility_configuration.saved",
            obj=configuration,
            area_id=configuration.area_id,
            changes=dict(configuration.values),
        )
    return configuration


__all__ = [
    "Sex",
    "add_conviction",
    "calculate_and_record_rm2000",
    "change_status",
    "create_person",
    "create_referral",
    "missing_for_submission",
    "record_assessment",
    "record_deviance",
    "record_rm2000",
    "record_rosh",
    "record_sentence",
    "remove_conviction",
    "save_eligibility_configuration",
    "save_scoring_table",
    "submit_referral",
    "update_person",
    "update_referral",
]
