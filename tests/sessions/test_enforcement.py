"""Enforcement: the breach deadline and failures to comply around a recorded breach action. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt

import pytest

from isotp.errors import DomainConflict
from sessions import services
from tests.sessions.attendance_helpers import (
    allocate_member,
    book,
    move_to,
    session_number,
)

pytestmark = pytest.mark.django_db


def test_a_further_absence_does_not_move_the_breach_deadline(group, tm, om, facilitator, time_machine):
    from sessions.progress import enforcement_for

    member = allocate_member(group, tm, om)
    s1, s2, s3 = session_number(group, 1), session_number(group, 2), session_number(group, 3)
    referral = member.referral
    move_to(time_machine, s3.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    services.record_warning(actor=om, referral=referral, issued_on=s1.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s2, outcome="unacceptable_absence"
    )
    first = enforcement_for([referral])[referral.pk].state
    assert first.status == "breach_due" and first.answers == s2.date
    services.record_attendance(
        actor=facilitator, membership=member, session=s3, outcome="unacceptable_absence"
    )
    later = enforcement_for([referral])[referral.pk].state
    assert later.status == "breach_due" and later.breach_due_by == first.breach_due_by
    assert "1 further since" in later.reason


def test_a_failure_on_the_day_breach_action_is_recorded_is_a_new_failure(
    group, tm, om, facilitator, time_machine
):
    from sessions.progress import enforcement_for

    member = allocate_member(group, tm, om)
    s1, s2, s3 = session_number(group, 1), session_number(group, 2), session_number(group, 3)
    referral = member.referral
    move_to(time_machine, s3.date, hour=9)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    services.record_warning(actor=om, referral=referral, issued_on=s1.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s2, outcome="unacceptable_absence"
    )
    services.record_breach(actor=om, referral=referral, actioned_on=s3.date)
    assert enforcement_for([referral])[referral.pk].state.status == "breach_actioned"
    # A catch-up missed (unacceptably) the same day the breach action was recorded.
    booked = book(facilitator, member, s1, outcome="", date=s3.date, start=dt.time(13))
    with pytest.raises(DomainConflict) as caught:  # 09:00: before its 13:00 start
        services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="unacceptable_absence")
    assert caught.value.code == "CATCH_UP_IN_FUTURE"
    with pytest.raises(DomainConflict) as caught:
        book(facilitator, member, s2, outcome="attended", date=s3.date, start=dt.time(14))
    assert caught.value.code == "CATCH_UP_IN_FUTURE"
    move_to(time_machine, s3.date, hour=16)
    services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="unacceptable_absence")
    state = enforcement_for([referral])[referral.pk].state
    assert state.status == "breach_due" and state.answers == s3.date


def test_failures_are_one_query_in_date_order_with_each_kind_labelled(
    group, tm, om, facilitator, time_machine, django_assert_num_queries
):
    """Issue 11: a referral's failures to comply (session absences, sent home unacceptably, catch-ups missed
    unacceptably) are read in one query (a UNION ALL); by date, a day's session absence before that day's catch-up.
    An acceptable absence or an acceptable sending home is not a failure."""
    from sessions.progress import failures_by_referral

    member = allocate_member(group, tm, om)
    s1, s2, s3, s4 = (session_number(group, n) for n in (1, 2, 3, 4))
    move_to(time_machine, s4.date, hour=16)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    services.record_attendance(
        actor=facilitator, membership=member, session=s2, outcome="sent_home", sent_home_acceptable=False
    )
    services.record_attendance(actor=facilitator, membership=member, session=s3, outcome="acceptable_absence")
    # s1's catch-up, missed unacceptably on s4's day, when s4 itself was missed unacceptably.
    services.record_attendance(
        actor=facilitator, membership=member, session=s4, outcome="unacceptable_absence"
    )
    book(facilitator, member, s1, outcome="unacceptable_absence", date=s4.date, start=dt.time(10))
    referral = member.referral
    with django_assert_num_queries(1):
        failures = failures_by_referral([referral.pk])[referral.pk]
    assert [(f.date, f.what.split(":")[0].split(" of ")[0]) for f in failures] == [
        (s1.date, "Unacceptable absence"),
        (s2.date, "Sent home (unacceptable)"),
        (s4.date, "Unacceptable absence"),
        (s4.date, "Unacceptable absence from the catch-up"),
    ]
    assert failures[-1].session_id == str(s1.public_id)  # the catch-up names the session it made up
    assert failures[0].session_id == str(s1.public_id) and failures[2].session_id == str(s4.public_id)
    assert failures_by_referral([]) == {}
