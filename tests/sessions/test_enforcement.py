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
