"""Catch-ups: who opens and closes a booking, cancelling and obsolete bookings, refused dates. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from isotp.errors import DomainConflict
from sessions import services
from tests.sessions.attendance_helpers import (
    allocate_member,
    book,
    move_to,
    other_absent,
    session_number,
)
from tests.sessions.factories import trained_facilitator

pytestmark = pytest.mark.django_db


def test_the_booked_facilitator_opens_the_progress_and_records_the_outcome(
    api, login, area, group, tm, om, facilitator, time_machine
):
    outsider = trained_facilitator(area)  # not on the group
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date, hour=9)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    booked = book(tm, member, s1, outcome="", date=s1.date + dt.timedelta(days=2), facilitator=outsider)
    page = login(outsider)
    assert page.get(reverse("programme_sessions:member_progress", args=[member.public_id])).status_code == 200
    move_to(time_machine, booked.date)
    url = reverse("programme_sessions:catch_up_outcome", args=[booked.public_id])
    assert login(outsider).get(url).status_code == 200
    response = api(outsider).post(
        reverse("api-catch-up-outcome", args=[booked.public_id]), {"outcome": "attended"}, format="json"
    )
    assert response.status_code == 200, response.json()
    # Another facilitator of the area, with nothing booked, still sees nothing.
    stranger = trained_facilitator(area)
    assert login(stranger).get(url).status_code == 404


def test_cancelling_and_obsolete_bookings_leave_the_diary_feed_and_clash_checks(
    api, login, group, tm, om, facilitator, time_machine
):
    from audit.models import AuditEvent
    from sessions.feeds import calendar_for
    from sessions.models import CatchUp

    member = allocate_member(group, tm, om)
    allocate_member(group, tm, om), allocate_member(group, tm, om)  # two more, missed later
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date, hour=9)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    later = s1.date + dt.timedelta(days=2)
    first = book(facilitator, member, s1, outcome="", date=later, start=dt.time(10), venue=group.venue)
    second = book(facilitator, member, s1, outcome="", date=later, start=dt.time(14), venue=group.venue)
    third = book(facilitator, member, s1, outcome="", date=later + dt.timedelta(days=1), start=dt.time(10))
    # Cancel one through the API, with its reason (audited).
    url = reverse("api-catch-up-cancel", args=[first.public_id])
    assert api(facilitator).post(url, {}, format="json").status_code == 400  # a reason is needed
    response = api(facilitator).post(url, {"reason": "Room flooded"}, format="json")
    assert response.status_code == 200 and response.json()["cancel_reason"] == "Room flooded"
    assert (
        api(facilitator).post(url, {"reason": "again"}, format="json").json()["code"] == "CATCH_UP_CANCELLED"
    )
    assert AuditEvent.objects.filter(action="catch_up.cancelled").exists()
    # Its slot is free again.
    book(
        facilitator,
        other_absent(group, tm, om, facilitator, s1),
        s1,
        outcome="",
        date=later,
        start=dt.time(10),
        venue=group.venue,
    )
    # The second is attended: the third becomes obsolete, cancelled automatically.
    move_to(time_machine, later, hour=17)
    services.record_catch_up_outcome(actor=facilitator, catch_up=second, outcome="attended")
    third.refresh_from_db()
    assert third.cancelled and "caught up" in third.cancel_reason
    feed = calendar_for(facilitator).decode().replace("\r\n ", "")
    assert str(first.public_id) not in feed and str(third.public_id) not in feed
    assert str(second.public_id) in feed
    book(
        facilitator,
        other_absent(group, tm, om, facilitator, s1),
        s1,
        outcome="",
        date=third.date,
        start=dt.time(10),
    )  # no clash with the obsolete booking
    assert login(facilitator).get(reverse("programme_sessions:my_calendar")).status_code == 200
    assert CatchUp.objects.get(pk=first.pk).cancelled


def test_a_catch_up_on_a_bank_holiday_is_refused(group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:  # Good Friday 2027 (England)
        book(facilitator, member, s1, outcome="", date=dt.date(2027, 3, 26))
    assert caught.value.code == "NON_WORKING_DAY"


def test_a_catch_up_judges_supervision_on_its_date_not_today(area, group, tm, om, facilitator, time_machine):
    """Issue 7: the catch-up's facilitator must be supervised on the catch-up's date (FACILITATOR_UNSUPERVISED):
    one whose supervision ends before it is refused though supervised today; one whose supervision starts after
    today, by the catch-up's date, is accepted."""
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date, hour=9)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    on = s1.date + dt.timedelta(days=2)
    ends_early = trained_facilitator(area, full_name="Ends Early")
    ends_early.supervisions.update(ended_on=on - dt.timedelta(days=1))  # supervised today, not on the day
    with pytest.raises(DomainConflict) as caught:
        book(tm, member, s1, outcome="", date=on, facilitator=ends_early)
    assert caught.value.code == "FACILITATOR_UNSUPERVISED" and "Ends Early" in caught.value.detail
    starts_later = trained_facilitator(area)
    starts_later.supervisions.update(started_on=on)  # not supervised today, supervised on the day
    assert book(tm, member, s1, outcome="", date=on, facilitator=starts_later).facilitator == starts_later
