"""Factories and helpers for the delivery tests: groups and plans go through the services (so they have real
schedules), and waiting referrals come from the referrals factories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import ProbationArea, Role, User
from referrals.models import Referral, ReferralStatusChange
from sessions import services
from sessions.models import OneToOnePlan, ProgrammeGroup
from tests.factories import UserFactory, VenueFactory, supervise, train_facilitator
from tests.referrals.factories import PersonFactory, ReferralFactory, years_ago

MONDAY_18 = [{"weekday": "monday", "start_time": "18:00"}]


def trained_facilitator(
    area: ProbationArea, *programmes: str, supervised: bool = True, **fields: Any
) -> User:
    """A facilitator of `area` trained for i-SOTP (and N-SOGP core: the default training), supervised by the
    area's treatment manager (000: at all times) unless `supervised` is False."""
    user = train_facilitator(UserFactory(role=Role.FACILITATOR, area=area, **fields), *programmes)
    if supervised:
        supervise(tm_of(area), user)
    return user


def tm_of(area: ProbationArea) -> User:
    return User.objects.filter(area=area, role=Role.TREATMENT_MANAGER).first() or UserFactory(
        role=Role.TREATMENT_MANAGER, area=area
    )


def make_group(
    area: ProbationArea,
    *,
    actor: User | None = None,
    programme_code: str = "isotp_group",
    facilitators: list[User] | None = None,
    venue: Any = None,
    slots: list[dict[str, str]] | None = None,
    start_date: dt.date = dt.date(2027, 1, 4),
    capacity: int = 10,
    **extra: Any,
) -> ProgrammeGroup:
    """A group created through `services.create_group`, with two fresh trained facilitators by default."""
    actor = actor or tm_of(area)
    return services.create_group(
        actor=actor,
        programme_code=programme_code,
        venue=venue or VenueFactory(area=area),
        treatment_manager=actor if actor.role == Role.TREATMENT_MANAGER else tm_of(area),
        facilitators=facilitators
        if facilitators is not None
        else [trained_facilitator(area), trained_facilitator(area)],
        slots=slots or MONDAY_18,
        start_date=start_date,
        capacity=capacity,
        **extra,
    )


def waiting_referral(
    area: ProbationArea,
    om: User | None = None,
    *,
    age: int = 35,
    date_of_birth: dt.date | None = None,
    programme: str = "isotp",
    format: str = "group",
    completed_prison_sotp: bool = False,
) -> Referral:
    """A referral on the waiting list (awaiting allocation), for a man aged `age` today by default."""
    om = (
        om
        or User.objects.filter(area=area, role=Role.OFFENDER_MANAGER).first()
        or UserFactory(role=Role.OFFENDER_MANAGER, area=area)
    )
    person = PersonFactory(area=area, offender_manager=om, date_of_birth=date_of_birth or years_ago(age))
    referral = ReferralFactory(
        person=person,
        status="awaiting_allocation",
        programme=programme,
        format=format,
        completed_prison_sotp=completed_prison_sotp,
    )
    ReferralStatusChange.objects.create(
        referral=referral, from_status="suitable", to_status="awaiting_allocation", actor=om
    )
    return referral


def default_plan_modules() -> dict[str, int]:
    """A one-to-one plan inside every module range: 4+4+4+8+3+5 = 28 sessions."""
    return {"1": 4, "2": 4, "3": 4, "4": 8, "5": 3, "6": 5}


def make_plan(
    area: ProbationArea,
    *,
    actor: User | None = None,
    referral: Referral | None = None,
    facilitator: User | None = None,
    venue: Any = None,
    start_date: dt.date = dt.date(2027, 1, 5),
    **extra: Any,
) -> OneToOnePlan:
    actor = actor or tm_of(area)
    return services.create_one_to_one_plan(
        actor=actor,
        referral=referral or waiting_referral(area, format="one_to_one"),
        facilitator=facilitator or trained_facilitator(area),
        sessions_per_module=extra.pop("sessions_per_module", default_plan_modules()),
        rationale=extra.pop("rationale", ""),
        slots=extra.pop("slots", [{"weekday": "tuesday", "start_time": "10:00"}]),
        start_date=start_date,
        venue=venue or VenueFactory(area=area),
        **extra,
    )


__all__ = ["MONDAY_18", "make_group", "make_plan", "trained_facilitator", "waiting_referral", "years_ago"]
