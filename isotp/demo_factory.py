"""The building blocks the apps' demo seeds share (`<app>/demo.py`, quality/demo_cohorts.py): the demo areas and
their staff, the waiting list, a group entered as it began in the past, a referral back-dated to when it was
made, and an archived person with a sentence. Demo only: never called by the service itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from accounts.demo import demo_email
from accounts.models import ProbationArea, User, Venue
from isotp import clock
from isotp.errors import DomainConflict
from referrals.models import Person, Referral, ReferralStatusChange, Sentence
from referrals.rules.transitions import ReferralStatus
from sessions.models import Membership, ProgrammeGroup

DEMO_AREAS = ("cheshire", "northumbria")


def demo_areas() -> QuerySet[ProbationArea]:
    """The demo areas the accounts demo made (none before it has run)."""
    return ProbationArea.objects.filter(code__in=DEMO_AREAS)


def demo_user(local: str, area_code: str) -> User | None:
    """The demo account `local@<area>.example`, or None before the accounts demo has run."""
    return User.objects.filter(email=demo_email(local, area_code)).first()


def demo_staff(area: ProbationArea, locals_: Iterable[str]) -> dict[str, User | None]:
    """The area's demo accounts by local part (None for any not made yet)."""
    return {local: demo_user(local, area.code) for local in locals_}


def monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def waiting_referrals(area: ProbationArea, programme: str, format: str) -> QuerySet[Referral]:
    """The area's waiting list for a programme and format, longest waiting first."""
    return (
        Referral.objects.filter(
            area=area, status=ReferralStatus.AWAITING_ALLOCATION, programme=programme, format=format
        )
        .select_related("person")
        .order_by("awaiting_since", "id")
    )


def past_group(
    *,
    tm: User,
    programme_code: str,
    venue: Venue,
    facilitators: Sequence[User],
    slots: list[dict[str, str]],
    start: dt.date,
    capacity: int,
    name: str,
    referrals: Iterable[Referral] = (),
    first_accepted: bool = False,
) -> tuple[ProgrammeGroup, list[Membership]]:
    """A group entered through the services as on its `start` (the demo's groups began in the past), with `tm` as
    its treatment manager, and `referrals` allocated to it then: every one, or with `first_accepted` only the first
    the service accepts (a refusal passes to the next)."""
    from sessions import services

    with clock.as_of(start):
        group = services.create_group(
            actor=tm,
            programme_code=programme_code,
            venue=venue,
            treatment_manager=tm,
            facilitators=list(facilitators),
            slots=slots,
            start_date=start,
            capacity=capacity,
            name=name,
        )
        members: list[Membership] = []
        for referral in referrals:
            if not first_accepted:
                members.append(services.allocate(actor=tm, group=group, referral=referral))
                continue
            try:
                members.append(services.allocate(actor=tm, group=group, referral=referral))
            except DomainConflict:
                continue
            break
    return group, members


def backdate_referral(referral: Referral, *, created: Any, submitted: Any, awaiting: Any) -> None:
    """Demo only: the referral was made, submitted and put on the waiting list at these times (the services stamp
    now), its status history moved with it."""
    Referral.objects.filter(pk=referral.pk).update(
        created_at=created, submitted_at=submitted, awaiting_since=awaiting
    )
    referral.created_at = created
    changes = ReferralStatusChange.objects.filter(referral=referral)
    changes.filter(to_status=ReferralStatus.DRAFT).update(at=created)
    changes.filter(to_status=ReferralStatus.SUBMITTED).update(at=submitted)
    changes.filter(
        to_status__in=[ReferralStatus.ASSESSMENT, ReferralStatus.SUITABLE, ReferralStatus.AWAITING_ALLOCATION]
    ).update(at=awaiting)


def archived_person(
    *,
    crn: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    area_id: int,
    om: User,
    sentence_start: dt.date,
    supervision_end: dt.date,
) -> Person:
    """A man written straight to the tables as past history would have left him (no audit of today's hand), with
    his community order with a programme requirement."""
    person = Person.objects.create(
        crn=crn,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        sex="male",
        area_id=area_id,
        offender_manager=om,
        created_by=om,
    )
    Sentence.objects.create(
        person=person,
        legal_basis="community_order",
        programme_requirement=True,
        start_date=sentence_start,
        supervision_end_date=supervision_end,
        recorded_by=om,
    )
    return person
