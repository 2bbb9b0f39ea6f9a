"""Scheduled sessions: a group's or plan's schedule, a facilitator's sessions, the live session by number."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Prefetch,
    QuerySet,
)
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import is_facilitator, is_manager, is_staff_member
from sessions.models import (
    GroupStatus,
    OneToOnePlan,
    PlanStatus,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _sessions_base() -> QuerySet[ScheduledSession]:
    return ScheduledSession.objects.select_related(
        "group", "group__programme", "plan", "plan__programme", "venue"
    ).prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))


def sessions_for_user(user: User | AnonymousUser) -> QuerySet[ScheduledSession]:
    """Sessions the user may see: managers their area's; facilitators the ones they deliver."""
    if not is_staff_member(user):
        return ScheduledSession.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    qs = _sessions_base().filter(delivery_area_id=area_id)  # its group's or plan's area, stored (issue 11)
    if is_facilitator(user):
        return qs.filter(facilitators__id=user.pk)  # type: ignore[misc]
    if is_manager(user):
        return qs
    return qs.none()


def session_rows_for_user(user: User | AnonymousUser) -> QuerySet[ScheduledSession]:
    """`sessions_for_user` for a list of sessions (the API's), reading what a row shows: its group's or plan's
    id and reference, venue and facilitators. Not the programmes: joining both and decoding each row's copy of
    the modules was most of the facilitator's session list (issue 11)."""
    return sessions_for_user(user).select_related(None).select_related("group", "plan", "venue")


def session_for_user(user: User | AnonymousUser, public_id: object) -> ScheduledSession:
    """One session the user may see (404 otherwise)."""
    return get_object_or_404(sessions_for_user(user), public_id=public_id)


def sessions_for_facilitator(user: User, start: dt.date, end: dt.date) -> QuerySet[ScheduledSession]:
    """A facilitator's own sessions between two dates (inclusive) for their calendar and feed, live ones only."""
    return (
        _sessions_base()
        # Through the links' copy of the date (their (user, date) index): the period's links, not the history's.
        .filter(
            facilitator_links__user=user,
            facilitator_links__date__range=(start, end),
            facilitator_links__cancelled=False,
            date__gte=start,
            date__lte=end,
        )
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .exclude(group__status=GroupStatus.CANCELLED)
        .exclude(plan__status=PlanStatus.CANCELLED)
        .order_by("date", "start", "id")
    )


def schedule_for_plan(plan: OneToOnePlan) -> QuerySet[ScheduledSession]:
    """Every session of a plan in date order, cancelled ones included."""
    return (
        ScheduledSession.objects.filter(plan=plan)
        .select_related("venue")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .order_by("date", "start", "number", "id")
    )


def _owner_filter(owner: ProgrammeGroup | OneToOnePlan) -> dict[str, Any]:
    return {"group": owner} if isinstance(owner, ProgrammeGroup) else {"plan": owner}


def live_session(owner: ProgrammeGroup | OneToOnePlan, number: int) -> ScheduledSession | None:
    """The session with this number of a group or plan the user was allowed to see, not cancelled."""
    return (
        ScheduledSession.objects.filter(**_owner_filter(owner), number=number)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .select_related("venue")
        .first()
    )
