"""Helpers for the attendance, catch-up and enforcement tests: a group meeting on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sessions import services
from sessions.models import MembershipStatus
from tests.sessions.factories import waiting_referral

LONDON = ZoneInfo("Europe/London")


def move_to(time_machine, day: dt.date, hour: int = 21) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


def allocate_member(group, tm, om):
    return services.allocate(actor=tm, group=group, referral=waiting_referral(group.area, om))


def session_number(group, number):
    return group.sessions.get(number=number)


def book(actor, membership, session, *, outcome="attended", **kw):
    values = {"date": session.date, "facilitator": actor, "outcome": outcome}
    values.update(kw)
    return services.book_catch_up(actor=actor, membership=membership, missed_session=session, **values)


def restart_after_five_missed(facilitator, member, group):
    """Sessions 1-4 missed and caught up, session 5 missed: the fifth missed session restarts (003)."""
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator,
            membership=member,
            session=session_number(group, n),
            outcome="acceptable_absence",
        )
        book(facilitator, member, session_number(group, n))
    services.record_attendance(
        actor=facilitator, membership=member, session=session_number(group, 5), outcome="unacceptable_absence"
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED


def other_absent(group, tm, om, facilitator, session):
    from sessions.models import Membership as M

    other = M.objects.filter(group=group).exclude(attendances__session=session).first()
    if other is None:
        raise AssertionError("allocate the extra members before time travel")
    services.record_attendance(
        actor=facilitator, membership=other, session=session, outcome="acceptable_absence"
    )
    return other
