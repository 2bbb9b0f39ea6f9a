"""A person's risk: RM2000 and OGRS3 (recorded or calculated with their working), OASys RoSH and psychometric
deviance. A correction is a new entry: the latest entered is current (referrals.candidates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.permissions import (
    can_edit_person,
    can_record_deviance,
    can_record_psychometric_deviance,
    require,
    require_person_found,
)
from referrals.models import (
    DevianceAssessment,
    DevianceSource,
    Ogrs3Assessment,
    Person,
    RiskMatrixAssessment,
    RiskSource,
    RoshAssessment,
)
from referrals.rules import RISK_LEVELS, RM2000Input, RM2000Refused, score
from referrals.rules.ogrs3 import OGRS3Input, OGRS3Refused, assessed_before_criminal_responsibility
from referrals.rules.ogrs3 import band_for as ogrs3_band_for
from referrals.rules.ogrs3 import score as ogrs3_score
from referrals.selectors import active_ogrs3_table, active_scoring_table
from referrals.services.auditing import person_event
from referrals.services.validation import not_future

if TYPE_CHECKING:
    from accounts.models import User


def record_rm2000(
    *, actor: User, person: Person, s: str, v: str, c: str, assessed_on: dt.date, assessor: str
) -> RiskMatrixAssessment:
    """The person's OM or a TM: record the RM2000 categories as assessed (usually from OASys)."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can record risk",
    )
    errors = {
        name: ["Choose low, medium, high or very high"]
        for name, value in (("s", s), ("v", v), ("c", c))
        if value not in RISK_LEVELS
    }
    if not (assessor or "").strip():
        errors["assessor"] = ["Enter the name of the assessor"]
    if errors:
        raise ValidationError(errors)
    not_future("assessed_on", assessed_on, "The assessment date")
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
        person_event(
            actor,
            "rm2000.recorded",
            person,
            {"s": s, "v": v, "c": c, "assessed_on": assessed_on, "assessor": assessment.assessor},
        )
    return assessment


def calculate_and_record_rm2000(*, actor: User, person: Person, inputs: RM2000Input) -> RiskMatrixAssessment:
    """The person's OM or a TM: score RM2000 with the active scoring table and record it with its working."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can record risk",
    )
    if inputs.date_of_birth != person.date_of_birth:
        raise ValidationError({"date_of_birth": ["The date of birth must match the person's record"]})
    if inputs.sex != person.sex:
        raise ValidationError({"sex": ["The sex must match the person's record"]})
    not_future("assessment_date", inputs.assessment_date, "The assessment date")
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
        person_event(
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


def _ogrs3_event(actor: User, action: str, person: Person, assessment: Ogrs3Assessment) -> None:
    person_event(
        actor,
        action,
        person,
        {
            "one_year": str(assessment.one_year),
            "two_year": str(assessment.two_year),
            "band": assessment.band,
            "assessed_on": assessment.assessed_on,
            "table_version": assessment.table_version,
        },
    )


def record_ogrs3(
    *, actor: User, person: Person, one_year_percent: int, two_year_percent: int, assessed_on: dt.date
) -> Ogrs3Assessment:
    """The person's OM or a TM: record OGRS3 as entered from OASys (the 1- and 2-year percentages); the band
    follows from the 2-year one (domain.md §4.1). A correction is a new entry; the latest entered is current."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can record risk",
    )
    errors: dict[str, list[str]] = {}
    for field, value in (("one_year_percent", one_year_percent), ("two_year_percent", two_year_percent)):
        if not isinstance(value, int) or not 0 <= value <= 100:
            errors[field] = ["Enter a whole percentage from 0 to 100"]
    if not errors and two_year_percent < one_year_percent:
        errors["two_year_percent"] = ["The 2-year score cannot be below the 1-year score"]
    if errors:
        raise ValidationError(errors)
    not_future("assessed_on", assessed_on, "The assessment date")
    if too_young := assessed_before_criminal_responsibility(person.date_of_birth, assessed_on):
        raise ValidationError({"assessed_on": [too_young]})
    table = active_ogrs3_table()
    assessment = Ogrs3Assessment(
        person=person,
        one_year=Decimal(one_year_percent) / 100,
        two_year=Decimal(two_year_percent) / 100,
        band=ogrs3_band_for(two_year_percent, table.table),
        assessed_on=assessed_on,
        source=RiskSource.RECORDED,
        recorded_by=actor,
    )
    with transaction.atomic():
        assessment.save()
        _ogrs3_event(actor, "ogrs3.recorded", person, assessment)
    return assessment


def calculate_and_record_ogrs3(*, actor: User, person: Person, inputs: OGRS3Input) -> Ogrs3Assessment:
    """The person's OM or a TM: calculate OGRS3 with the active coefficient table and record it on the risk
    record with its inputs and working (domain.md §4.1)."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can record risk",
    )
    if inputs.date_of_birth != person.date_of_birth:
        raise ValidationError({"date_of_birth": ["The date of birth must match the person's record"]})
    if inputs.sex != person.sex:
        raise ValidationError({"sex": ["The sex must match the person's record"]})
    not_future("assessment_date", inputs.assessment_date, "The assessment date")
    table = active_ogrs3_table()
    try:
        result = ogrs3_score(inputs, table.table)
    except OGRS3Refused as refused:
        raise ValidationError({refused.field: [refused.message]}) from None
    assessment = Ogrs3Assessment(
        person=person,
        one_year=Decimal(str(result.one_year)),
        two_year=Decimal(str(result.two_year)),
        band=result.band,
        assessed_on=inputs.assessment_date,
        source=RiskSource.CALCULATED,
        inputs={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in vars(inputs).items()},
        working=list(result.working),
        table_version=result.table_version,
        recorded_by=actor,
    )
    with transaction.atomic():
        assessment.save()
        _ogrs3_event(actor, "ogrs3.calculated", person, assessment)
    return assessment


def record_rosh(*, actor: User, person: Person, level: str, assessed_on: dt.date) -> RoshAssessment:
    """The person's OM or a TM: record the OASys risk of serious harm."""
    require_person_found(actor, person)
    require(
        can_edit_person(actor, person),
        "Only the person's offender manager or a treatment manager can record risk",
    )
    if level not in RISK_LEVELS:
        raise ValidationError({"level": ["Choose low, medium, high or very high"]})
    not_future("assessed_on", assessed_on, "The assessment date")
    assessment = RoshAssessment(person=person, level=level, assessed_on=assessed_on, recorded_by=actor)
    with transaction.atomic():
        assessment.save()
        person_event(actor, "rosh.recorded", person, {"level": level, "assessed_on": assessed_on})
    return assessment


def record_deviance(*, actor: User, person: Person, level: str, rationale: str) -> DevianceAssessment:
    """TMs only: record psychometric deviance with the rationale (domain.md §7)."""
    require_person_found(actor, person)
    require(can_record_deviance(actor, person), "Only treatment managers record psychometric deviance")
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
        person_event(actor, "deviance.recorded", person, {"level": level}, reason=assessment.rationale)
    return assessment


def record_psychometric_deviance(
    *, actor: User, person: Person, level: str, rationale: str
) -> DevianceAssessment:
    """The psychometrics (assessments app) only: record the deviance a pre-programme result computed (§7), as
    source `psychometric`. Whoever may enter the person's scores may record it: a TM of the area or a facilitator
    delivering to the person. A provisional eligibility decision that waited for deviance becomes final."""
    require_person_found(actor, person)
    require(
        can_record_psychometric_deviance(actor, person), "Only those who enter the psychometrics record this"
    )
    if level not in ("low", "high"):
        raise ValidationError({"level": ["Choose low or high"]})
    assessment = DevianceAssessment(
        person=person,
        level=level,
        rationale=rationale.strip() or "From the pre-programme psychometrics",
        source=DevianceSource.PSYCHOMETRIC,
        recorded_by=actor,
    )
    with transaction.atomic():
        assessment.save()
        person_event(actor, "deviance.recorded", person, {"level": level, "source": "psychometric"})
    return assessment
