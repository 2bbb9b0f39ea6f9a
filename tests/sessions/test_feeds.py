"""The private iCalendar feed: a facilitator's sessions with times, venue and group reference, and nothing about
the people in the group; a revoked or rotated token stops working at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from sessions import services
from sessions.models import SessionStatus
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _feed(client, token: str):
    return client.get(reverse("programme_sessions_feed:ical", args=[token]))


def test_feed_lists_the_facilitators_sessions_without_personal_data(client, area, tm, facilitator):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [services.allocate(actor=tm, group=group, referral=waiting_referral(area)) for _ in range(2)]
    plan_referral = waiting_referral(area, format="one_to_one")
    plan = make_plan(
        area,
        actor=tm,
        facilitator=facilitator,
        referral=plan_referral,
        slots=[{"weekday": "thursday", "start_time": "10:00"}],
    )
    services.cancel_session_by_provider(actor=tm, session=group.sessions.get(number=35))
    token = services.issue_feed_token(actor=facilitator, user=facilitator).token

    response = _feed(client, token)  # no sign-in: calendar apps cannot sign in

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    first = next(e for e in events if str(e["uid"]) == f"{group.sessions.get(number=1).public_id}@isotp")
    assert str(first["summary"]) == f"{group.reference}: session 1 (i-SOTP (group))"
    assert first.decoded("dtstart") == dt.datetime(2027, 1, 4, 18, tzinfo=LONDON)
    assert first.decoded("dtend") == dt.datetime(2027, 1, 4, 20, tzinfo=LONDON)
    assert group.venue.name in str(first["location"])
    assert any(plan.reference in str(e["summary"]) for e in events)
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/London" in body
    # Live sessions only: the cancelled row is not in the feed, its replacement is.
    live = group.sessions.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
    in_window = [s for s in live if s.date <= dt.date(2026, 11, 24) + dt.timedelta(days=400)]
    assert sum(group.reference in str(e["summary"]) for e in events) == len(in_window)
    # No participant's name, CRN or date of birth anywhere in the document.
    for membership in [*members, plan.memberships.get()]:
        person = membership.referral.person
        for secret in (
            person.first_name,
            person.last_name,
            person.crn,
            person.date_of_birth.strftime("%Y%m%d"),
        ):
            assert secret not in body


def test_feed_carries_only_its_owners_sessions(client, area, tm, facilitator):
    make_group(area, actor=tm)  # delivered by others
    token = services.issue_feed_token(actor=facilitator, user=facilitator).token
    assert not Calendar.from_ical(_feed(client, token).content).walk("VEVENT")


def test_revoked_and_rotated_tokens_stop_working(client, facilitator):
    old = services.issue_feed_token(actor=facilitator, user=facilitator).token
    new = services.issue_feed_token(actor=facilitator, user=facilitator).token
    assert _feed(client, old).status_code == 404
    assert _feed(client, new).status_code == 200
    services.revoke_feed_token(actor=facilitator, user=facilitator)
    assert _feed(client, new).status_code == 404
    assert _feed(client, "not-a-token").status_code == 404


def test_a_deactivated_accounts_feed_stops_working(client, facilitator):
    token = services.issue_feed_token(actor=facilitator, user=facilitator).token
    facilitator.is_active = False
    facilitator.save()
    assert _feed(client, token).status_code == 404


def test_feed_query_count_does_not_grow(client, area, tm, facilitator, django_assert_max_num_queries):
    token = services.issue_feed_token(actor=facilitator, user=facilitator).token
    make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    with django_assert_max_num_queries(6) as few:
        _feed(client, token)
    make_plan(area, actor=tm, facilitator=facilitator, slots=[{"weekday": "thursday", "start_time": "10:00"}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        _feed(client, token)
