"""The database's own guarantees: the seeded catalogue and the constraints that hold whatever the code does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sessions.models import (
    Attendance,
    FeedToken,
    GroupSlot,
    Membership,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import DEFAULT_CATALOGUE, validate_entry
from tests.factories import VenueFactory
from tests.sessions.factories import make_group, make_plan, waiting_referral

pytestmark = pytest.mark.django_db


def test_data_migration_seeds_version_1_of_every_default_entry():
    seeded = Programme.objects.filter(version=1, area__isnull=True)
    assert {p.code for p in seeded} == {e["code"] for e in DEFAULT_CATALOGUE}
    for programme in seeded:
        assert validate_entry(programme.as_entry()) == []
    isotp = seeded.get(code="isotp_group")
    assert (isotp.sessions_min, isotp.group_max, isotp.min_age, isotp.session_minutes) == (35, 10, 21, 120)
    assert [m["sessions"] for m in isotp.modules] == [
        4,
        8,
        3,
        13,
        4,
        3,
    ]  # 000, module 3 at 3 (domain.md §2.1)
    assert seeded.get(code="li_group").optional_suite is True


def test_one_current_national_version_per_code():
    current = Programme.objects.get(code="isotp_group")
    current.pk = None
    current.version = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        current.save()


def test_group_capacity_cannot_pass_the_programme_maximum(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeGroup.objects.filter(pk=group.pk).update(capacity=11)  # 000: never more than 10


def test_a_group_has_one_slot_per_weekday(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupSlot.objects.create(group=group, weekday=0, start_time=dt.time(10))


def test_a_slot_belongs_to_a_group_or_a_plan_not_both(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupSlot.objects.create(weekday=2, start_time=dt.time(10))
    assert group.slots.count() == 1


def test_session_numbers_are_unique_among_live_sessions_only(area, tm):
    group = make_group(area, actor=tm)
    first = group.sessions.get(number=1)
    copy = {
        "group": group,
        "number": 1,
        "module": 1,
        "module_title": "x",
        "date": dt.date(2027, 2, 1),
        "start": dt.time(18),
        "end": dt.time(20),
        "venue": first.venue,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduledSession.objects.create(**copy)
    ScheduledSession.objects.filter(pk=first.pk).update(status=SessionStatus.CANCELLED_BY_PROVIDER)
    ScheduledSession.objects.create(**copy)  # a cancelled row is history: the number is free again


def test_a_session_ends_after_it_starts(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        group.sessions.filter(number=1).update(end=dt.time(17))


def test_one_active_membership_per_referral_in_the_database(area, tm):
    first = make_group(area, actor=tm)
    second = make_group(area, actor=tm, slots=[{"weekday": "tuesday", "start_time": "10:00"}])
    referral = waiting_referral(area)
    Membership.objects.create(group=first, referral=referral, joined_on=first.start_date, allocated_by=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=second, referral=referral, joined_on=second.start_date, allocated_by=tm
        )
    # An ended membership does not count: a restart gets a new one.
    Membership.objects.filter(group=first).update(status="removed", left_on=first.start_date)
    Membership.objects.create(group=second, referral=referral, joined_on=second.start_date, allocated_by=tm)


def test_an_active_membership_has_not_left(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=group,
            referral=waiting_referral(area),
            joined_on=group.start_date,
            left_on=group.start_date,
            allocated_by=tm,
        )


def test_attendance_is_recorded_once_per_member_and_session(area, tm):
    group = make_group(area, actor=tm)
    membership = Membership.objects.create(
        group=group, referral=waiting_referral(area), joined_on=group.start_date, allocated_by=tm
    )
    session = group.sessions.get(number=1)
    Attendance.objects.create(membership=membership, session=session, outcome="attended", recorded_by=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(membership=membership, session=session, outcome="late", recorded_by=tm)


def test_a_plan_total_outside_20_to_30_is_refused_by_the_database(area, tm):
    plan = make_plan(area, actor=tm)
    with pytest.raises(IntegrityError), transaction.atomic():
        OneToOnePlan.objects.filter(pk=plan.pk).update(total_sessions=31)


def test_one_live_feed_token_per_user(facilitator):
    FeedToken.objects.create(user=facilitator, token="a" * 43)
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedToken.objects.create(user=facilitator, token="b" * 43)
    FeedToken.objects.filter(user=facilitator).update(revoked_at=timezone.now())
    FeedToken.objects.create(user=facilitator, token="c" * 43)


def test_group_reference_is_unique_in_its_area(area, tm):
    group = make_group(area, actor=tm)
    other = make_group(
        area, actor=tm, venue=VenueFactory(area=area), slots=[{"weekday": "friday", "start_time": "10:00"}]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeGroup.objects.filter(pk=other.pk).update(reference=group.reference)
