"""One-to-one plans: sessions per module by treatment need, one facilitator, sessions generated like a group's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User, Venue
from accounts.permissions import can_manage_delivery, delivers_programmes, require, require_in_area
from audit.services import record_event
from isotp.clock import today
from isotp.errors import DomainConflict
from referrals.models import Referral
from referrals.rules.transitions import ReferralStatus
from referrals.services.status import move_as_consequence
from sessions.models import Delivery, Membership, OneToOnePlan
from sessions.rules import Slot, age_on, check_age_band, validate_one_to_one_plan
from sessions.selectors.area import closures_of, jurisdiction_of
from sessions.selectors.catalogue import programme_for_area
from sessions.services.bookings import candidates_from, check_clashes, lock_bookables, write_schedule
from sessions.services.slots import parse_slots

from .groups import check_facilitators, check_supervised, next_reference, schedule_for
from .memberships import _check_referral, _lock_referral

DEFAULT_ONE_TO_ONE = "isotp_one_to_one"


def parse_plan(sessions_per_module: Mapping[Any, Any]) -> dict[int, int]:
    """{"1": 5} or {1: 5} -> {1: 5}; ValidationError on `sessions_per_module` otherwise."""
    try:
        return {int(k): int(v) for k, v in sessions_per_module.items()}
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(
            {"sessions_per_module": ["Give a whole number of sessions for each module."]}
        ) from None


def check_plan(plan: Mapping[int, int], *, programme: Any, rationale: str | None) -> None:
    """The one-to-one plan rules (domain.md §2.2): the 20-30 total is hard; a module outside its guidance range
    needs a recorded rationale. ValidationError on `sessions_per_module` or `rationale`. A preview passes
    `rationale=None`: only the hard rules apply, as nothing is recorded."""
    result = validate_one_to_one_plan(plan, programme.as_entry())
    if result.errors:
        raise ValidationError({"sessions_per_module": [issue.message for issue in result.errors]})
    if rationale is not None and result.needs_rationale and not rationale.strip():
        raise ValidationError({"rationale": [issue.message for issue in result.needs_rationale]})


@transaction.atomic
def create_one_to_one_plan(
    *,
    actor: User,
    referral: Referral,
    facilitator: User,
    sessions_per_module: Mapping[Any, Any],
    rationale: str,
    slots: Iterable[Slot | Mapping[str, Any]],
    start_date: dt.date,
    venue: Venue,
    programme_code: str = DEFAULT_ONE_TO_ONE,
) -> OneToOnePlan:
    """Treatment managers: a one-to-one plan for a waiting referral, its sessions and its (single) membership.

    400: the plan breaks the 20-30 total or leaves a module out; a module outside its range without a rationale;
    an untrained facilitator (naming what is missing); a venue outside the area; bad slots. 409: the referral is
    not waiting or already placed (NOT_AWAITING_ALLOCATION, ALREADY_ALLOCATED, WRONG_PROGRAMME), UNDER_AGE on the
    start date, a venue or facilitator clash naming the session. Locks the referral, venue and facilitator.
    The referral moves to `allocated`. Audited.
    """
    require_in_area(actor, referral)
    require(can_manage_delivery(actor), "Only treatment managers create one-to-one plans")
    area = actor.area
    assert area is not None
    if start_date < today():
        raise ValidationError({"start_date": ["The start date must be today or in the future."]})
    programme = programme_for_area(area, programme_code, on=start_date)
    if programme is None or programme.delivery != Delivery.ONE_TO_ONE:
        raise ValidationError({"programme": ["Choose a one-to-one programme this area offers."]})
    if venue.area_id != actor.area_id or not venue.active:
        raise ValidationError({"venue": ["Choose an active venue in your area."]})
    plan = parse_plan(sessions_per_module)
    check_plan(plan, programme=programme, rationale=rationale)
    if not delivers_programmes(facilitator):
        raise ValidationError({"facilitator": [f"{facilitator.full_name} is not a facilitator."]})
    check_facilitators([facilitator], programme=programme, area_id=actor.area_id, field="facilitator")
    check_supervised([facilitator], on=start_date)
    parsed = parse_slots(slots, max_slots=programme.max_slots_per_week)
    locked = _lock_referral(referral)
    _check_referral(locked, area_id=area.pk, programme=programme.programme, group_format=False)
    schedule = schedule_for(
        programme,
        start_date=start_date,
        slots=parsed,
        jurisdiction=jurisdiction_of(area),
        closures=closures_of(area),
        sessions_per_module=plan,
    )
    first = schedule.sessions[0].date
    age_issue = check_age_band(
        age_on(locked.person.date_of_birth, first), programme.min_age, programme.max_age
    )
    if age_issue is not None:
        raise DomainConflict(age_issue.message, code=age_issue.code)
    lock_bookables(venue, [facilitator])
    check_clashes(candidates_from(schedule.sessions), venue=venue, facilitators=[facilitator])
    try:
        with transaction.atomic():
            created = OneToOnePlan.objects.create(
                area=area,
                programme=programme,
                referral=locked,
                reference=next_reference(OneToOnePlan, area, programme, first),
                facilitator=facilitator,
                treatment_manager=actor,
                venue=venue,
                sessions_per_module={str(k): v for k, v in sorted(plan.items())},
                rationale=rationale.strip(),
                total_sessions=sum(plan.values()),
                start_date=first,
                created_by=actor,
            )
            membership = Membership.objects.create(
                plan=created, referral=locked, joined_on=first, allocated_by=actor
            )
    except IntegrityError:
        raise DomainConflict(
            "Someone else placed this referral or took this reference at the same moment: try again.",
            code="ALREADY_ALLOCATED",
        ) from None
    sessions = write_schedule(
        owner={"plan": created}, slots=parsed, schedule=schedule, venue=venue, facilitators=[facilitator]
    )
    move_as_consequence(
        actor=actor,
        referral=locked,
        membership=membership,
        to_status=ReferralStatus.ALLOCATED,
        reason=f"One-to-one plan {created.reference}",
    )
    record_event(
        actor=actor,
        action="plan.created",
        obj=created,
        object_label=created.reference,
        changes={
            "programme": f"{programme.code} v{programme.version}",
            "referral": str(locked.public_id),
            "membership": str(membership.public_id),
            "facilitator": str(facilitator.public_id),
            "venue": venue.name,
            "sessions_per_module": created.sessions_per_module,
            "slots": [s.label() for s in parsed],
            "start_date": first,
            "sessions": len(sessions),
        },
        reason=rationale,
    )
    return created
