"""The referrals services for the service matrix (tests/service_matrix.py): OMs their own caseload, TMs the area;
facilitators and administrators write nothing here; the scoring table and thresholds are the superuser's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from referrals.models import EligibilityConfiguration, Rm2000ScoringTable
from referrals.rules import DEFAULT_SCORING_TABLE
from referrals.rules.ogrs3 import OFFENCE_GROUP_CHOICES, OGRS3Input
from referrals.services import (
    assessment,
    auditing,
    configuration,
    exports,
    people,
    referrals,
    risk,
    status,
    validation,
)
from tests.referrals.factories import ConvictionFactory, eligible_person, referral_for, rm2000_inputs
from tests.service_matrix import MANAGERS, NotAService, Service

OM, TM = "offender_manager", "treatment_manager"
PERSON_WRITERS = frozenset({OM, TM})
D = dt.date


def _person(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {"person": eligible_person(area, personas[OM])}


def _new_person(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {
        "crn": "X123456",
        "first_name": "Sam",
        "last_name": "Example",
        "date_of_birth": D(1980, 5, 1),
        "sex": "male",
        "offender_manager": personas[OM],
    }


def _conviction(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {
        "person": eligible_person(area, personas[OM]),
        "offence_code": "pca1978_s1_1a",
        "conviction_date": D(2026, 1, 5),
    }


def _rm2000(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    person = eligible_person(area, personas[OM])
    return {"person": person, "inputs": rm2000_inputs(person)}


def _ogrs3(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    person = eligible_person(area, personas[OM])
    inputs = OGRS3Input(
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        conviction_date=D(2026, 6, 1),
        assessment_date=D(2026, 11, 1),
        age_at_first_sanction=25,
        previous_sanctions=1,
        offence_group=OFFENCE_GROUP_CHOICES[0][0],
    )
    return {"person": person, "inputs": inputs}


def _allocated_place(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    """A referral on the waiting list with an active place just made on a group: its move to `allocated`."""
    from sessions.models import Membership
    from tests.sessions.factories import make_group

    referral = referral_for(area, personas[OM], status="awaiting_allocation")
    group = make_group(area)
    membership = Membership.objects.create(
        group=group, referral=referral, joined_on=group.start_date, allocated_by=personas[TM]
    )
    return {"referral": referral, "membership": membership, "to_status": "allocated"}


def _draft(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {"referral": referral_for(area, personas[OM])}


def _referral_in(status_: str, **extra: Any):
    def build(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
        return {"referral": referral_for(area, personas[OM], status=status_), **extra}

    return build


def _psychometrics(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    from tests.assessments.factories import member

    membership = member(area, facilitator=personas["facilitator"], tm=personas[TM], om=personas[OM])
    return {"person": membership.referral.person, "level": "low", "rationale": ""}


def _scoring_table(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    table = {**DEFAULT_SCORING_TABLE, "version": "matrix-check"}
    return {"scoring_table": Rm2000ScoringTable(version="matrix-check", table=table, source_note="Checked")}


def _thresholds(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {"configuration": EligibilityConfiguration(area=area, values={})}


SERVICES = [
    # Issue 13: the waiting list's CSV, for the managers who see the list (not one record: no area check).
    Service(
        exports.export_waiting_list,
        roles=MANAGERS,
        kwargs=lambda a, p: {"rows": [], "list_label": "i-SOTP group", "filters": {}},
    ),
    Service(people.create_person, roles=PERSON_WRITERS, kwargs=_new_person),
    Service(
        people.update_person,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {**_person(a, p), "iq": 95},
        scoped=True,
    ),
    Service(people.add_conviction, roles=PERSON_WRITERS, kwargs=_conviction, scoped=True),
    Service(
        people.remove_conviction,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {"conviction": ConvictionFactory(person=eligible_person(a, p[OM]))},
        scoped=True,
    ),
    Service(
        people.record_sentence,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {
            **_person(a, p),
            "legal_basis": "community_order",
            "programme_requirement": True,
            "start_date": D(2026, 1, 1),
            "supervision_end_date": D(2029, 1, 1),
        },
        scoped=True,
    ),
    Service(
        risk.record_rm2000,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {
            **_person(a, p),
            "s": "low",
            "v": "low",
            "c": "low",
            "assessed_on": D(2026, 11, 1),
            "assessor": "J Bloggs",
        },
        scoped=True,
    ),
    Service(risk.calculate_and_record_rm2000, roles=PERSON_WRITERS, kwargs=_rm2000, scoped=True),
    Service(
        risk.record_ogrs3,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {
            **_person(a, p),
            "one_year_percent": 12,
            "two_year_percent": 20,
            "assessed_on": D(2026, 11, 1),
        },
        scoped=True,
    ),
    Service(risk.calculate_and_record_ogrs3, roles=PERSON_WRITERS, kwargs=_ogrs3, scoped=True),
    Service(
        risk.record_rosh,
        roles=PERSON_WRITERS,
        kwargs=lambda a, p: {**_person(a, p), "level": "medium", "assessed_on": D(2026, 11, 1)},
        scoped=True,
    ),
    Service(
        risk.record_deviance,
        roles=frozenset({TM}),
        kwargs=lambda a, p: {**_person(a, p), "level": "low", "rationale": "Scores within the normal range"},
        scoped=True,
    ),
    Service(
        referrals.create_referral,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {**_person(a, p), "programme": "nsogp", "format": "group"},
        scoped=True,
    ),
    Service(
        referrals.update_referral,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {**_draft(a, p), "notes": "x"},
        scoped=True,
    ),
    Service(
        referrals.answer_other_information,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {**_draft(a, p), "active_appeal": False},
        scoped=True,
    ),
    Service(status.submit_referral, roles=frozenset({OM}), kwargs=_draft, scoped=True),
    # The person's OM may withdraw; TMs make every hand-made move.
    Service(
        status.change_status,
        roles=PERSON_WRITERS,
        kwargs=_referral_in("submitted", to_status="withdrawn", reason_code="order_revoked"),
        scoped=True,
    ),
    # Allocation and removal by TMs, the first attended session by the facilitator who records it: only as the
    # consequence of the referral's place (an active place for `allocated`; tests/referrals/test_consequences.py).
    Service(
        status.move_as_consequence,
        roles=frozenset({TM, "facilitator"}),
        kwargs=_allocated_place,
        scoped=True,
    ),
    Service(
        assessment.record_assessment,
        roles=frozenset({TM}),
        kwargs=_referral_in("submitted", outcome="suitable"),
        scoped=True,
    ),
    # Whoever enters the person's pre-programme scores: a TM of the area or a facilitator delivering to him.
    Service(
        risk.record_psychometric_deviance,
        roles=frozenset({TM, "facilitator"}),
        kwargs=_psychometrics,
        scoped=True,
    ),
    Service(configuration.save_scoring_table, kwargs=_scoring_table, superuser=True),
    Service(configuration.save_eligibility_configuration, kwargs=_thresholds, superuser=True),
]

NOT_SERVICES = [
    NotAService(validation.full_clean, "model validation the services run before a write"),
    NotAService(validation.not_future, "a date check the services share"),
    NotAService(
        validation.not_before_birth, "a date check the services share (not before the date of birth)"
    ),
    NotAService(validation.validate_programme, "a programme and format check the services share"),
    NotAService(
        validation.has_open_referral, "a read inside a service's transaction (one open referral each)"
    ),
    NotAService(validation.open_referral_conflict, "the error the services raise for a second open referral"),
    NotAService(auditing.person_event, "writes the audit event of a gated service, in its transaction"),
    NotAService(auditing.referral_event, "writes the audit event of a gated service, in its transaction"),
    NotAService(status.lock_referral, "locks the referral row inside a gated service's transaction"),
    NotAService(
        status.require_may_move_as_consequence,
        "move_as_consequence's own permission check (404 another area, 403 a role that does not deliver), also "
        "made by the register when there is nothing to move; it writes nothing",
    ),
]
