"""What the database itself refuses (constraints), and the seeded reference data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from referrals.models import (
    AssessmentDecision,
    DevianceAssessment,
    Offence,
    Person,
    Referral,
    Rm2000ScoringTable,
)
from referrals.rules import DEFAULT_SCORING_TABLE, OFFENCE_CATEGORIES, validate_scoring_table
from tests.referrals.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _refused(**kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        kwargs.pop("make")(**kwargs)


def test_seeded_offences_cover_every_category_with_legislation():
    offences = list(Offence.objects.all())
    assert {o.category for o in offences} == set(OFFENCE_CATEGORIES)
    assert Offence.objects.get(code="pca1978_s1_1a").category == "iioc_take_make"
    assert Offence.objects.get(code="cja1988_s160").legislation == "Criminal Justice Act 1988 s.160"
    assert Offence.objects.get(code="soa2003_s15").category == "grooming_meeting_child"
    assert {Offence.objects.get(code=f"soa2003_s{n}").category for n in (48, 49, 50)} == {
        "csec_cause_incite",
        "csec_control",
        "csec_arrange_facilitate",
    }


def test_the_seeded_scoring_table_is_valid_and_active():
    table = Rm2000ScoringTable.objects.get(active=True)
    assert table.version == DEFAULT_SCORING_TABLE["version"] and validate_scoring_table(table.table) == []


def test_only_one_scoring_table_is_active():
    _refused(make=Rm2000ScoringTable.objects.create, version="x", table={}, source_note="x", active=True)


@pytest.mark.parametrize("crn", ["c123456", "C12345", "CC23456", "1234567"])
def test_the_database_refuses_a_bad_crn(area, crn):
    person = PersonFactory.build(area=area, crn=crn)
    person.offender_manager.save()
    _refused(
        make=Person.objects.create,
        crn=crn,
        first_name="A",
        last_name="B",
        date_of_birth=dt.date(1980, 1, 1),
        sex="male",
        area=area,
        offender_manager=person.offender_manager,
    )


def test_unknown_codes_are_refused(area):
    person = PersonFactory(area=area)
    base = {"person": person, "area": area, "referred_by": person.offender_manager}
    _refused(make=Referral.objects.create, status="lost", programme="isotp", format="group", **base)
    _refused(make=Referral.objects.create, programme="sotp", format="group", **base)
    _refused(make=Referral.objects.create, programme="nsogp", format="one_to_one", **base)


def test_one_open_referral_per_person_and_programme(area):
    referral = ReferralFactory(person=PersonFactory(area=area))
    _refused(make=ReferralFactory.create, person=referral.person)
    referral.status, referral.submitted_at = "withdrawn", None
    referral.save()
    ReferralFactory(person=referral.person)  # the first one is closed


def test_parking_remembers_where_to_return(area):
    referral = ReferralFactory(person=PersonFactory(area=area), status="on_hold")
    assert referral.returns_to == "assessment"
    referral.returns_to = ""
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save()
    referral.returns_to = "completed"  # not a status on_hold can come from
    with pytest.raises(IntegrityError), transaction.atomic():
        referral.save()
    _refused(
        make=ReferralFactory.create,
        person=PersonFactory(area=area),
        status="submitted",
        returns_to="assessment",
    )


def test_waiting_referrals_know_since_when(area):
    _refused(
        make=ReferralFactory.create,
        person=PersonFactory(area=area),
        status="awaiting_allocation",
        awaiting_since=None,
    )


def test_deviance_needs_a_rationale_and_an_override_too(area):
    person = PersonFactory(area=area)
    _refused(make=DevianceAssessment.objects.create, person=person, level="high", rationale="")
    referral = ReferralFactory(person=person, status="assessment")
    _refused(
        make=AssessmentDecision.objects.create,
        referral=referral,
        outcome="suitable",
        computed={},
        planned_start=dt.date(2027, 1, 1),
        referred_programme="isotp",
        referred_format="group",
        override_programme="nsogp",
        override_format="group",
        rationale="",
        actor=person.offender_manager,
    )


def test_person_str_is_the_crn_never_the_name(area):
    person = PersonFactory(area=area, crn="C000123", first_name="Zed")
    assert str(person) == "C000123"
