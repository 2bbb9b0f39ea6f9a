"""The groups list and a group's page: summary, facilitators, members, places free and the schedule."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import permissions
from accounts.permissions import require
from audit.services import record_search
from isotp import clock
from isotp.csv_export import csv_response
from isotp.hooks import app_hooks
from isotp.sorting import Column, Sortable, query_with_sort
from sessions.models import GroupStatus
from sessions.rules.completion import Completion
from sessions.selectors.completion import completion_preview
from sessions.selectors.consequences import closure_hits, supervision_overruns
from sessions.selectors.groups import (
    group_for_user,
    groups_with_places,
    members_for_group_page,
    schedule_for_group,
    sessions_for_group_page,
)
from sessions.services.exports import export_group_schedule
from sessions.views.requests import paginate, staff

# Issue 13: sorted on the server across every page (isotp.sorting says why not in the browser).
GROUP_SORT = Sortable(
    (
        Column("group", "Group", ("reference",)),
        Column("programme", "Programme", ("programme__name",)),
        Column("venue", "Venue", ("venue__name",)),
        Column("starts", "Starts", ("start_date",)),
        Column("next_session", "Next session", ("next_session_date",)),
        Column("places", "Places", ("places_free",)),
        Column("status", "Status", ("status",)),
    ),
    default="starts",
)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """TMs and administrators: the area's groups; facilitators: the groups they deliver. Paginated, with the
    places taken and free counted in the query (the query count does not grow with the rows)."""
    require(permissions.can_view_groups(request.user))
    status = request.GET.get("status", "")
    status = status if status in GroupStatus.values else ""
    sort = GROUP_SORT.parse(request.GET.get("sort"))
    page = paginate(request, GROUP_SORT.order_queryset(groups_with_places(request.user, status=status), sort))
    filters = [("status", status)]
    return render(
        request,
        "sessions/groups/list.html",
        {
            "page": page,
            "query": query_with_sort(filters, sort, GROUP_SORT.default),
            "headers": GROUP_SORT.headers(sort, filters, [c.key for c in GROUP_SORT.columns]),
            "status": status,
            "statuses": GroupStatus.choices,
            "can_create": permissions.can_manage_delivery(request.user),
            "is_facilitator": permissions.is_facilitator(request.user),
        },
    )


@login_required
def group_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A group's page. Another area's group, or one a facilitator does not deliver, is not found (404)."""
    require(permissions.can_view_groups(request.user))
    group = group_for_user(request.user, public_id)
    completed = group.status == GroupStatus.COMPLETED
    # A completed group's members have all finished or left: show them all, with their own statuses.
    members = list(members_for_group_page(group, include_ended=completed))
    # The page lists its members (names, CRNs, OMs): logged as a list of people, named by the group.
    record_search(actor=request.user, list_name="group", query={"group": str(group.public_id)})  # type: ignore[arg-type]
    sessions = list(sessions_for_group_page(group))
    can_manage = permissions.can_manage_delivery(request.user)
    live = group.status in (GroupStatus.PLANNED, GroupStatus.RUNNING)
    return render(
        request,
        "sessions/groups/detail.html",
        {
            "group": group,
            "members": members,
            "sessions": sessions,
            "active_count": sum(1 for s in sessions if s.status != "cancelled_by_provider"),
            "facilitators": list(group.facilitators.all()),
            "slots": list(group.slots.all()),
            "places_free": max(group.capacity - len(members), 0),
            "completed": completed,
            # The close page's link, once the programme is over (the same rule the service applies).
            "can_close": can_manage and live and isinstance(completion_preview(group), Completion),
            "today": clock.today(),
            "can_register": permissions.can_take_register(request.user),
            "can_manage": can_manage and group.status not in (GroupStatus.CANCELLED, GroupStatus.COMPLETED),
            "can_allocate": can_manage and group.status in (GroupStatus.PLANNED, GroupStatus.RUNNING),
            # Issue 13: problems a later change made (a closure added over sessions, supervision ending first).
            # (from the sessions already loaded, in the same date order: two queries fewer)
            "closure_hits": closure_hits(group, clock.today(), sessions=sessions) if live else [],
            "overruns": supervision_overruns(group, sessions=sessions) if live else [],
            # Panels other apps add to the page (e.g. the psychometric needs profile), without sessions importing them.
            # Each hook returns a rendered template (already safe HTML).
            "panels": [panel(request, group) for panel in app_hooks("panels", "group_panels")],
        },
    )


@login_required
def group_schedule_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    """A group's schedule as CSV (issue 13); the export is audited (sessions.services.exports)."""
    require(permissions.can_view_groups(request.user))
    group = group_for_user(request.user, public_id)
    text = export_group_schedule(actor=staff(request), group=group, sessions=list(schedule_for_group(group)))
    return csv_response(text, f"schedule-{group.reference}.csv")
