"""Reads behind completing a group or one-to-one plan (`sessions.rules.completion` decides; the service writes)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from isotp import clock
from sessions.models import (
    Attendance,
    Membership,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules.completion import Completion, Refusal, SessionState, completion


def is_recorded(*, status: str, register_taken_at: dt.datetime | None, attended: bool) -> bool:
    """A live session as the completion rule's `SessionState.recorded` reads it: delivered, or its register
    taken, or any attendance recorded at it."""
    return status == SessionStatus.DELIVERED or register_taken_at is not None or attended


def session_states(owner: ProgrammeGroup | OneToOnePlan) -> list[SessionState]:
    """The group's or plan's live sessions as the completion rule sees them (one query): recorded when delivered
    or when a register or any attendance was written; needing a register when someone was a member on the day."""
    kind = "group" if isinstance(owner, ProgrammeGroup) else "plan"
    on_the_day = Membership.objects.filter(
        **{f"{kind}_id": OuterRef(f"{kind}_id")}, joined_on__lte=OuterRef("date")
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date")))
    rows = (
        ScheduledSession.objects.filter(**{kind: owner})
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .annotate(
            had_members=Exists(on_the_day),
            attended=Exists(Attendance.objects.filter(session_id=OuterRef("pk"))),
        )
        .values_list("number", "date", "status", "register_taken_at", "attended", "had_members")
    )
    return [
        SessionState(
            number=number,
            date=date,
            recorded=is_recorded(status=status, register_taken_at=taken, attended=attended),
            had_members=had_members,
        )
        for number, date, status, taken, attended, had_members in rows
    ]


def completion_preview(owner: ProgrammeGroup | OneToOnePlan) -> Completion | Refusal:
    """The close page: whether the group or plan may be completed today, and if not why (the service's rule)."""
    return completion(
        name=owner.reference,
        kind="group" if isinstance(owner, ProgrammeGroup) else "plan",
        status=owner.status,
        sessions=session_states(owner),
        today=clock.today(),
    )
