"""Issue 11: a recording carries a copy of its session's date and start (kept by the database: migration 0003's
triggers), so the TM's recordings page reads its page newest first from the (area, date, start, id) index. The copy
follows every write of the session, and the page's order is the sessions' order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from quality import selectors
from quality.models import SessionRecording
from sessions.models import ScheduledSession
from tests.reports.factories import quick_membership

pytestmark = pytest.mark.django_db


def _wrong() -> list[int]:
    return [
        r.pk
        for r in SessionRecording.objects.select_related("session")
        if (r.session_date, r.session_start) != (r.session.date, r.session.start)
    ]


def test_a_recording_takes_its_session_s_date_and_start_and_follows_them(area, personas, tm):
    group = quick_membership(area, personas, finished=True).group
    first, second, third = group.sessions.order_by("number")[:3]
    recordings = [
        SessionRecording.objects.create(area=area, session=s, recorded_by=tm) for s in (first, second)
    ]
    SessionRecording.objects.bulk_create([SessionRecording(area=area, session=third, recorded_by=tm)])
    assert _wrong() == []
    first.date = first.date + dt.timedelta(days=1)
    first.start = dt.time(7, 30)
    first.save()
    ScheduledSession.objects.filter(pk=second.pk).update(date=second.date - dt.timedelta(days=2))
    third.start = dt.time(8, 0)
    ScheduledSession.objects.bulk_update([third], ["start"])
    SessionRecording.objects.filter(pk=recordings[0].pk).update(session_date=dt.date(2020, 1, 1))
    assert _wrong() == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN "
            "('quality_sessionrecording_fill', 'programme_sessions_scheduledsession_recording')"
        )
        assert cursor.fetchone() == (2,)


def test_the_recordings_page_is_in_the_sessions_order(area, personas, tm):
    group = quick_membership(area, personas, finished=True).group
    sessions = list(group.sessions.order_by("number")[:6])
    for s in sessions:
        SessionRecording.objects.create(area=area, session=s, recorded_by=tm)
    ScheduledSession.objects.filter(pk=sessions[0].pk).update(date=sessions[-1].date + dt.timedelta(days=1))
    shown = [r.session_id for r in selectors.recordings_for_user(tm)]
    expected = list(
        SessionRecording.objects.filter(area=area)
        .order_by("-session__date", "-session__start", "-id")
        .values_list("session_id", flat=True)
    )
    assert shown == expected
    assert shown[0] == sessions[0].pk
