"""What a closure date or a retired venue would hit, for the administrator's pages (found by `isotp.hooks`, so
accounts does not import the delivery app)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from accounts.models import Venue
from sessions.models import GroupStatus, PlanStatus, ScheduledSession, SessionStatus


def _live() -> QuerySet[ScheduledSession]:
    return (
        ScheduledSession.objects.filter(status=SessionStatus.SCHEDULED)
        .exclude(group__status__in=[GroupStatus.CANCELLED, GroupStatus.COMPLETED])
        .exclude(plan__status__in=[PlanStatus.CANCELLED, PlanStatus.COMPLETED])
        .select_related("group", "plan")
        .order_by("date", "start", "number")
    )


def _describe(session: ScheduledSession) -> str:
    owner = session.group or session.plan
    return f"session {session.number} of {owner.reference} ({session.date:%a} {session.date.day} {session.date:%b %Y} {session.start:%H:%M})"  # type: ignore[union-attr]


def sessions_on_date(area_id: int, date: dt.date) -> list[str]:
    """The area's scheduled sessions on `date`, described for a warning (a closure would hit them)."""
    qs = _live().filter(date=date)
    qs = qs.filter(delivery_area_id=area_id)
    return [_describe(s) for s in qs]


def sessions_at_venue(venue: Venue, today: dt.date) -> list[str]:
    """Sessions still to come at `venue` (retiring it would strand them)."""
    return [_describe(s) for s in _live().filter(venue=venue, date__gte=today)]
