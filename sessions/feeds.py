"""The private iCalendar feed of a facilitator's sessions, at /calendar/<token>.ics.

The token in the URL is the only credential (calendar apps cannot sign in), so the feed carries as little as it
can: times, venue, programme and group reference; never a participant's name or any other personal data.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from accounts.models import User
from isotp import clock
from sessions.attendance_selectors import catch_ups_for_facilitator
from sessions.models import CatchUp, ScheduledSession, SessionStatus
from sessions.selectors.area import feed_owner
from sessions.selectors.schedule import sessions_for_facilitator

# How much of the calendar a feed carries: recent history and the coming year.
PAST_DAYS = 90
FUTURE_DAYS = 400


def _event(session: ScheduledSession, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    owner = session.group if session.group_id else session.plan
    assert owner is not None
    event = Event()
    event.add("uid", f"{session.public_id}@isotp")
    event.add("dtstamp", stamp)
    event.add("dtstart", dt.datetime.combine(session.date, session.start, tzinfo=zone))
    event.add("dtend", dt.datetime.combine(session.date, session.end, tzinfo=zone))
    # No participant names (personal data): the reference and module say which session it is.
    event.add("summary", f"{owner.reference}: session {session.number} ({owner.programme.name})")
    event.add(
        "location", session.venue.name + (f", {session.venue.postcode}" if session.venue.postcode else "")
    )
    event.add("description", f"Module {session.module}: {session.module_title}")
    event.add("status", "CONFIRMED" if session.status != SessionStatus.CANCELLED_BY_PROVIDER else "CANCELLED")
    return event


def _catch_up_event(catch_up: CatchUp, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    """An individual catch-up (domain.md §6): timed when booked with a time, else an all-day entry. No names."""
    missed = catch_up.missed_session
    owner = missed.group if missed.group_id else missed.plan
    assert owner is not None
    event = Event()
    event.add("uid", f"{catch_up.public_id}@isotp")
    event.add("dtstamp", stamp)
    if catch_up.start is not None and catch_up.end is not None:
        event.add("dtstart", dt.datetime.combine(catch_up.date, catch_up.start, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(catch_up.date, catch_up.end, tzinfo=zone))
    else:
        event.add("dtstart", catch_up.date)
        event.add("dtend", catch_up.date + dt.timedelta(days=1))
    event.add("summary", f"{owner.reference}: catch-up of session {missed.number}")
    if catch_up.venue is not None:
        event.add("location", catch_up.venue.name)
    event.add("description", f"Individual catch-up of module {missed.module}: {missed.module_title}")
    event.add("status", "CONFIRMED")
    return event


def calendar_for(user: User, *, today: dt.date | None = None) -> bytes:
    """The iCalendar document of `user`'s sessions around `today`."""
    today = today or clock.today()
    zone = ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//isotp//Programme sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Programme sessions")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    sessions = sessions_for_facilitator(
        user,
        today - dt.timedelta(days=PAST_DAYS),
        today + dt.timedelta(days=FUTURE_DAYS),
    )
    for session in sessions:
        calendar.add_component(_event(session, zone, stamp))
    catch_ups = catch_ups_for_facilitator(
        user, today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    )
    for catch_up in catch_ups:
        calendar.add_component(_catch_up_event(catch_up, zone, stamp))
    calendar.add_missing_timezones()  # a VTIMEZONE for Europe/London, so every calendar app reads BST right
    return calendar.to_ical()


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone holding a live token: the owner's calendar. A revoked or unknown token is a plain 404."""
    owner = feed_owner(token)
    if owner is None:
        raise Http404("No such calendar")
    response = HttpResponse(calendar_for(owner), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["Referrer-Policy"] = "no-referrer"
    return response
