"""Issue 11: each scheduled session stores its group's or plan's area (`ScheduledSession.delivery_area`), so an
area's sessions in a date range are an index range scan on (delivery_area, date). Every way a session is written
(the schedule's bulk insert, a provider cancellation's replacement, a plain `create()`) stores the owner's area, and
the area's session lists scope by it: another area's sessions stay out of sight."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import Http404

from sessions import services
from sessions.models import ScheduledSession, SessionStatus
from sessions.selectors.schedule import session_for_user, sessions_for_user
from tests.sessions.factories import make_group, make_plan

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _wrong_areas() -> list[tuple[int, int, int]]:
    """Every session whose stored area is not its group's or plan's (none, when every write stored it)."""
    rows = ScheduledSession.objects.select_related("group", "plan")
    return [
        (s.pk, s.delivery_area_id, (s.group or s.plan).area_id)  # type: ignore[union-attr]
        for s in rows
        if s.delivery_area_id != (s.group or s.plan).area_id  # type: ignore[union-attr]
    ]


def test_every_write_of_a_session_stores_its_owner_s_area(area, other_area, tm, other_tm):
    group = make_group(area, actor=tm)
    plan = make_plan(other_area, actor=other_tm)
    assert group.sessions.exists() and plan.sessions.exists()
    sixth = group.sessions.get(number=6, status=SessionStatus.SCHEDULED)
    replacement = services.cancel_session_by_provider(actor=tm, session=sixth, reason="Venue flooded")
    assert replacement.delivery_area_id == area.pk
    fourth = group.sessions.get(number=4)
    services.reschedule_session(
        actor=tm, session=fourth, new_date=fourth.date + dt.timedelta(days=1), cascade=True
    )
    first = plan.sessions.get(number=1)
    extra = ScheduledSession.objects.create(
        plan=plan,
        number=99,
        module=first.module,
        module_title=first.module_title,
        date=first.date,
        start=first.start,
        end=first.end,
        venue=first.venue,
    )
    assert extra.delivery_area_id == other_area.pk
    assert _wrong_areas() == []


def test_an_area_s_session_lists_hold_its_own_sessions_only(area, other_area, tm, other_tm):
    group = make_group(area, actor=tm)
    theirs = make_plan(other_area, actor=other_tm)
    assert set(sessions_for_user(tm).values_list("pk", flat=True)) == set(
        group.sessions.values_list("pk", flat=True)
    )
    assert set(sessions_for_user(other_tm).values_list("pk", flat=True)) == set(
        theirs.sessions.values_list("pk", flat=True)
    )
    with pytest.raises(Http404):
        session_for_user(tm, theirs.sessions.first().public_id)  # type: ignore[union-attr]
