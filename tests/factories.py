"""factory_boy factories for the accounts app; other apps add theirs in tests/<app>/factories.py."""

from __future__ import annotations

import datetime as dt

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AreaClosure, FacilitatorTraining, ProbationArea, Role, Supervision, User, Venue

PASSWORD = "correct-horse-battery-staple"


class ProbationAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProbationArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"area{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())
    jurisdiction = "england_and_wales"
    holiday_subdivision = "ENG"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.TREATMENT_MANAGER
    area = factory.SubFactory(ProbationAreaFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def totp(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            TOTPDevice.objects.create(user=self, name="test", confirmed=True)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    area = factory.SubFactory(ProbationAreaFactory)
    name = factory.Sequence(lambda n: f"Group room {n}")
    capacity = 12


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaClosure

    area = factory.SubFactory(ProbationAreaFactory)
    date = dt.date(2027, 1, 15)
    reason = "Staff training day"


def train_facilitator(user: User, *programmes: str) -> User:
    """Give a facilitator the training records 000 requires (assessment centre, N-SOGP core, i-SOTP)."""
    FacilitatorTraining.objects.get_or_create(
        facilitator=user,
        kind="assessment_centre",
        programme="",
        defaults={"date_passed": dt.date(2020, 1, 1)},
    )
    FacilitatorTraining.objects.get_or_create(
        facilitator=user,
        kind="core_programme_training",
        programme="nsogp",
        defaults={"date_passed": dt.date(2020, 6, 1)},
    )
    if "isotp" in programmes or not programmes:
        FacilitatorTraining.objects.get_or_create(
            facilitator=user,
            kind="isotp_training",
            programme="isotp",
            defaults={"date_passed": dt.date(2021, 1, 1)},
        )
    return user


def supervise(tm: User, facilitator: User) -> Supervision:
    return Supervision.objects.create(
        treatment_manager=tm, facilitator=facilitator, started_on=dt.date(2024, 1, 1)
    )
