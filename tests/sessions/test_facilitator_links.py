"""Issue 11: a session's facilitator links carry a copy of its date and whether the provider cancelled it
(`SessionFacilitator.date`, `.cancelled`), so a facilitator's sessions in a date range are an index range scan on
(user, date). The database keeps the copy (migration 0014's triggers): every way of writing a link or a session's
date or status leaves it equal to the session's, and a realistic sequence of schedule, reschedule, cancel and
change of facilitators ends with every link right."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from sessions import services
from sessions.models import ScheduledSession, SessionFacilitator, SessionStatus
from tests.sessions.factories import make_group, make_plan, trained_facilitator

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _wrong_links() -> list[tuple[int, int, object, object, object, object]]:
    """Every link whose copy differs from its session's date and cancellation (none, when the copy is right)."""
    links = SessionFacilitator.objects.select_related("scheduledsession")
    return [
        (
            link.scheduledsession_id,
            link.user_id,
            link.date,
            link.cancelled,
            link.scheduledsession.date,
            link.scheduledsession.status,
        )
        for link in links
        if link.date != link.scheduledsession.date
        or link.cancelled != (link.scheduledsession.status == SessionStatus.CANCELLED_BY_PROVIDER)
    ]


def test_the_schedule_a_group_is_created_with_has_its_dates_on_the_links_write_schedule(area, tm):
    group = make_group(area, actor=tm)
    links = SessionFacilitator.objects.filter(scheduledsession__group=group)
    assert links.count() == 2 * group.sessions.count() > 0
    assert not links.filter(date__isnull=True).exists()
    assert _wrong_links() == []


def test_a_plan_s_schedule_has_its_dates_on_the_links(area, tm):
    plan = make_plan(area, actor=tm)
    assert SessionFacilitator.objects.filter(scheduledsession__plan=plan).exists()
    assert _wrong_links() == []


def test_links_added_set_or_bulk_created_take_their_session_s_date(area, tm):
    group = make_group(area, actor=tm)
    first, second, third = group.sessions.order_by("number")[:3]
    extra, other = trained_facilitator(area), trained_facilitator(area)
    first.facilitators.add(extra)
    second.facilitators.set([extra, other])
    SessionFacilitator.objects.bulk_create([SessionFacilitator(scheduledsession=third, user=other)])
    SessionFacilitator.objects.create(scheduledsession=third, user=extra)
    assert SessionFacilitator.objects.get(scheduledsession=first, user=extra).date == first.date
    assert set(SessionFacilitator.objects.filter(scheduledsession=second).values_list("date", flat=True)) == {
        second.date
    }
    assert _wrong_links() == []


def test_a_link_cannot_be_given_another_date(area, tm):
    group = make_group(area, actor=tm)
    session = group.sessions.get(number=1)
    link = SessionFacilitator.objects.create(scheduledsession=session, user=trained_facilitator(area))
    SessionFacilitator.objects.filter(pk=link.pk).update(
        date=session.date + dt.timedelta(days=3), cancelled=True
    )
    link.refresh_from_db()
    assert (link.date, link.cancelled) == (session.date, False)
    other = group.sessions.get(number=2)
    SessionFacilitator.objects.filter(pk=link.pk).update(scheduledsession=other)
    link.refresh_from_db()
    assert link.date == other.date


def test_every_write_of_a_session_s_date_or_status_moves_its_links(area, tm):
    group = make_group(area, actor=tm)
    one, two, three, four = group.sessions.order_by("number")[:4]
    one.date = one.date + dt.timedelta(days=1)
    one.save()
    ScheduledSession.objects.filter(pk=two.pk).update(date=two.date + dt.timedelta(days=2))
    three.date = three.date + dt.timedelta(days=1)
    ScheduledSession.objects.bulk_update([three], ["date"])
    ScheduledSession.objects.filter(pk=four.pk).update(status=SessionStatus.CANCELLED_BY_PROVIDER)
    assert set(
        SessionFacilitator.objects.filter(scheduledsession=four).values_list("cancelled", flat=True)
    ) == {True}
    ScheduledSession.objects.filter(pk=four.pk).update(status=SessionStatus.DELIVERED)
    assert _wrong_links() == []


def test_a_realistic_sequence_leaves_every_link_equal_to_its_session(area, tm):
    group = make_group(area, actor=tm)
    third = group.sessions.get(number=3)
    services.reschedule_session(
        actor=tm, session=third, new_date=third.date + dt.timedelta(days=1), cascade=False
    )
    fifth = group.sessions.get(number=5)
    services.reschedule_session(
        actor=tm, session=fifth, new_date=fifth.date + dt.timedelta(days=2), cascade=True
    )
    sixth = group.sessions.get(number=6, status=SessionStatus.SCHEDULED)
    replacement = services.cancel_session_by_provider(actor=tm, session=sixth, reason="Venue flooded")
    assert SessionFacilitator.objects.filter(scheduledsession=sixth, cancelled=True).count() == 2
    assert SessionFacilitator.objects.filter(scheduledsession=replacement, date=replacement.date).count() == 2
    newcomer = trained_facilitator(area)
    seventh = group.sessions.get(number=7, status=SessionStatus.SCHEDULED)
    seventh.facilitators.set([newcomer, *list(seventh.facilitators.all())[:1]])
    eighth = group.sessions.get(number=8, status=SessionStatus.SCHEDULED)
    eighth.facilitators.remove(*eighth.facilitators.all()[:1])
    eighth.facilitators.add(newcomer)
    services.reschedule_session(
        actor=tm, session=seventh, new_date=seventh.date + dt.timedelta(days=1), cascade=True
    )
    ScheduledSession.objects.filter(pk=group.sessions.get(number=1).pk).update(status=SessionStatus.DELIVERED)
    assert _wrong_links() == []
    # The triggers are what keeps it: they exist (PostgreSQL, the suite's database).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname IN "
            "('programme_sessions_scheduledsession_facilitators_fill', 'programme_sessions_scheduledsession_links')"
        )
        assert len(cursor.fetchall()) == 2
