"""Previews the pages show before a write: a schedule for the question pages, a provider cancellation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from accounts.models import User
from isotp import clock
from sessions.models import (
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import (
    ExistingSession,
    Move,
    Schedule,
    ScheduleError,
    Slot,
    provider_cancellation,
    reschedule,
)
from sessions.services.groups import preview_schedule

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
from sessions.selectors.area import closures_of, jurisdiction_of
from sessions.selectors.schedule import _owner_filter


def preview(
    user: User | AnonymousUser,
    *,
    programme: Programme,
    slots: Sequence[Any],
    start_date: dt.date,
    sessions_per_module: dict[int, int] | None = None,
) -> tuple[Schedule | None, str]:
    """The schedule a group or plan would get in the user's area (bank holidays and closures skipped), or the
    reason it cannot be generated. Writes nothing: the check-your-answers pages show it before confirming."""
    try:
        schedule = preview_schedule(
            programme=programme,
            start_date=start_date,
            slots=slots,
            area=user.area,  # type: ignore[union-attr]
            sessions_per_module=sessions_per_module,
        )
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    return schedule, ""


def cancellation_preview(
    owner: ProgrammeGroup | OneToOnePlan, session: ScheduledSession
) -> tuple[list[Move], str]:
    """What a provider cancellation of `session` would move (the same rule the service applies), or why it is
    refused (e.g. a past session), so the confirmation page can show it before anything changes."""
    live = ScheduledSession.objects.filter(**_owner_filter(owner)).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    existing = [ExistingSession(s.number, s.date, s.start, s.end) for s in live]
    slots = [Slot(s.weekday, s.start_time) for s in owner.slots.all()]
    try:
        moves = provider_cancellation(
            existing,
            session_number=session.number,
            today=clock.today(),
            slots=slots,
            jurisdiction=jurisdiction_of(owner.area),
            closures=closures_of(owner.area),
            cadence=owner.programme.cadence,
        )
    except (ScheduleError, ValueError) as exc:
        return [], str(exc)
    return moves, ""


def reschedule_preview(
    owner: ProgrammeGroup | OneToOnePlan,
    session: ScheduledSession,
    *,
    new_date: dt.date,
    new_start: dt.time | None,
    cascade: bool,
) -> list[Move]:
    """What a reschedule would move (the rule the service applies), or nothing when it would be refused (the
    service then says why). Lets the page warn of consequences before the change."""
    live = ScheduledSession.objects.filter(**_owner_filter(owner)).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    try:
        return reschedule(
            [ExistingSession(s.number, s.date, s.start, s.end) for s in live],
            session_number=session.number,
            new_date=new_date,
            new_start=new_start,
            cascade=cascade,
            today=clock.today(),
            slots=[Slot(s.weekday, s.start_time) for s in owner.slots.all()],
            jurisdiction=jurisdiction_of(owner.area),
            closures=closures_of(owner.area),
            cadence=owner.programme.cadence,
        )
    except (ScheduleError, ValueError, OverflowError):
        return []
