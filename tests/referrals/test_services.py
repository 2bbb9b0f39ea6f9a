"""Writes to people, risk and referrals: role checks, validation, audit in the same transaction, atomicity,
and the referral workflow (domain.md §9) including 409 with the allowed moves and parked referrals returning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from isotp.errors import DomainConflict
from referrals.models import (
    AssessmentDecision,
    Conviction,
    Person,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
    Rm2000ScoringTable,
)
from referrals.rules import DEFAULT_SCORING_TABLE, RM2000Input
from referrals.services import auditing
from referrals.services.assessment import record_assessment
from referrals.services.configuration import save_eligibility_configuration, save_scoring_table
from referrals.services.people import (
    add_conviction,
    create_person,
    record_sentence,
    remove_conviction,
    update_person,
)
from referrals.services.referrals import answer_other_information, create_referral, update_referral
from referrals.services.risk import calculate_and_record_rm2000, record_deviance, record_rm2000, record_rosh
from referrals.services.status import change_status, move_as_consequence, submit_referral
from sessions.models import Membership
from tests.factories import UserFactory
from tests.referrals.factories import (
    ConvictionFactory,
    PersonFactory,
    ReferralFactory,
    SentenceFactory,
    eligible_person,
    referral_for,
    years_ago,
)
from tests.sessions.factories import make_group

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def _new_person(actor, **overrides):
    values = {
        "crn": "C123456",
        "first_name": "Ben",
        "last_name": "Carter",
        "date_of_birth": dt.date(1985, 3, 2),
        "sex": "male",
    }
    return create_person(actor=actor, **(values | overrides))


# --- people -------------------------------------------------------------------------------------------------


def test_om_adds_a_person_to_their_own_caseload_and_it_is_audited_by_crn(om):
    person = _new_person(om, crn=" c123456 ")
    assert person.crn == "C123456"
    assert person.offender_manager == om and person.area_id == om.area_id
    (event,) = _events("person.created")
    assert event.object_id == str(person.public_id) and event.object_label == "C123456"
    assert event.actor == om and event.area_id == om.area_id
    assert "Ben" not in event.object_label


@pytest.mark.parametrize("crn", ["123456", "CC12345", "C12345", "C1234567", "C12345X"])
def test_a_crn_is_one_letter_and_six_digits(om, crn):
    with pytest.raises(ValidationError) as error:
        _new_person(om, crn=crn)
    assert "crn" in error.value.message_dict
    assert not Person.objects.exists() and not AuditEvent.objects.exists()


def test_a_crn_is_unique(om):
    _new_person(om)
    with pytest.raises(ValidationError) as error:
        _new_person(om, first_name="Other")
    assert "crn" in error.value.message_dict


def test_date_of_birth_must_be_in_the_past(om):
    with pytest.raises(ValidationError) as error:
        _new_person(om, date_of_birth=TODAY)
    assert error.value.message_dict == {"date_of_birth": ["Enter a date of birth in the past"]}


def test_an_om_cannot_add_someone_to_another_oms_caseload(om, area):
    colleague = UserFactory(role=Role.OFFENDER_MANAGER, area=area)
    with pytest.raises(ValidationError) as error:
        _new_person(om, offender_manager=colleague)
    assert "offender_manager" in error.value.message_dict


def test_a_tm_adds_a_person_for_an_om_of_their_area_only(tm, om, other_om):
    with pytest.raises(ValidationError):
        _new_person(tm)  # no OM given
    with pytest.raises(ValidationError):
        _new_person(tm, offender_manager=other_om)
    assert _new_person(tm, offender_manager=om).offender_manager == om


@pytest.mark.parametrize("role", ["facilitator", "area_admin"])
def test_facilitators_and_admins_cannot_add_people(personas, om, role):
    with pytest.raises(PermissionDenied):
        _new_person(personas[role], offender_manager=om)


def test_update_person_audits_only_what_changed(om):
    person = _new_person(om)
    update_person(actor=om, person=person, iq=78, first_name="Ben")
    (event,) = _events("person.updated")
    assert event.changes == {"iq": {"from": None, "to": 78}}
    update_person(actor=om, person=person, iq=78)
    assert len(_events("person.updated")) == 1  # nothing changed, nothing written


def test_update_person_refuses_another_caseload_and_unknown_fields(om, area):
    person = PersonFactory(area=area)  # someone else's caseload: out of reach, so not found
    with pytest.raises(Http404):
        update_person(actor=om, person=person, iq=90)
    mine = _new_person(om)
    with pytest.raises(TypeError):
        update_person(actor=om, person=mine, area=None)


def test_update_person_validates_the_new_om(tm, om, facilitator):
    person = _new_person(om)
    with pytest.raises(ValidationError) as error:
        update_person(actor=tm, person=person, offender_manager=facilitator)
    assert "offender_manager" in error.value.message_dict


def test_conviction_added_and_removed_with_audit(om):
    person = _new_person(om)
    conviction = add_conviction(
        actor=om,
        person=person,
        offence_code="cja1988_s160",
        conviction_date=dt.date(2026, 1, 5),
        offence_date=dt.date(2025, 6, 1),
    )
    assert conviction.offence.category == "iioc_possess"
    remove_conviction(actor=om, conviction=conviction)
    assert not Conviction.objects.exists()
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "person.created",
        "conviction.added",
        "conviction.removed",
    ]
    assert AuditEvent.objects.get(action="conviction.removed").changes["offence"] == "cja1988_s160"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"offence_code": "no_such_offence"}, "offence_code"),
        ({"offence_date": dt.date(2026, 2, 1)}, "offence_date"),  # after the conviction
        ({"conviction_date": TODAY + dt.timedelta(days=1)}, "conviction_date"),
        # Review of issue 7, no. 2: an inherently contact offence cannot be recorded as non-contact.
        ({"offence_code": "soa2003_s5", "contact": False}, "contact"),
        ({"offence_code": "soa2003_s1", "contact": False}, "contact"),
    ],
)
def test_conviction_errors_name_the_field_and_save_nothing(om, kwargs, field):
    person = _new_person(om)
    values = {"offence_code": "cja1988_s160", "conviction_date": dt.date(2026, 1, 5)} | kwargs
    with pytest.raises(ValidationError) as error:
        add_conviction(actor=om, person=person, **values)
    assert field in error.value.message_dict
    assert not Conviction.objects.exists() and not _events("conviction.added")


def test_sentence_supervision_must_end_after_it_starts(om):
    person = _new_person(om)
    with pytest.raises(ValidationError) as error:
        record_sentence(
            actor=om,
            person=person,
            legal_basis="licence",
            programme_requirement=True,
            start_date=dt.date(2026, 1, 1),
            supervision_end_date=dt.date(2026, 1, 1),
        )
    assert "supervision_end_date" in error.value.message_dict
    with pytest.raises(ValidationError):
        record_sentence(
            actor=om,
            person=person,
            legal_basis="fine",
            programme_requirement=True,
            start_date=dt.date(2026, 1, 1),
            supervision_end_date=dt.date(2028, 1, 1),
        )
    record_sentence(
        actor=om,
        person=person,
        legal_basis="licence",
        programme_requirement=True,
        start_date=dt.date(2026, 1, 1),
        supervision_end_date=dt.date(2028, 1, 1),
    )
    assert _events("sentence.recorded")


# --- risk ---------------------------------------------------------------------------------------------------


def test_rm2000_recorded_as_assessed(om):
    person = _new_person(om)
    record_rm2000(
        actor=om, person=person, s="high", v="low", c="medium", assessed_on=TODAY, assessor="J. Smith"
    )
    assert RiskMatrixAssessment.objects.get().source == "recorded"
    with pytest.raises(ValidationError) as error:
        record_rm2000(actor=om, person=person, s="extreme", v="low", c="low", assessed_on=TODAY, assessor="")
    assert set(error.value.message_dict) == {"s", "assessor"}


def _inputs(person, **overrides):
    values = {
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "assessment_date": TODAY,
        "commencement_of_risk_date": TODAY - dt.timedelta(days=30),
        "sexual_appearances": 2,
        "criminal_appearances": 3,
        "violent_appearances": 0,
        "burglary": False,
        "male_victim": False,
        "stranger_victim": True,
        "non_contact_offence": True,
        "single": False,
    }
    return RM2000Input(**(values | overrides))


def test_rm2000_calculated_with_the_active_table_and_its_working(om):
    person = _new_person(om, date_of_birth=years_ago(40))
    assessment = calculate_and_record_rm2000(actor=om, person=person, inputs=_inputs(person))
    # Step 1: age 39 (0) + 2 sexual appearances (1) + 3 criminal (0) = 1 Medium; 2 factors: up one -> High.
    assert (assessment.s, assessment.source) == ("high", "calculated")
    assert assessment.table_version == DEFAULT_SCORING_TABLE["version"]
    assert assessment.working and assessment.inputs["sexual_appearances"] == 2
    assert _events("rm2000.calculated")[0].changes["table_version"] == DEFAULT_SCORING_TABLE["version"]


def test_a_corrected_scoring_table_is_used_once_active(om):
    Rm2000ScoringTable.objects.update(active=False)
    corrected = {**DEFAULT_SCORING_TABLE, "version": "area-corrected-2"}
    Rm2000ScoringTable.objects.create(
        version="area-corrected-2", table=corrected, source_note="Checked", active=True
    )
    person = _new_person(om, date_of_birth=years_ago(40))
    assessment = calculate_and_record_rm2000(actor=om, person=person, inputs=_inputs(person))
    assert assessment.table_version == "area-corrected-2"


def test_rm2000_refusals_become_field_errors(om):
    person = _new_person(om, date_of_birth=years_ago(40))
    with pytest.raises(ValidationError) as error:
        calculate_and_record_rm2000(actor=om, person=person, inputs=_inputs(person, sexual_appearances=0))
    assert "sexual_appearances" in error.value.message_dict
    woman = _new_person(om, crn="C000002", sex="female", date_of_birth=years_ago(40))
    with pytest.raises(ValidationError) as error:
        calculate_and_record_rm2000(actor=om, person=woman, inputs=_inputs(woman))
    assert error.value.message_dict == {"sex": ["Risk Matrix 2000 is only valid for males"]}
    with pytest.raises(ValidationError) as error:  # inputs that do not match the record
        calculate_and_record_rm2000(actor=om, person=person, inputs=_inputs(person, sex="female"))
    assert "sex" in error.value.message_dict
    assert not RiskMatrixAssessment.objects.exists()


def test_rosh_and_deviance(om, tm):
    person = _new_person(om)
    record_rosh(actor=om, person=person, level="very_high", assessed_on=TODAY)
    with pytest.raises(ValidationError):
        record_rosh(actor=om, person=person, level="severe", assessed_on=TODAY)
    with pytest.raises(PermissionDenied):  # domain.md §7: a TM records deviance
        record_deviance(actor=om, person=person, level="low", rationale="Seems fine")
    with pytest.raises(ValidationError) as error:
        record_deviance(actor=tm, person=person, level="high", rationale="  ")
    assert "rationale" in error.value.message_dict
    record_deviance(actor=tm, person=person, level="high", rationale="Four problem scales")
    assert _events("deviance.recorded")[0].reason == "Four problem scales"


# --- referrals ----------------------------------------------------------------------------------------------


def test_an_om_starts_a_draft_referral_with_history_and_audit(om, area):
    person = eligible_person(area, om)
    referral = create_referral(actor=om, person=person, programme="isotp", format="group")
    assert (referral.status, referral.area_id, referral.referred_by) == ("draft", area.pk, om)
    change = ReferralStatusChange.objects.get(referral=referral)
    assert (change.from_status, change.to_status, change.actor) == ("", "draft", om)
    assert _events("referral.created")[0].object_label == person.crn


def test_only_the_persons_om_refers(om, tm, area):
    person = eligible_person(area, om)
    with pytest.raises(PermissionDenied):
        create_referral(actor=tm, person=person, programme="isotp", format="group")
    someone_else = eligible_person(area, UserFactory(role=Role.OFFENDER_MANAGER, area=area))
    with pytest.raises(Http404):  # not on his caseload: out of reach, so not found
        create_referral(actor=om, person=someone_else, programme="isotp", format="group")


def test_one_open_referral_per_person_per_programme(om, area):
    person = eligible_person(area, om)
    first = create_referral(actor=om, person=person, programme="isotp", format="group")
    with pytest.raises(ValidationError) as error:
        create_referral(actor=om, person=person, programme="isotp", format="one_to_one")
    assert "programme" in error.value.message_dict
    # issue 13: one programme at a time: another programme is refused too, with the page's reason.
    with pytest.raises(ValidationError) as error:
        create_referral(actor=om, person=person, programme="nsogp", format="group")
    assert error.value.message_dict["programme"] == [
        "A draft referral for i-SOTP group has been started: a new referral cannot be made while that one is open"
    ]
    change_status(actor=om, referral=first, to_status="withdrawn", reason_code="referral_made_in_error")
    create_referral(actor=om, person=person, programme="isotp", format="one_to_one")  # first is closed


def test_only_isotp_has_a_one_to_one_format(om, area):
    with pytest.raises(ValidationError) as error:
        create_referral(actor=om, person=eligible_person(area, om), programme="nsogp", format="one_to_one")
    assert "format" in error.value.message_dict


def test_update_referral_only_while_draft(om, area):
    referral = referral_for(area, om)
    update_referral(
        actor=om, referral=referral, planned_start=TODAY + dt.timedelta(days=60), notes="Keen to start"
    )
    assert _events("referral.updated")[0].changes["notes"]["to"] == "Keen to start"
    submit_referral(actor=om, referral=referral)
    with pytest.raises(DomainConflict) as conflict:
        update_referral(actor=om, referral=referral, notes="Too late")
    assert conflict.value.code == "REFERRAL_NOT_DRAFT"


def test_submit_refuses_an_incomplete_referral_and_changes_nothing(om, area):
    referral = referral_for(area, om, complete=False)
    with pytest.raises(DomainConflict) as conflict:
        submit_referral(actor=om, referral=referral)
    assert conflict.value.code == "REFERRAL_INCOMPLETE"
    assert conflict.value.as_dict()["missing"] == ["convictions", "sentence"]
    referral.refresh_from_db()
    assert referral.status == "draft" and referral.submitted_at is None
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 1
    ConvictionFactory(person=referral.person)
    SentenceFactory(person=referral.person)
    submit_referral(actor=om, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "submitted" and referral.submitted_at is not None


def test_an_illegal_move_is_a_conflict_listing_the_allowed_ones(tm, area, om):
    referral = referral_for(area, om, status="submitted")
    with pytest.raises(DomainConflict) as conflict:
        change_status(actor=tm, referral=referral, to_status="allocated")
    assert conflict.value.code == "ILLEGAL_TRANSITION"
    assert conflict.value.allowed == ["assessment", "on_hold", "withdrawn"]
    referral.refresh_from_db()
    assert referral.status == "submitted" and not _events("referral.status_changed")


def test_closing_moves_need_a_known_reason(tm, area, om):
    referral = referral_for(area, om, status="submitted")
    with pytest.raises(ValidationError) as error:
        change_status(actor=tm, referral=referral, to_status="withdrawn")
    assert "reason_code" in error.value.message_dict
    with pytest.raises(ValidationError):
        change_status(actor=tm, referral=referral, to_status="withdrawn", reason_code="bored")
    with pytest.raises(ValidationError) as error:
        change_status(actor=tm, referral=referral, to_status="withdrawn", reason_code="other")
    assert "reason" in error.value.message_dict
    change_status(actor=tm, referral=referral, to_status="withdrawn", reason_code="other", reason="Deported")
    change = ReferralStatusChange.objects.filter(referral=referral).last()
    assert change is not None
    assert (change.to_status, change.reason_code, change.reason, change.actor) == (
        "withdrawn",
        "other",
        "Deported",
        tm,
    )


def test_a_parked_referral_returns_where_it_came_from_and_keeps_its_place(tm, area, om):
    referral = referral_for(area, om, status="awaiting_allocation")
    joined = referral.awaiting_since
    change_status(actor=tm, referral=referral, to_status="on_hold", reason_code="in_hospital")
    referral.refresh_from_db()
    assert (referral.status, referral.returns_to) == ("on_hold", "awaiting_allocation")
    with pytest.raises(DomainConflict) as conflict:
        change_status(actor=tm, referral=referral, to_status="suitable")
    assert conflict.value.allowed == ["awaiting_allocation", "withdrawn"]
    change_status(actor=tm, referral=referral, to_status="awaiting_allocation")
    referral.refresh_from_db()
    assert (referral.status, referral.returns_to, referral.awaiting_since) == (
        "awaiting_allocation",
        "",
        joined,
    )


def test_joining_the_waiting_list_starts_the_wait_and_a_restart_rejoins_it(tm, area, om, time_machine):
    time_machine.move_to(
        dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC), tick=False
    )  # before the group starts
    referral = referral_for(area, om, status="suitable")
    change_status(actor=tm, referral=referral, to_status="awaiting_allocation")
    referral.refresh_from_db()
    first = referral.awaiting_since
    assert first is not None
    place = Membership.objects.create(
        group=make_group(area), referral=referral, joined_on=dt.date(2027, 1, 4), allocated_by=tm
    )
    move_as_consequence(actor=tm, referral=referral, membership=place, to_status="allocated")
    Referral.objects.filter(pk=referral.pk).update(status="on_programme")  # the first session, on the group
    Membership.objects.filter(pk=place.pk).update(
        status="restart_required", next_status="awaiting_allocation"
    )
    move_as_consequence(actor=tm, referral=referral, membership=place, to_status="restart_required")
    time_machine.shift(dt.timedelta(minutes=1))
    change_status(actor=tm, referral=referral, to_status="awaiting_allocation")
    referral.refresh_from_db()
    assert referral.awaiting_since is not None and referral.awaiting_since > first


def test_an_om_may_submit_and_withdraw_but_not_assess(om, area):
    referral = referral_for(area, om)
    change_status(actor=om, referral=referral, to_status="submitted")
    with pytest.raises(PermissionDenied):
        change_status(actor=om, referral=referral, to_status="assessment")
    change_status(actor=om, referral=referral, to_status="withdrawn", reason_code="order_revoked")


@pytest.mark.parametrize(
    ("status", "target", "code"),
    [
        ("assessment", "suitable", "ASSESSMENT_REQUIRED"),
        ("assessment", "not_suitable", "ASSESSMENT_REQUIRED"),
        ("awaiting_allocation", "allocated", "DELIVERY_REQUIRED"),
        ("allocated", "on_programme", "DELIVERY_REQUIRED"),
        ("on_programme", "completed", "DELIVERY_REQUIRED"),
    ],
)
def test_change_status_itself_refuses_the_moves_made_elsewhere(tm, area, om, status, target, code):
    """Issue 7: the reserved-move rule lived in the page, the API and the serializer; any other caller walked past
    it. The service refuses it, naming the hand-made moves instead (`rules.transitions.manual_transitions`)."""
    referral = referral_for(area, om, status=status)
    with pytest.raises(DomainConflict) as refused:
        change_status(actor=tm, referral=referral, to_status=target)
    assert refused.value.code == code
    assert target not in refused.value.allowed
    # Waiting, he may still be withdrawn by hand; once on a group, removal happens on the group.
    assert ("withdrawn" in refused.value.allowed) == (status not in ("allocated", "on_programme"))
    referral.refresh_from_db()
    assert referral.status == status


def test_on_hold_from_the_assessment_parks_the_referral_with_its_reason(tm, area, om):
    """The assessment page's "on hold" is an outcome the service (and so the API) knows: parked where it stood,
    with its reason, and no override."""
    referral = referral_for(area, om, status="submitted")
    with pytest.raises(ValidationError) as missing:
        record_assessment(actor=tm, referral=referral, outcome="on_hold")
    assert "reason_code" in missing.value.message_dict
    with pytest.raises(ValidationError) as override:
        record_assessment(
            actor=tm, referral=referral, outcome="on_hold", override={"programme": "nsogp", "format": "group"}
        )
    assert "override" in override.value.message_dict
    decision = record_assessment(
        actor=tm, referral=referral, outcome="on_hold", reason_code="in_custody", rationale="Remanded"
    )
    referral.refresh_from_db()
    assert decision.outcome == "on_hold"
    assert (referral.status, referral.returns_to) == ("on_hold", "submitted")
    assert referral.status_changes.last().reason_code == "in_custody"


def test_unknown_status_is_a_field_error(tm, area, om):
    with pytest.raises(ValidationError) as error:
        change_status(actor=tm, referral=referral_for(area, om), to_status="lost")
    assert "to_status" in error.value.message_dict


# --- assessment ---------------------------------------------------------------------------------------------


def test_suitable_snapshots_the_decision_and_joins_the_waiting_list(tm, area, om):
    referral = referral_for(area, om, status="submitted")
    assessment = record_assessment(actor=tm, referral=referral, outcome="suitable")
    referral.refresh_from_db()
    assert referral.status == "awaiting_allocation" and referral.awaiting_since is not None
    assert assessment.computed["recommendation"]["programme"] == "isotp"
    assert assessment.computed["programmes"][0]["eligible"] is True
    moves = list(ReferralStatusChange.objects.filter(referral=referral).values_list("to_status", flat=True))
    assert moves == ["draft", "assessment", "suitable", "awaiting_allocation"]
    assert _events("referral.assessed")


def test_going_against_the_rules_needs_a_rationale_and_saves_nothing_without(tm, area, om):
    referral = referral_for(area, om, status="submitted")
    record_rosh(actor=tm, person=referral.person, level="very_high", assessed_on=TODAY)
    with pytest.raises(ValidationError) as error:
        record_assessment(actor=tm, referral=referral, outcome="suitable")
    assert "rationale" in error.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "submitted"  # the move to assessment was rolled back with it
    assert not AssessmentDecision.objects.exists() and not _events("referral.status_changed")


def test_an_override_keeps_both_and_moves_the_referral_to_the_chosen_programme(tm, area, om):
    referral = referral_for(area, om, status="assessment")
    with pytest.raises(ValidationError):
        record_assessment(
            actor=tm,
            referral=referral,
            outcome="suitable",
            override={"programme": "nsogp", "format": "group"},
        )
    assessment = record_assessment(
        actor=tm,
        referral=referral,
        outcome="suitable",
        rationale="Prior contact allegations",
        override={"programme": "nsogp", "format": "group", "route": "core_and_better_lives"},
    )
    referral.refresh_from_db()
    assert (referral.programme, referral.status) == ("nsogp", "awaiting_allocation")
    assert assessment.overridden and assessment.referred_programme == "isotp"
    assert assessment.computed["recommendation"]["programme"] == "isotp"


def test_an_override_that_clashes_with_an_open_referral_saves_nothing(tm, area, om):
    referral = referral_for(area, om, status="assessment")
    ReferralFactory(person=referral.person, programme="nsogp")
    with pytest.raises(ValidationError):
        record_assessment(
            actor=tm,
            referral=referral,
            outcome="suitable",
            rationale="Needs more",
            override={"programme": "nsogp", "format": "group"},
        )
    referral.refresh_from_db()
    assert (referral.programme, referral.status) == ("isotp", "assessment")
    assert not AssessmentDecision.objects.exists()


def test_not_suitable_takes_the_rules_reason_when_they_refuse(tm, area, om):
    referral = referral_for(area, om, status="assessment")
    record_deviance(actor=tm, person=referral.person, level="high", rationale="Five problem scales")
    record_assessment(actor=tm, referral=referral, outcome="not_suitable")
    referral.refresh_from_db()
    last = ReferralStatusChange.objects.filter(referral=referral).last()
    assert last is not None
    assert (referral.status, last.reason_code) == ("not_suitable", "eligibility_rules")


def test_not_suitable_against_the_rules_needs_rationale_and_reason(tm, area, om):
    referral = referral_for(area, om, status="assessment")
    with pytest.raises(ValidationError) as error:
        record_assessment(actor=tm, referral=referral, outcome="not_suitable")
    assert "rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_assessment(actor=tm, referral=referral, outcome="not_suitable", rationale="Denies it all")
    assert "reason_code" in error.value.message_dict


def test_suitable_not_ready_is_parked_after_suitable(tm, area, om):
    referral = referral_for(area, om, status="assessment")
    record_assessment(
        actor=tm, referral=referral, outcome="suitable_not_ready", reason_code="substance_misuse"
    )
    referral.refresh_from_db()
    assert (referral.status, referral.returns_to) == ("suitable_not_ready", "suitable")


def test_only_tms_assess_and_only_referrals_being_assessed(om, tm, area):
    referral = referral_for(area, om, status="submitted")
    with pytest.raises(PermissionDenied):
        record_assessment(actor=om, referral=referral, outcome="suitable")
    waiting = referral_for(area, om, status="awaiting_allocation")
    with pytest.raises(DomainConflict) as conflict:
        record_assessment(actor=tm, referral=waiting, outcome="suitable")
    assert conflict.value.code == "NOT_IN_ASSESSMENT"


# --- every write is audited in the same transaction ---------------------------------------------------------


def test_a_failing_audit_write_leaves_nothing_saved(om, area, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(auditing, "record_event", broken)
    with pytest.raises(RuntimeError):
        _new_person(om)
    assert not Person.objects.exists()
    referral = referral_for(area, om)
    with pytest.raises(RuntimeError):
        submit_referral(actor=om, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "draft"
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 1
    assert not Referral.objects.filter(status="submitted").exists()


# --- configuration ------------------------------------------------------------------------------------------


@pytest.fixture
def superuser(area):
    """Configuration is saved through the Django admin, by superusers only."""
    return UserFactory(is_superuser=True, is_staff=True, area=area, role=Role.AREA_ADMIN)


def test_saving_an_active_scoring_table_retires_the_old_one(superuser):
    corrected = {**DEFAULT_SCORING_TABLE, "version": "2007-guide-checked"}
    table = save_scoring_table(
        actor=superuser,
        scoring_table=Rm2000ScoringTable(
            version="2007-guide-checked", table=corrected, source_note="Checked against §13-15", active=True
        ),
    )
    assert list(Rm2000ScoringTable.objects.filter(active=True)) == [table]
    assert _events("rm2000_table.saved")[0].object_id == "2007-guide-checked"
    broken = {**corrected, "version": "broken", "s": {}}
    with pytest.raises(ValidationError) as error:
        save_scoring_table(
            actor=superuser, scoring_table=Rm2000ScoringTable(version="broken", table=broken, source_note="x")
        )
    assert "table" in error.value.message_dict


def test_eligibility_configuration_is_checked_by_the_rules(superuser, area):
    from referrals.models import EligibilityConfiguration

    with pytest.raises(ValidationError):
        save_eligibility_configuration(
            actor=superuser, configuration=EligibilityConfiguration(area=area, values={"min_iq": "eighty"})
        )
    with pytest.raises(ValidationError):
        save_eligibility_configuration(
            actor=superuser, configuration=EligibilityConfiguration(area=area, values={"shoe_size": 9})
        )
    save_eligibility_configuration(
        actor=superuser,
        configuration=EligibilityConfiguration(area=area, values={"young_adult_band_enabled": True}),
    )
    assert _events("eligibility_configuration.saved")


def test_other_information_answered_is_recorded_on_the_referral(om):
    """The task list knows the OM answered 'other information' even in a new session (the answers default to No)."""
    from referrals.services.referrals import create_referral
    from tests.referrals.factories import PersonFactory

    person = PersonFactory(area=om.area, offender_manager=om)
    referral = create_referral(actor=om, person=person, programme="isotp", format="group")
    assert referral.other_information_answered_at is None
    answered = answer_other_information(
        actor=om,
        referral=referral,
        active_appeal=False,
        maintains_innocence=False,
        completed_prison_sotp=False,
    )
    assert answered.other_information_answered_at is not None


def test_answering_other_information_with_the_defaults_is_audited(area, om):
    from referrals.services.referrals import answer_other_information

    referral = referral_for(area, om, status="draft")
    answer_other_information(
        actor=om,
        referral=referral,
        active_appeal=False,
        maintains_innocence=False,
        completed_prison_sotp=False,
        notes="",
    )
    referral.refresh_from_db()
    assert referral.other_information_answered_at is not None
    event = AuditEvent.objects.get(action="referral.other_information_answered")
    assert event.actor_id == om.pk
