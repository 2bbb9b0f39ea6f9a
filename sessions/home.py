"""Home page cards for delivery: TMs see groups starting soon and places free, facilitators their next sessions,
area administrators the programme versions in force. Each card costs one or two queries, whatever the rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from isotp import clock
from isotp.dates import weekday_date
from sessions.models import GroupStatus
from sessions.selectors.catalogue import catalogue_for_area
from sessions.selectors.groups import groups_with_places
from sessions.selectors.schedule import sessions_for_facilitator

SOON_DAYS = 28


def _treatment_manager(request: HttpRequest, today: dt.date) -> list[dict[str, Any]]:
    groups = groups_with_places(request.user)
    soon = groups.filter(start_date__gte=today, start_date__lte=today + dt.timedelta(days=SOON_DAYS)).count()
    open_groups = groups.filter(status__in=[GroupStatus.PLANNED, GroupStatus.RUNNING])
    free = open_groups.aggregate(total=Sum("places_free"))["total"] or 0
    url = reverse("programme_sessions:group_list")
    return [
        {
            "title": "Groups starting in the next 4 weeks",
            "count": soon,
            "url": url,
            "link_text": "View groups",
            "description": "Allocate people from the waiting list before the first session.",
        },
        {
            "title": "Places free",
            "count": free,
            "url": url,
            "link_text": "Fill places from the waiting list",
            "description": "Across planned and running groups.",
        },
    ]


def _facilitator(request: HttpRequest, today: dt.date) -> list[dict[str, Any]]:
    week = sessions_for_facilitator(request.user, today, today + dt.timedelta(days=6))  # type: ignore[arg-type]
    upcoming = list(week[:1])
    description = "Nothing in the next 7 days."
    if upcoming:
        s = upcoming[0]
        owner = s.group or s.plan
        description = f"Next: {weekday_date(s.date).rsplit(' ', 1)[0]}, {s.start:%H:%M}, {owner.reference if owner else ''}"
    return [
        {
            "title": "Your sessions in the next 7 days",
            "count": week.count(),
            "description": description,
            "url": reverse("programme_sessions:my_calendar"),
            "link_text": "View my sessions",
        },
    ]


def _area_admin(request: HttpRequest, today: dt.date) -> list[dict[str, Any]]:
    entries = catalogue_for_area(request.user, today=today)
    own = sum(1 for e in entries if e.current is not None and e.current.area_id is not None)
    return [
        {
            "title": "Programme versions in force",
            "count": sum(1 for e in entries if e.current is not None),
            "description": f"{own} use {request.user.area}'s own version; the rest the national one.",  # type: ignore[union-attr]
            "url": reverse("programme_sessions:programme_list"),
            "link_text": "View the programme catalogue",
        },
    ]


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    """The delivery cards for the user's role (none for offender managers)."""
    today = clock.today()
    user = request.user
    if permissions.can_manage_delivery(user):
        return _treatment_manager(request, today)
    if permissions.can_view_own_calendar(user):
        return _facilitator(request, today)
    if permissions.can_edit_catalogue(user):
        return _area_admin(request, today)
    return []
