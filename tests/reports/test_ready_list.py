"""Members ready for a report (reports.selectors.memberships_ready_for_report), case by case: sessions over or
left after starting, no report yet, in the TM's area or delivered by the facilitator; in one query (issue 11
rewrote it to use an index per owner and no DISTINCT)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from reports.models import PostProgrammeReport
from reports.selectors import memberships_ready_for_report
from sessions import services
from sessions.models import Attendance, Membership, ScheduledSession
from tests.sessions.factories import make_group, make_plan, tm_of, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db


def _member(group, tm, om, *, status: str = "active", started: bool = False) -> Membership:
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(group.area, om))
    if started:
        first = group.sessions.order_by("number").first()
        Attendance.objects.create(membership=membership, session=first, outcome="attended", recorded_by=tm)
    if status != "active":
        Membership.objects.filter(pk=membership.pk).update(status=status, left_on=F("joined_on"))
    return membership


def _all_sessions_over(owner) -> None:
    """The owner's sessions moved into the past and delivered (scenery: the services refuse back-dating)."""
    field = "group" if hasattr(owner, "capacity") else "plan"
    for session in ScheduledSession.objects.filter(**{field: owner}):
        ScheduledSession.objects.filter(pk=session.pk).update(
            date=session.date.replace(year=2024), status="delivered"
        )


def test_who_is_ready_for_a_report(
    time_machine, area, other_area, tm, facilitator, om, django_assert_num_queries
):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
    mine = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    still_going = _member(mine, tm, om)
    left_after_starting = _member(mine, tm, om, status="removed", started=True)
    left_before_starting = _member(mine, tm, om, status="removed")
    sessions_complete = _member(mine, tm, om, status="sessions_complete")
    reported = _member(mine, tm, om, status="completed")
    PostProgrammeReport.objects.create(
        area=area,
        membership=reported,
        referral=reported.referral,
        kind="post_programme",
        created_by=facilitator,
    )
    # A group whose remaining sessions were all cancelled: its active member has nothing left to attend.
    cancelled = make_group(
        area,
        actor=tm,
        facilitators=[facilitator, trained_facilitator(area)],
        slots=[{"weekday": "wednesday", "start_time": "18:00"}],
    )
    nothing_left = _member(cancelled, tm, om)
    cancelled.sessions.update(status="cancelled_by_provider")
    # A one-to-one plan the facilitator delivers, all of it over; another facilitator's, sessions complete.
    plan = make_plan(area, actor=tm, facilitator=facilitator)
    _all_sessions_over(plan)
    plan_member = Membership.objects.get(plan=plan)
    others_plan = make_plan(area, actor=tm, slots=[{"weekday": "thursday", "start_time": "10:00"}])
    others_plan_member = Membership.objects.get(plan=others_plan)
    Membership.objects.filter(pk=others_plan_member.pk).update(status="sessions_complete")
    # Another facilitator's group in the area, and a group in another area.
    others = _member(make_group(area, actor=tm), tm, om, status="completed")
    elsewhere_tm = tm_of(other_area)
    _member(make_group(other_area, actor=elsewhere_tm), elsewhere_tm, None, status="completed")

    delivered_by_me = {left_after_starting, sessions_complete, nothing_left, plan_member}
    with django_assert_num_queries(1):
        for_tm = list(memberships_ready_for_report(tm))
    assert {m.pk for m in for_tm} == {m.pk for m in delivered_by_me | {others_plan_member, others}}
    assert len(for_tm) == len({m.pk for m in for_tm})  # no member twice
    with django_assert_num_queries(1):
        for_facilitator = [(m.pk, m.referral.person.crn) for m in memberships_ready_for_report(facilitator)]
    assert {pk for pk, _ in for_facilitator} == {m.pk for m in delivered_by_me}
    assert len(for_facilitator) == len(delivered_by_me)
    assert still_going.pk not in {m.pk for m in for_tm} and left_before_starting.pk not in {
        m.pk for m in for_tm
    }
