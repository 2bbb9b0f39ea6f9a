"""Reads scoped by area and role first: facilitators see only what they deliver, other areas see nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from sessions import services
from sessions.models import SessionStatus
from sessions.selectors.catalogue import programme_for_area, programme_for_preview, programmes_for_area
from sessions.selectors.groups import group_for_user, groups_for_list, members_for_group
from sessions.selectors.plans import plan_for_user, plans_for_list
from sessions.selectors.schedule import sessions_for_facilitator
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db


def test_managers_see_their_areas_groups_and_facilitators_only_theirs(
    area, tm, area_admin, facilitator, om, other_tm
):
    mine = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    not_mine = make_group(area, actor=tm, slots=[{"weekday": "tuesday", "start_time": "10:00"}])
    assert set(groups_for_list(tm)) == {mine, not_mine}
    assert set(groups_for_list(area_admin)) == {mine, not_mine}
    assert list(groups_for_list(facilitator)) == [mine]
    assert list(groups_for_list(om)) == []
    assert list(groups_for_list(other_tm)) == []
    with pytest.raises(Http404):
        group_for_user(facilitator, not_mine.public_id)
    with pytest.raises(Http404):
        group_for_user(other_tm, mine.public_id)


def test_group_list_annotations(area, tm):
    group = make_group(area, actor=tm)
    services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    row = groups_for_list(tm).get()
    assert (row.member_count, row.session_count) == (1, 35)
    assert row.next_session_date == row.first_session_date == dt.date(2027, 1, 4)
    assert row.last_session_date == group.sessions.order_by("-date").first().date


def test_plans_are_scoped_like_groups(area, tm, facilitator, other_tm):
    mine = make_plan(area, actor=tm, facilitator=facilitator)
    other = make_plan(area, actor=tm)
    assert set(plans_for_list(tm)) == {mine, other}
    assert list(plans_for_list(facilitator)) == [mine]
    assert list(plans_for_list(other_tm)) == []
    with pytest.raises(Http404):
        plan_for_user(other_tm, mine.public_id)


@pytest.mark.parametrize("rows", [1, 4])
def test_plan_list_joins_four_tables_and_preloads_staff_and_venue(
    area, tm, rows, django_assert_max_num_queries
):
    """Issue 11 (perf16): PostgreSQL planned the seven-way join for 3-7 ms at national scale (1.5 ms at 0.01) while
    running it took under 1 ms. The plan list joins its programme, referral and person only; the venue and the
    two staff members come by primary key, one query each, whatever the number of plans."""
    for index in range(rows):
        make_plan(area, actor=tm, start_date=dt.date(2027, 1, 5) + dt.timedelta(weeks=index))
    # the plans, their slots, venues, facilitators and treatment managers
    with django_assert_max_num_queries(5) as captured:
        plans = list(plans_for_list(tm))
        assert [(p.venue.name, p.facilitator.full_name, p.treatment_manager.full_name) for p in plans]
        assert all(p.referral.person.crn and p.programme.code for p in plans)
    main = next(q["sql"] for q in captured.captured_queries if "session_count" in q["sql"])
    assert main.count(" JOIN ") == 3


def test_facilitator_calendar_holds_their_live_sessions_in_range(area, tm, facilitator):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    plan = make_plan(
        area, actor=tm, facilitator=facilitator, slots=[{"weekday": "thursday", "start_time": "10:00"}]
    )
    services.cancel_session_by_provider(actor=tm, session=group.sessions.get(number=1))
    sessions = list(sessions_for_facilitator(facilitator, dt.date(2027, 1, 1), dt.date(2027, 1, 31)))
    assert all(s.status != SessionStatus.CANCELLED_BY_PROVIDER for s in sessions)
    assert {s.group_id for s in sessions if s.group_id} == {group.pk}
    assert {s.plan_id for s in sessions if s.plan_id} == {plan.pk}
    assert [s.date for s in sessions] == sorted(s.date for s in sessions)
    assert all(dt.date(2027, 1, 1) <= s.date <= dt.date(2027, 1, 31) for s in sessions)


def test_members_for_group_lists_active_members_first(area, tm):
    group = make_group(area, actor=tm)
    leaving = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    staying = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    services.remove_member(
        actor=tm, membership=leaving, reason="Moved away", next_status="awaiting_allocation"
    )
    assert list(members_for_group(group)) == [staying, leaving]
    assert list(members_for_group(group, include_ended=False)) == [staying]


def test_programmes_for_area_prefers_the_areas_own_version(area, tm, area_admin, other_tm):
    national = programme_for_area(area, "isotp_group")
    own = services.create_programme_version(
        actor=area_admin, programme=national, changes={"name": "i-SOTP group"}, reason="Local name"
    )
    assert programme_for_area(area, "isotp_group") == own
    assert own in programmes_for_area(tm)
    assert national in programmes_for_area(other_tm)  # another area keeps the national one
    assert programme_for_preview(tm, "isotp", "group") == own
    assert programme_for_preview(tm, "isotp_one_to_one").format == "one_to_one"


def test_the_allocation_page_judges_age_on_the_day_the_service_does(area, tm, time_machine):
    """Issue 7: the allocation page judged the age band on today, `allocate` on the joining day. The rolling Core
    Group is joined at the next block boundary: a man who is 20 today and 21 on that day is not refused by either."""
    from zoneinfo import ZoneInfo

    from sessions.selectors.allocation import age_band_date, allocation_rows, join_date

    london = ZoneInfo("Europe/London")
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, tzinfo=london), tick=False)
    core = make_group(area, actor=tm, programme_code="nsogp_core_group", start_date=dt.date(2027, 1, 4))
    today = dt.date(2027, 1, 12)  # after the start, before the next block boundary
    time_machine.move_to(dt.datetime(2027, 1, 12, 9, tzinfo=london), tick=False)
    joins = join_date(core, today)
    assert joins > today and age_band_date(core, joins) == joins
    referral = waiting_referral(area, programme="nsogp", date_of_birth=joins.replace(year=joins.year - 21))
    (row,) = [r for r in allocation_rows(tm, core, today=today) if r.referral.pk == referral.pk]
    assert row.age_at_group_start == 21 and row.refusal == ""
    assert services.allocate(actor=tm, group=core, referral=referral).joined_on == joins
