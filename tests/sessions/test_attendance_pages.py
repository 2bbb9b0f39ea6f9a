"""Attendance on the pages: the progress page and My sessions. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sessions import services
from tests.pages import page_text
from tests.sessions.attendance_helpers import (
    allocate_member,
    book,
    move_to,
    session_number,
)

pytestmark = pytest.mark.django_db


def test_the_progress_page_says_how_many_more_may_be_missed(login, group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    s1, s2 = session_number(group, 1), session_number(group, 2)
    move_to(time_machine, s2.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    book(facilitator, member, s1)
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="acceptable_absence")
    page = page_text(login(tm).get(reverse("programme_sessions:member_progress", args=[member.public_id])))
    assert "2 missed, 1 caught up" in page
    assert "He may miss 2 more sessions before he must start the programme again" in page
    assert "missed so far" not in page


def test_my_sessions_names_the_member_of_a_catch_up_and_sent_home_is_called_so(
    login, group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date, hour=9)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="sent_home", sent_home_acceptable=False
    )
    book(facilitator, member, s1, outcome="", date=s1.date + dt.timedelta(days=2), start=dt.time(10))
    page = page_text(login(facilitator).get(reverse("programme_sessions:my_calendar")))
    assert member.referral.person.full_name in page and member.referral.person.crn in page
    home = page_text(login(om).get(reverse("referrals:person_list")))
    assert "sent home (unacceptable)" in home and "(unacceptable absence" not in home
