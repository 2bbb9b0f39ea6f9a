"""Allocation from the waiting list, removal, and attendance (domain.md §5, §6, §9).

Capacity and "one active membership per referral" hold under concurrency: `allocate` locks the group row and
counts the active memberships inside the lock, and the database's partial unique constraint backs it up.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.permissions import can_manage_delivery, require, require_in_area
from audit.services import record_event
from isotp.clock import today as _today
from isotp.errors import DomainConflict
from referrals.models import Referral
from referrals.rules.transitions import ReferralStatus
from referrals.selectors import has_completed_prison_sotp
from referrals.services.status import move_as_consequence
from sessions.models import (
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    PlanStatus,
    ProgrammeGroup,
)
from sessions.rules import (
    age_on,
    check_age_band,
    check_capacity,
)
from sessions.selectors.allocation import age_band_date, join_date

# The statuses a referral may take when its member leaves a group (the transition table has the last word).
REMOVAL_NEXT_STATUSES = (
    ReferralStatus.AWAITING_ALLOCATION,
    ReferralStatus.RESTART_REQUIRED,
    ReferralStatus.DESELECTED,
    ReferralStatus.WITHDRAWN,
    ReferralStatus.COMPLETED,
)


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("person").get(pk=referral.pk)


def _check_referral(referral: Referral, *, area_id: int, programme: str, group_format: bool) -> None:
    if referral.area_id != area_id:
        raise ValidationError({"referral": ["Choose a referral in this area."]})
    if referral.status != ReferralStatus.AWAITING_ALLOCATION:
        raise DomainConflict(
            "Only a referral on the waiting list (awaiting allocation) can be allocated; this one is "
            f"{referral.get_status_display().lower()}.",
            code="NOT_AWAITING_ALLOCATION",
            allowed=[ReferralStatus.AWAITING_ALLOCATION],
        )
    wanted_format = "group" if group_format else "one_to_one"
    if referral.programme != programme or referral.format != wanted_format:
        raise DomainConflict(
            f"The referral is for {referral.get_programme_display()} ({referral.get_format_display().lower()}), "
            "not this programme.",
            code="WRONG_PROGRAMME",
        )
    active = (
        Membership.objects.filter(referral=referral, status=MembershipStatus.ACTIVE)
        .select_related("group", "plan")
        .first()
    )
    if active is not None:
        where = active.group.reference if active.group else active.plan.reference  # type: ignore[union-attr]
        raise DomainConflict(f"The referral already has a place in {where}.", code="ALREADY_ALLOCATED")


RELAPSE_PREVENTION = "nsogp_relapse_prevention"
CORE_GROUP = "nsogp_core_group"


def _check_prerequisite(group: ProgrammeGroup, referral: Referral) -> None:
    """002 (domain.md §3 "N-SOGP sequence"): Relapse Prevention takes men who completed the Core Group or a prison
    SOTP (recorded on the person: referrals.selectors.has_completed_prison_sotp); anyone else is refused
    (409 RP_PREREQUISITE)."""
    if group.programme.code != RELAPSE_PREVENTION:
        return
    person = referral.person
    prison_sotp = has_completed_prison_sotp(person)
    core = Membership.objects.filter(
        referral__person=person, status=MembershipStatus.COMPLETED, group__programme__code=CORE_GROUP
    ).exists()
    if not (prison_sotp or core):
        raise DomainConflict(
            "Relapse Prevention is for men who completed the N-SOGP Core Group or a prison SOTP: neither is "
            "recorded for him. Allocate him to the Core Group, or record a completed prison SOTP on his referral.",
            code="RP_PREREQUISITE",
        )


@transaction.atomic
def allocate(*, actor: User, group: ProgrammeGroup, referral: Referral) -> Membership:
    """Treatment managers: give a waiting referral a place in a group; the referral moves to `allocated`.

    Refusals (409): GROUP_NOT_OPEN, NOT_AWAITING_ALLOCATION, WRONG_PROGRAMME, ALREADY_ALLOCATED, GROUP_FULL, RP_PREREQUISITE,
    UNDER_AGE / OVER_AGE (age on a closed group's start date, or on the join date for a group joined later), GROUP_CLOSED,
    NO_JOIN_POINT. Locks the group row, then the referral: the active members are counted inside the lock, so
    two allocations of the last place cannot both succeed.
    """
    require_in_area(actor, group, referral)
    require(can_manage_delivery(actor), "Only treatment managers allocate")
    today = _today()
    locked = (
        ProgrammeGroup.objects.select_for_update(of=("self",)).select_related("programme").get(pk=group.pk)
    )
    if locked.status in (GroupStatus.COMPLETED, GroupStatus.CANCELLED):
        raise DomainConflict(
            f"{locked.reference} is {locked.get_status_display().lower()}.", code="GROUP_NOT_OPEN"
        )
    person_referral = _lock_referral(referral)
    _check_referral(
        person_referral, area_id=locked.area_id, programme=locked.programme.programme, group_format=True
    )
    members = Membership.objects.filter(group=locked, status=MembershipStatus.ACTIVE).count()
    full = check_capacity(members, locked.capacity)
    if full is not None:
        raise DomainConflict(full.message, code=full.code)
    _check_prerequisite(locked, person_referral)
    joined_on = join_date(locked, today)
    age_date = age_band_date(locked, joined_on)  # the same day the allocation page shows the age on
    person = person_referral.person
    age_issue = check_age_band(age_on(person.date_of_birth, age_date), locked.age_min, locked.age_max)
    if age_issue is not None:
        raise DomainConflict(age_issue.message, code=age_issue.code)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=locked, referral=person_referral, joined_on=joined_on, allocated_by=actor
            )
    except IntegrityError:  # the partial unique constraint: another allocation won the race
        raise DomainConflict("The referral already has an active place.", code="ALREADY_ALLOCATED") from None
    move_as_consequence(
        actor=actor,
        referral=person_referral,
        membership=membership,
        to_status=ReferralStatus.ALLOCATED,
        reason=f"Allocated to {locked.reference}",
    )
    record_event(
        actor=actor,
        action="membership.allocated",
        obj=membership,
        area_id=locked.area_id,
        object_label=locked.reference,
        changes={
            "group": str(locked.public_id),
            "referral": str(person_referral.public_id),
            "joined_on": joined_on,
        },
    )
    return membership


@transaction.atomic
def allocate_several(
    *, actor: User, group: ProgrammeGroup, referrals: Sequence[Referral]
) -> list[Membership]:
    """Treatment managers, from the waiting list (issue 13): give several waiting referrals places in one group,
    all or nothing. Each goes through `allocate` (the same checks, locks and audit), oldest on the list first;
    if any is refused, none is allocated and the refusal (409 ALLOCATION_REFUSED) names every person refused and
    why (`refusals`: referral id, code and message each), so the TM can untick them and try again. Too many
    people for the places left is refused before anyone is tried (GROUP_FULL, with the places left)."""
    require_in_area(actor, group, *referrals)
    require(can_manage_delivery(actor), "Only treatment managers allocate")
    if not referrals:
        raise ValidationError({"referrals": ["Select at least one person to allocate"]})
    locked = ProgrammeGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    members = Membership.objects.filter(group=locked, status=MembershipStatus.ACTIVE).count()
    left = max(locked.capacity - members, 0)
    if len(referrals) > left:
        raise DomainConflict(
            f"{locked.reference} has {left} place{'' if left == 1 else 's'} left and you selected "
            f"{len(referrals)} people: select {left or 'nobody'} at most, or choose another group.",
            code="GROUP_FULL",
            places_left=left,
        )
    memberships: list[Membership] = []
    refusals: list[dict[str, str]] = []
    ordered = sorted(referrals, key=lambda r: (r.awaiting_since is None, r.awaiting_since, r.pk))
    for referral in ordered:
        try:
            with transaction.atomic():
                memberships.append(allocate(actor=actor, group=group, referral=referral))
        except DomainConflict as exc:
            refusals.append(_refusal(referral, exc.code, exc.detail))
        except ValidationError as exc:
            refusals.append(_refusal(referral, "INVALID", " ".join(exc.messages)))
    if refusals:
        names = ", ".join(r["name"] for r in refusals)
        raise DomainConflict(
            f"Nobody was allocated: {len(refusals)} of the {len(referrals)} people selected cannot join "
            f"{locked.reference} ({names}).",
            code="ALLOCATION_REFUSED",
            refusals=[{k: v for k, v in r.items() if k != "name"} for r in refusals],
        )
    return memberships


def _refusal(referral: Referral, code: str, detail: str) -> dict[str, str]:
    person = referral.person
    return {
        "referral": str(referral.public_id),
        "code": code,
        "name": f"{person.full_name} ({person.crn})",
        "detail": f"{person.full_name} ({person.crn}): {detail}",
    }


def _lock_membership(membership: Membership) -> Membership:
    if membership.group_id is not None:
        ProgrammeGroup.objects.select_for_update(of=("self",)).filter(pk=membership.group_id).first()
    elif membership.plan_id is not None:
        OneToOnePlan.objects.select_for_update(of=("self",)).filter(id=membership.plan_id).first()
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("group", "plan", "referral")
        .get(pk=membership.pk)
    )


@transaction.atomic
def remove_member(
    *, actor: User, membership: Membership, reason: str, next_status: str, reason_code: str = ""
) -> Membership:
    """Treatment managers: end an active membership with a reason and the referral's next status (e.g. back to
    `awaiting_allocation`, or `deselected` / `withdrawn` with a reason code). Locks the group (or plan) and the
    membership; the referral moves through `referrals.services.status.move_as_consequence` (409 with the allowed
    statuses if the transition table refuses). A one-to-one plan whose member leaves is cancelled. `left_on` is
    today, or the joining date for someone removed before they joined. Audited.
    """
    require_in_area(actor, membership)
    require(can_manage_delivery(actor), "Only treatment managers remove members")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the person is leaving."]})
    if next_status not in REMOVAL_NEXT_STATUSES:
        raise ValidationError(
            {
                "next_status": [
                    "Choose the referral's next status: "
                    + ", ".join(s.replace("_", " ") for s in REMOVAL_NEXT_STATUSES)
                    + "."
                ]
            }
        )
    locked = _lock_membership(membership)
    if locked.status != MembershipStatus.ACTIVE:
        raise DomainConflict("This membership has already ended.", code="MEMBERSHIP_NOT_ACTIVE")
    ending_for: dict[str, MembershipStatus] = {
        ReferralStatus.RESTART_REQUIRED: MembershipStatus.RESTART_REQUIRED,
        ReferralStatus.COMPLETED: MembershipStatus.COMPLETED,
    }
    ending = ending_for.get(next_status, MembershipStatus.REMOVED)
    day = _today()
    locked.status = ending
    locked.left_on = max(day, locked.joined_on)
    locked.removal_reason_code = reason_code
    locked.removal_reason = reason.strip()
    locked.next_status = next_status
    locked.removed_by = actor
    locked.save(
        update_fields=[
            "status",
            "left_on",
            "removal_reason_code",
            "removal_reason",
            "next_status",
            "removed_by",
        ]
    )
    move_as_consequence(
        actor=actor,
        referral=locked.referral,
        membership=locked,
        to_status=next_status,
        reason_code=reason_code,
        reason=reason,
    )
    if locked.plan is not None:
        OneToOnePlan.objects.filter(pk=locked.plan.pk).update(status=PlanStatus.CANCELLED)
    owner = locked.group or locked.plan
    record_event(
        actor=actor,
        action="membership.ended",
        obj=locked,
        area_id=owner.area_id,  # type: ignore[union-attr]
        object_label=owner.reference,  # type: ignore[union-attr]
        changes={
            "status": ending,
            "next_status": next_status,
            "reason_code": reason_code,
            "left_on": locked.left_on,
        },
        reason=reason,
    )
    return locked
