"""Completing groups and one-to-one plans when their programme is over (`sessions.rules.completion` decides).

Three ways in, one rule: the register of the last remaining session (`complete_if_over`, called by the attendance
service in the register's transaction), the nightly beat task (`complete_finished`, for groups whose last session
has passed with every register taken, e.g. a last session nobody was left to attend) and the treatment manager
(`close_group`, `close_plan`: 409 with the rule's code when the programme is not over). Each completion locks the
group or plan row, is audited with its plain-English reason and tells the treatment manager. Memberships and
referrals are left as the attendance and report rules put them (a member with a catch-up to attend stays active).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import User
from accounts.permissions import can_manage_delivery, require, require_in_area
from audit.services import record_event
from isotp.clock import today as clock_today
from isotp.errors import DomainConflict
from notifications.services import notify
from sessions.models import (
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    PlanStatus,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules.completion import Completion, Refusal, completion
from sessions.selectors.completion import session_states

Owner = ProgrammeGroup | OneToOnePlan


def _kind(owner: Owner) -> str:
    return "group" if isinstance(owner, ProgrammeGroup) else "plan"


def _owner_filter(owner: Owner) -> dict[str, Any]:
    return {_kind(owner): owner}


def _lock(owner: Owner) -> Owner:
    model = type(owner)
    return model.objects.select_for_update(of=("self",)).select_related("treatment_manager").get(pk=owner.pk)


def _judge(locked: Owner, today: dt.date) -> Completion | Refusal:
    return completion(
        name=locked.reference,
        kind=_kind(locked),
        status=locked.status,
        sessions=session_states(locked),
        today=today,
    )


def _still_attending(locked: Owner) -> int:
    """Members still active when the programme ends: each has a missed session to catch up (domain.md §6)."""
    return Membership.objects.filter(**_owner_filter(locked), status=MembershipStatus.ACTIVE).count()


def _complete(
    *, actor: User | None, locked: Owner, result: Completion, closed_by: User | None, note: str = ""
) -> Owner:
    """Write the completion, audit it and tell the treatment manager (inside the caller's transaction)."""
    kind = _kind(locked)
    outstanding = _still_attending(locked)
    reason = result.reason
    if outstanding:
        reason += (
            f" {outstanding} member{'s' if outstanding != 1 else ''} still "
            f"{'have' if outstanding != 1 else 'has'} a missed session to catch up and "
            f"{'stay' if outstanding != 1 else 'stays'} on the programme until then."
        )
    if note:
        reason = f"{note.strip()} ({reason})"
    before = locked.status
    locked.status = GroupStatus.COMPLETED if kind == "group" else PlanStatus.COMPLETED
    locked.completed_on = result.last_delivered
    locked.completed_by = closed_by
    locked.completion_reason = reason[:2000]
    locked.save(update_fields=["status", "completed_on", "completed_by", "completion_reason"])
    record_event(
        actor=actor,
        action=f"{kind}.completed",
        obj=locked,
        area_id=locked.area_id,
        object_label=locked.reference,
        changes={
            "status": {"from": before, "to": locked.status},
            "completed_on": locked.completed_on,
            "closed_by_treatment_manager": closed_by is not None,
            "members_still_attending": outstanding,
        },
        reason=reason,
    )
    link = f"/{'groups' if kind == 'group' else 'one-to-one-plans'}/{locked.public_id}/"
    notify(
        recipients=[locked.treatment_manager] if closed_by is None else [],
        kind="progress",
        subject=f"{'A group' if kind == 'group' else 'A one-to-one plan'} has completed",
        body=f"{locked.reference} is completed. {reason}",
        link=link,
        dedupe_key=f"{kind}-completed:{locked.pk}",
    )
    return locked


def complete_if_over(*, actor: User | None, owner: Owner, today: dt.date) -> bool:
    """The attendance service, after a register write (in its transaction): complete the group or plan when
    that was the last register it waited for. Answers whether it completed.

    Judged first without a lock, so an ordinary register (sessions still to come) never locks the group row
    (a reschedule locks the group before its sessions, a register its session first); only a completion locks
    the row and judges again under the lock."""
    if owner.status not in (GroupStatus.PLANNED, GroupStatus.RUNNING) or not isinstance(
        _judge(owner, today), Completion
    ):
        return False
    locked = _lock(owner)
    if locked.status not in (GroupStatus.PLANNED, GroupStatus.RUNNING):
        return False
    result = _judge(locked, today)
    if not isinstance(result, Completion):
        return False
    _complete(actor=actor, locked=locked, result=result, closed_by=None)
    return True


def _close(*, actor: User, owner: Owner, reason: str) -> Owner:
    require_in_area(actor, owner)
    require(can_manage_delivery(actor), "Only treatment managers close groups and one-to-one plans")
    locked = _lock(owner)
    result = _judge(locked, clock_today())
    if isinstance(result, Refusal):
        raise DomainConflict(result.message, code=result.code, sessions=list(result.sessions))
    return _complete(actor=actor, locked=locked, result=result, closed_by=actor, note=reason)


@transaction.atomic
def close_group(*, actor: User, group: ProgrammeGroup, reason: str = "") -> ProgrammeGroup:
    """Treatment managers of the group's area: mark a group completed now its programme is over (a rolling group
    ends this way, or with its schedule). Refusals (409): SESSIONS_TO_COME, REGISTERS_MISSING (naming the
    sessions), NOTHING_DELIVERED, ALREADY_COMPLETED, OWNER_CANCELLED. Another area's group is not found (404).
    Locks the group row. Audited."""
    return _close(actor=actor, owner=group, reason=reason)  # type: ignore[return-value]


@transaction.atomic
def close_plan(*, actor: User, plan: OneToOnePlan, reason: str = "") -> OneToOnePlan:
    """Treatment managers of the plan's area: mark a one-to-one plan completed, under the same rule and
    refusals as `close_group`. Locks the plan row. Audited."""
    return _close(actor=actor, owner=plan, reason=reason)  # type: ignore[return-value]


def complete_finished(*, today: dt.date | None = None) -> int:
    """The nightly task: complete every planned or running group and plan whose sessions have all passed or
    been delivered and whose registers are all taken. Each in its own transaction (one failure leaves the others
    done); safe to run twice (the row is locked and its status read again). Answers how many it completed."""
    today = today or clock_today()
    done = 0
    for model in (ProgrammeGroup, OneToOnePlan):
        owner_field = "group_id" if model is ProgrammeGroup else "plan_id"
        to_come = ScheduledSession.objects.filter(
            **{owner_field: OuterRef("pk")}, status=SessionStatus.SCHEDULED, date__gte=today
        )
        candidates = (
            model.objects.filter(status__in=[GroupStatus.PLANNED, GroupStatus.RUNNING])
            .exclude(Exists(to_come))
            .order_by("pk")
        )
        for owner in candidates:
            with transaction.atomic():
                if complete_if_over(actor=None, owner=owner, today=today):
                    done += 1
    return done
