"""factory_boy factories for people, their record and their referrals, plus helpers that build whole cases.

Factories write rows directly (for fixtures); tests of behaviour go through the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Role
from referrals.models import (
    Conviction,
    DevianceAssessment,
    Offence,
    Person,
    Referral,
    ReferralStatusChange,
    RiskMatrixAssessment,
    RoshAssessment,
    Sentence,
)
from referrals.rules import RM2000Input
from tests.factories import ProbationAreaFactory, UserFactory

TODAY = dt.date(2026, 11, 24)


def years_ago(years: int, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    crn = factory.Sequence(lambda n: f"X{n:06d}")
    first_name = factory.Faker("first_name_male", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.LazyFunction(lambda: years_ago(35))
    sex = "male"
    iq = 100
    area = factory.SubFactory(ProbationAreaFactory)
    offender_manager = factory.SubFactory(
        UserFactory, role=Role.OFFENDER_MANAGER, area=factory.SelfAttribute("..area")
    )


def offence(code: str = "pca1978_s1_1a") -> Offence:
    """An offence from the seeded reference table."""
    return Offence.objects.get(code=code)


class ConvictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conviction

    person = factory.SubFactory(PersonFactory)
    offence = factory.LazyFunction(lambda: offence("pca1978_s1_1a"))
    conviction_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=120))
    offence_date = factory.LazyAttribute(lambda c: c.conviction_date - dt.timedelta(days=200))


class SentenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sentence

    person = factory.SubFactory(PersonFactory)
    legal_basis = "community_order"
    programme_requirement = True
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=90))
    supervision_end_date = factory.LazyAttribute(lambda o: o.start_date.replace(year=o.start_date.year + 3))


class RiskMatrixFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RiskMatrixAssessment

    person = factory.SubFactory(PersonFactory)
    s, v, c = "medium", "low", "medium"
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    assessor = "A. Assessor"


class RoshFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoshAssessment

    person = factory.SubFactory(PersonFactory)
    level = "medium"
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))


class DevianceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DevianceAssessment

    person = factory.SubFactory(PersonFactory)
    level = "low"
    rationale = "Pre-programme psychometrics within the normal range"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    person = factory.SubFactory(PersonFactory)
    area = factory.SelfAttribute("person.area")
    programme = "isotp"
    format = "group"
    status = "draft"
    referred_by = factory.SelfAttribute("person.offender_manager")
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == "draft" else timezone.now())
    awaiting_since = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in ("awaiting_allocation", "allocated") else None
    )
    returns_to = factory.LazyAttribute(
        lambda o: {"on_hold": "assessment", "suitable_not_ready": "suitable"}.get(o.status, "")
    )


def eligible_person(area: Any, offender_manager: Any, *, age: int = 35, **fields: Any) -> Person:
    """A man with a complete record that makes him eligible for the i-SOTP group (no assessment missing)."""
    person = PersonFactory(
        area=area, offender_manager=offender_manager, date_of_birth=years_ago(age), **fields
    )
    ConvictionFactory(person=person)
    SentenceFactory(person=person)
    RiskMatrixFactory(person=person)
    RoshFactory(person=person)
    DevianceFactory(person=person)
    return person


def referral_for(
    area: Any, offender_manager: Any, *, status: str = "draft", complete: bool = True, **fields: Any
) -> Referral:
    """A referral (with a complete person by default) on `offender_manager`'s caseload, with a history row."""
    person = (
        eligible_person(area, offender_manager)
        if complete
        else PersonFactory(area=area, offender_manager=offender_manager)
    )
    referral = ReferralFactory(person=person, status=status, **fields)
    ReferralStatusChange.objects.create(
        referral=referral, from_status="", to_status="draft", actor=offender_manager
    )
    return referral


def rm2000_inputs(person: Person, **overrides: Any) -> RM2000Input:
    """RM2000 calculator answers for `person` (a man with one sexual appearance a month ago)."""
    today = timezone.localdate()
    values: dict[str, Any] = {
        "sex": person.sex,
        "date_of_birth": person.date_of_birth,
        "assessment_date": today,
        "commencement_of_risk_date": today - dt.timedelta(days=30),
        "sexual_appearances": 1,
        "criminal_appearances": 1,
        "violent_appearances": 0,
        "burglary": False,
        "male_victim": False,
        "stranger_victim": False,
        "non_contact_offence": True,
        "single": False,
    }
    return RM2000Input(**(values | overrides))


# A valid body for the OGRS3 calculator (POST api-ogrs3-score); tests change one field at a time.
OGRS3 = {
    "sex": "male",
    "date_of_birth": "2000-06-01",
    "conviction_date": "2020-06-01",
    "assessment_date": "2020-06-01",
    "age_at_first_sanction": 20,
    "previous_sanctions": 0,
    "offence_group": "violence",
}
