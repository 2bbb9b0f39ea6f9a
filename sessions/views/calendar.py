"""A facilitator's calendar: their upcoming sessions week by week, and their private iCalendar feed link."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.permissions import require
from isotp import clock
from sessions import services as delivery
from sessions.attendance_selectors import catch_ups_for_facilitator
from sessions.selectors.area import current_feed_token
from sessions.selectors.schedule import sessions_for_facilitator
from sessions.views.requests import paginate, staff

HORIZON_DAYS = 366  # a year ahead: a 35-session group that meets weekly runs for about nine months


def _weeks(sessions: list[Any]) -> list[dict[str, Any]]:
    """Group the page's sessions by the Monday of their week."""

    def monday(s: Any) -> dt.date:
        return s.date - dt.timedelta(days=s.date.weekday())

    return [{"monday": week, "sessions": list(rows)} for week, rows in groupby(sessions, key=monday)]


@login_required
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Facilitators: the sessions they deliver from today, week by week (paginated), and their feed link."""
    require(permissions.can_view_own_calendar(request.user))
    today = clock.today()
    sessions = sessions_for_facilitator(staff(request), today, today + dt.timedelta(days=HORIZON_DAYS))
    page = paginate(request, sessions)
    token = current_feed_token(staff(request))
    feed_url = (
        request.build_absolute_uri(reverse("programme_sessions_feed:ical", kwargs={"token": token.token}))
        if token
        else ""
    )
    return render(
        request,
        "sessions/calendar/my_calendar.html",
        {
            "page": page,
            "weeks": _weeks(list(page.object_list)),
            "feed_token": token,
            "catch_ups": list(
                catch_ups_for_facilitator(staff(request), today, today + dt.timedelta(days=HORIZON_DAYS))
            ),
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    """Facilitators: create a new private feed link; the old one (if any) stops working at once."""
    require(permissions.can_view_own_calendar(request.user))
    had_one = current_feed_token(staff(request)) is not None
    delivery.issue_feed_token(actor=staff(request), user=staff(request))
    messages.success(
        request,
        "New calendar link created. The old link no longer works: update your calendar app"
        if had_one
        else "Private calendar link created",
    )
    return redirect(reverse("programme_sessions:my_calendar") + "#calendar-feed")
