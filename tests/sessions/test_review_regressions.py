"""Regression tests for defects found in review of the delivery app (one test per defect)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from isotp.errors import DomainConflict
from sessions import services
from sessions.models import ProgrammeGroup, ScheduledSession, SessionStatus
from sessions.selectors.catalogue import programme_for_area
from tests.factories import VenueFactory
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral
from tests.sessions.test_views import _group_answers, _text, _walk_group

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = dt.date


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def test_a_stale_copy_of_a_cancelled_session_does_not_cancel_its_replacement(area, tm):
    """Two TMs press "Cancel session" at once: the second must be refused, not cancel the replacement too."""
    group = make_group(area, actor=tm)
    first_copy = group.sessions.get(number=2)
    second_copy = ScheduledSession.objects.get(pk=first_copy.pk)  # read before the first request committed
    replacement = services.cancel_session_by_provider(actor=tm, session=first_copy)
    with pytest.raises(DomainConflict) as caught:
        services.cancel_session_by_provider(actor=tm, session=second_copy)
    assert caught.value.code == "SESSION_NOT_SCHEDULED"
    replacement.refresh_from_db()
    assert replacement.status == SessionStatus.SCHEDULED
    assert group.sessions.filter(number=2, status=SessionStatus.CANCELLED_BY_PROVIDER).count() == 1
    with pytest.raises(DomainConflict) as moved:
        services.reschedule_session(actor=tm, session=second_copy, new_date=D(2027, 1, 19), cascade=False)
    assert moved.value.code == "SESSION_NOT_SCHEDULED"


def test_a_stale_copy_of_a_delivered_session_is_not_moved(area, tm):
    group = make_group(area, actor=tm)
    stale = group.sessions.get(number=1)
    ScheduledSession.objects.filter(pk=stale.pk).update(status=SessionStatus.DELIVERED)
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(actor=tm, session=stale, new_date=D(2027, 1, 5), cascade=False)
    assert caught.value.code == "SESSION_NOT_SCHEDULED"


def test_a_delivered_session_still_books_its_venue(area, tm):
    """domain.md §5: no venue double-booked. Recording attendance must not free the room for another group."""
    venue = VenueFactory(area=area, name="Group Room 3")
    first = make_group(area, actor=tm, venue=venue)
    first.sessions.filter(number=1).update(status=SessionStatus.DELIVERED)
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, venue=venue, slots=[{"weekday": "monday", "start_time": "17:00"}])
    assert caught.value.code == "VENUE_CLASH"
    assert "session 1 of" in caught.value.detail


def test_a_cancelled_plan_offers_no_reschedule_or_cancel_links(area, tm, login):
    """The services refuse to move a cancelled plan's sessions (OWNER_CANCELLED): the page must not offer it."""
    plan = make_plan(area, actor=tm)
    services.remove_member(
        actor=tm,
        membership=plan.memberships.get(),
        reason="Needs a group instead",
        next_status="awaiting_allocation",
    )
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    page = login(tm).get(reverse("programme_sessions:plan_detail", kwargs={"public_id": plan.public_id}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/reschedule/" not in html and "/cancel/" not in html


def test_check_page_previews_the_version_in_force_on_the_start_date(login, area, tm, area_admin, facilitator):
    """create_group schedules with the version in force on the start date: the check page must preview and name
    that version, not today's, or the TM confirms one schedule and gets another."""
    national = programme_for_area(area, "isotp_group")
    services.create_programme_version(
        actor=area_admin,
        programme=national,
        changes={"session_minutes": 150, "work_minutes": 150},
        reason="Longer sessions from December",
        valid_from=D(2026, 12, 1),
    )
    client = login(tm)
    venue = VenueFactory(area=area)
    _walk_group(client, _group_answers(venue, tm, [facilitator, trained_facilitator(area)], D(2027, 1, 4)))
    text = _text(client.get(reverse("programme_sessions:group_create_check")))
    assert "(version 2)" in text and "20:30" in text
    client.post(reverse("programme_sessions:group_create_check"))
    group = ProgrammeGroup.objects.get()
    assert group.programme.version == 2 and group.sessions.get(number=1).end == dt.time(20, 30)


def test_an_open_ended_group_judges_age_on_the_joining_day(area, tm, time_machine):
    """Long Term Monitoring is joined at any time: a man who is 21 when he joins is not refused because he was
    20 when the group started months earlier."""
    ltms = make_group(
        area,
        actor=tm,
        programme_code="nsogp_ltms",
        start_date=D(2027, 1, 6),
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
    )
    time_machine.move_to(dt.datetime(2027, 6, 1, 9, tzinfo=LONDON), tick=False)
    referral = waiting_referral(area, programme="nsogp", date_of_birth=D(2006, 3, 1))  # 20 at start, 21 now
    membership = services.allocate(actor=tm, group=ltms, referral=referral)
    assert membership.joined_on == D(2027, 6, 1)


def test_the_cancel_page_of_a_past_session_explains_instead_of_failing(area, tm, login, time_machine):
    """A TM following an old link to cancel a session that has since passed got a 500 (an error added to an
    unbound form); the page now shows the rule's refusal in the error summary."""
    group = make_group(area, actor=tm)
    time_machine.move_to(dt.datetime(2027, 1, 12, 9, tzinfo=LONDON), tick=False)  # session 1 was on 4 January
    page = login(tm).get(
        reverse("programme_sessions:session_cancel", kwargs={"public_id": group.public_id, "number": 1})
    )
    assert page.status_code == 200
    text = _text(page)
    assert "There is a problem" in text and "past sessions never move" in text


def test_a_date_beyond_the_calendar_is_a_400_not_a_500(area, tm, api):
    """A start or new date so far ahead that the calendar overflows (year 9999) is bad input, not a crash."""
    client = api(tm)
    preview = client.post(
        "/api/v1/schedule/preview/",
        {
            "programme": "isotp",
            "format": "group",
            "start_date": "9999-12-20",
            "slots": [{"weekday": "monday", "start_time": "10:00"}],
        },
        format="json",
    )
    assert preview.status_code == 400 and "start_date" in preview.data
    session = make_group(area, actor=tm).sessions.get(number=1)
    moved = client.post(
        f"/api/v1/sessions/{session.public_id}/reschedule/",
        {"new_date": "9999-12-31", "cascade": True},
        format="json",
    )
    assert moved.status_code == 400 and "new_date" in moved.data
