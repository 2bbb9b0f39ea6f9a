"""Delivery services wired to real areas: schedules across bank holidays and closures, group and plan rules,
rescheduling, provider cancellations, clashes, allocation, removal, attendance and the catalogue's versions.

The pure rules have their own table tests (test_rules_*.py); these check that the services feed them the right
area calendar and write what they decide. "Today" is fixed at Tuesday 24 November 2026.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AreaClosure, FacilitatorTraining, Role
from audit.models import AuditEvent
from isotp.errors import DomainConflict
from referrals.models import Referral
from sessions import services
from sessions.models import (
    Attendance,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    Programme,
    ScheduledSession,
    SessionStatus,
)
from sessions.selectors.area import feed_owner
from sessions.selectors.catalogue import programme_for_area, programmes_for_area
from tests.factories import ProbationAreaFactory, UserFactory, VenueFactory
from tests.sessions.factories import (
    default_plan_modules,
    make_group,
    make_plan,
    trained_facilitator,
    waiting_referral,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = dt.date


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _dates(group) -> list[dt.date]:
    return list(group.sessions.order_by("number").values_list("date", flat=True))


def _skipped(group) -> dict[dt.date, str]:
    event = AuditEvent.objects.get(action="group.created", object_id=str(group.public_id))
    return {D.fromisoformat(item.split(": ")[0]): item.split(": ", 1)[1] for item in event.changes["skipped"]}


# --- schedules across the calendar ---------------------------------------------------------------------------


def test_monday_group_skips_easter_may_and_august_bank_holidays_in_england(area, tm):
    group = make_group(area, actor=tm, start_date=D(2027, 3, 1))
    dates = _dates(group)
    assert len(dates) == 35 and dates[0] == D(2027, 3, 1)
    skipped = _skipped(group)
    for holiday in (D(2027, 3, 29), D(2027, 5, 3), D(2027, 5, 31), D(2027, 8, 30)):  # Easter, May x2, August
        assert holiday not in dates
        assert holiday in skipped and "bank holiday" in skipped[holiday].lower()
    assert "Easter Monday" in skipped[D(2027, 3, 29)]
    # A skipped date moves the session to the next slot date: weekly otherwise.
    assert dates[3] == D(2027, 3, 22) and dates[4] == D(2027, 4, 5)
    assert all(d.weekday() == 0 for d in dates)


def test_christmas_weekend_gives_substitute_days_that_are_skipped(area, tm):
    # 2027: Christmas and Boxing Day fall at the weekend, so Monday 27 and Tuesday 28 December are the bank
    # holidays; New Year's Day 2028 is a Saturday, so Monday 3 January 2028 is too.
    slots = [{"weekday": "monday", "start_time": "10:00"}, {"weekday": "tuesday", "start_time": "10:00"}]
    group = make_group(area, actor=tm, start_date=D(2027, 12, 13), slots=slots)
    dates = _dates(group)
    skipped = _skipped(group)
    for day in (D(2027, 12, 27), D(2027, 12, 28), D(2028, 1, 3)):
        assert day not in dates
        assert "substitute day" in skipped[day]
    assert dates[:5] == [D(2027, 12, 13), D(2027, 12, 14), D(2027, 12, 20), D(2027, 12, 21), D(2028, 1, 4)]


def test_northern_ireland_area_skips_st_patricks_day_and_the_twelfth(tm):
    ni = ProbationAreaFactory(
        code="pbni", name="PBNI", jurisdiction="northern_ireland", holiday_subdivision="NIR"
    )
    ni_tm = UserFactory(role=Role.TREATMENT_MANAGER, area=ni)
    slots = [{"weekday": "monday", "start_time": "18:00"}, {"weekday": "wednesday", "start_time": "18:00"}]
    group = make_group(ni, actor=ni_tm, start_date=D(2027, 3, 1), slots=slots)
    dates, skipped = _dates(group), _skipped(group)
    assert D(2027, 3, 17) not in dates and "Patrick" in skipped[D(2027, 3, 17)]
    assert D(2027, 7, 12) not in dates and "Battle of the Boyne" in skipped[D(2027, 7, 12)]
    # The same slots in an English area meet on St Patrick's Day.
    english = make_group(tm.area, actor=tm, start_date=D(2027, 3, 1), slots=slots)
    assert D(2027, 3, 17) in _dates(english) and D(2027, 3, 17) not in _skipped(english)


def test_area_closure_dates_are_skipped_with_their_reason(area, tm):
    AreaClosure.objects.create(area=area, date=D(2027, 1, 18), reason="Staff training day")
    group = make_group(area, actor=tm, start_date=D(2027, 1, 4))
    dates = _dates(group)
    assert D(2027, 1, 18) not in dates and dates[2] == D(2027, 1, 25)
    assert _skipped(group)[D(2027, 1, 18)] == "Area closure: Staff training day"


def test_twice_weekly_slots_interleave_in_template_order(area, tm):
    slots = [{"weekday": "thursday", "start_time": "10:00"}, {"weekday": "monday", "start_time": "18:00"}]
    group = make_group(area, actor=tm, start_date=D(2027, 1, 4), slots=slots)
    sessions = list(group.sessions.order_by("number"))
    assert [(s.date, s.start) for s in sessions[:4]] == [
        (D(2027, 1, 4), dt.time(18)),
        (D(2027, 1, 7), dt.time(10)),
        (D(2027, 1, 11), dt.time(18)),
        (D(2027, 1, 14), dt.time(10)),
    ]
    assert [s.module for s in sessions[:5]] == [1, 1, 1, 1, 2]  # module 1 has 4 sessions (000)
    assert sessions[0].end == dt.time(20) and sessions[1].end == dt.time(12)  # 2 hours (000)
    assert sessions[-1].date < D(2027, 6, 1)  # twice a week: 35 sessions in about 18 weeks


def test_preview_writes_nothing_and_matches_what_create_writes(area, tm):
    programme = programme_for_area(area, "isotp_group")
    before = ScheduledSession.objects.count()
    preview = services.preview_schedule(
        programme=programme,
        start_date=D(2027, 3, 1),
        slots=[{"weekday": "monday", "start_time": "18:00"}],
        area=area,
    )
    assert ScheduledSession.objects.count() == before
    group = make_group(area, actor=tm, start_date=D(2027, 3, 1))
    assert [s.date for s in preview.sessions] == _dates(group)
    assert {s.date for s in preview.skipped} == set(_skipped(group))


# --- creating a group: the refusals --------------------------------------------------------------------------


def test_untrained_facilitator_is_refused_naming_what_is_missing(area, tm):
    untrained = UserFactory(role=Role.FACILITATOR, area=area, full_name="Pat Untrained")
    FacilitatorTraining.objects.create(
        facilitator=untrained, kind="assessment_centre", programme="", date_passed=D(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as caught:
        make_group(area, actor=tm, facilitators=[trained_facilitator(area), untrained])
    message = " ".join(caught.value.message_dict["facilitators"])
    assert "Pat Untrained" in message
    assert "has not completed i-SOTP training" in message
    assert "core training in N-SOGP, TV-SOGP or C-SOGP" in message


def test_too_few_facilitators_is_refused(area, tm):
    with pytest.raises(ValidationError) as caught:
        make_group(area, actor=tm, facilitators=[trained_facilitator(area)])
    assert "needs 2 facilitators" in caught.value.message_dict["facilitators"][0]


def test_capacity_outside_the_programme_sizes_is_refused(area, tm):
    for capacity in (11, 7):  # 000: 8 to 10, never more than 10
        with pytest.raises(ValidationError) as caught:
            make_group(area, actor=tm, capacity=capacity)
        assert "8 to 10" in caught.value.message_dict["capacity"][0]


def test_start_date_in_the_past_is_refused(area, tm):
    with pytest.raises(ValidationError) as caught:
        make_group(area, actor=tm, start_date=D(2026, 11, 23))
    assert "start_date" in caught.value.message_dict


def test_young_adult_band_is_allowed_and_other_bands_are_not(area, tm):
    group = make_group(area, actor=tm, age_min=17, age_max=21)  # 003: groups by age band, 17-21
    assert (group.age_min, group.age_max) == (17, 21)
    with pytest.raises(ValidationError) as caught:
        make_group(area, actor=tm, age_min=16, age_max=21)
    assert "21 and over, or young adults aged 17 to 21" in caught.value.message_dict["age_min"][0]


def test_lihi_suite_is_offered_only_when_the_area_switches_it_on(area, tm):
    assert "li_group" not in {p.code for p in programmes_for_area(tm)}
    with pytest.raises(ValidationError):
        make_group(area, actor=tm, programme_code="li_group")
    area.lihi_enabled = True
    area.save()
    tm.refresh_from_db()
    assert {"li_group", "hi_group"} <= {p.code for p in programmes_for_area(tm)}


def test_group_creation_is_audited_with_its_schedule(area, tm):
    group = make_group(area, actor=tm)
    event = AuditEvent.objects.get(action="group.created", object_id=str(group.public_id))
    assert event.actor == tm and event.area_id == area.pk and event.changes["sessions"] == 35
    assert group.reference == "CHE-ISOTP-2027-01"
    assert make_group(area, actor=tm).reference == "CHE-ISOTP-2027-02"


# --- clashes ------------------------------------------------------------------------------------------------


def test_facilitator_clash_is_refused_naming_the_clashing_session(area, tm):
    shared = trained_facilitator(area, full_name="Sam Okafor")
    first = make_group(area, actor=tm, facilitators=[shared, trained_facilitator(area)])
    with pytest.raises(DomainConflict) as caught:
        # Another venue, same person, overlapping time on Monday 4 January 2027.
        make_group(
            area,
            actor=tm,
            facilitators=[shared, trained_facilitator(area)],
            slots=[{"weekday": "monday", "start_time": "19:00"}],
        )
    assert caught.value.code == "FACILITATOR_CLASH"
    assert "Sam Okafor is already delivering session 1 of CHE-ISOTP-2027-01 on Monday 4 January 2027" in (
        caught.value.detail
    )
    assert caught.value.extra["clashes"][0]["session"] == str(first.sessions.get(number=1).public_id)


def test_venue_clash_is_refused_naming_the_clashing_session(area, tm):
    venue = VenueFactory(area=area, name="Group Room 2")
    make_group(area, actor=tm, venue=venue)
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, venue=venue, slots=[{"weekday": "monday", "start_time": "17:00"}])
    assert caught.value.code == "VENUE_CLASH"
    assert caught.value.detail.startswith("Group Room 2 is already booked for session 1 of CHE-ISOTP-2027-01")


def test_back_to_back_sessions_do_not_clash(area, tm):
    shared = trained_facilitator(area)
    make_group(area, actor=tm, facilitators=[shared, trained_facilitator(area)])
    later = make_group(
        area,
        actor=tm,
        facilitators=[shared, trained_facilitator(area)],
        slots=[{"weekday": "monday", "start_time": "20:00"}],
    )
    assert later.sessions.count() == 35


def test_a_cancelled_groups_sessions_do_not_block(area, tm):
    venue = VenueFactory(area=area)
    first = make_group(area, actor=tm, venue=venue)
    first.status = "cancelled"
    first.save()
    assert make_group(area, actor=tm, venue=venue).sessions.count() == 35


# --- rescheduling and provider cancellations ----------------------------------------------------------------


def test_reschedule_one_session_without_cascade(area, tm):
    group = make_group(area, actor=tm)
    session = group.sessions.get(number=3)  # Monday 18 January 2027
    moved = services.reschedule_session(actor=tm, session=session, new_date=D(2027, 1, 20), cascade=False)
    assert [(s.number, s.date) for s in moved] == [(3, D(2027, 1, 20))]
    assert group.sessions.get(number=4).date == D(2027, 1, 25)
    assert AuditEvent.objects.filter(action="session.rescheduled", object_id=str(group.public_id)).exists()


def test_reschedule_with_cascade_moves_every_later_session(area, tm):
    group = make_group(area, actor=tm)
    before = _dates(group)
    session = group.sessions.get(number=3)
    moved = services.reschedule_session(
        actor=tm, session=session, new_date=D(2027, 1, 26), new_start=dt.time(17), cascade=True
    )
    after = _dates(group)
    assert after[:2] == before[:2]
    assert after[2] == D(2027, 1, 26) and group.sessions.get(number=3).start == dt.time(17)
    assert group.sessions.get(number=3).end == dt.time(19)
    assert after[3] == D(2027, 2, 1)  # the next free Monday after the new date
    assert len(moved) == 33


def test_reschedule_locks_group_sessions_venues_and_facilitators_in_one_fixed_order(area, tm):
    """Issue 7: whatever venues the moved sessions use, the locks are taken group, sessions, venues, facilitators,
    each in id order, so that two writers wait on each other and never deadlock."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    group = make_group(area, actor=tm)
    second, first = VenueFactory(area=area), VenueFactory(area=area)  # ids out of the order sessions use them
    group.sessions.filter(number__in=[5, 6]).update(venue=second)
    group.sessions.filter(number__gte=30).update(venue=first)
    session = group.sessions.get(number=3)
    with CaptureQueriesContext(connection) as captured:
        services.reschedule_session(actor=tm, session=session, new_date=D(2027, 1, 26), cascade=True)
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    tables = [
        next(t for t in ("programmegroup", "scheduledsession", "venue", "accounts_user") if t in sql)
        for sql in locks
    ]
    assert tables == ["programmegroup", "scheduledsession", "venue", "accounts_user"]
    assert all("ORDER BY" in sql for sql in locks[1:])


def test_reschedule_without_cascade_past_the_next_session_is_refused(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(
            actor=tm, session=group.sessions.get(number=3), new_date=D(2027, 1, 26), cascade=False
        )
    assert caught.value.code == "OUT_OF_ORDER"


def test_past_sessions_never_move(area, tm, time_machine):
    group = make_group(area, actor=tm)
    time_machine.move_to(dt.datetime(2027, 1, 20, 9, tzinfo=LONDON), tick=False)
    first = group.sessions.get(number=1)
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(actor=tm, session=first, new_date=D(2027, 1, 21), cascade=False)
    assert caught.value.code == "PAST_SESSION"
    # Cascading from a later session leaves the earlier, past ones where they were.
    services.reschedule_session(
        actor=tm, session=group.sessions.get(number=4), new_date=D(2027, 1, 26), cascade=True
    )
    assert _dates(group)[:3] == [D(2027, 1, 4), D(2027, 1, 11), D(2027, 1, 18)]


def test_reschedule_onto_a_bank_holiday_is_refused(area, tm):
    group = make_group(area, actor=tm, start_date=D(2027, 3, 1))
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(
            actor=tm, session=group.sessions.get(number=4), new_date=D(2027, 3, 26), cascade=True
        )
    assert caught.value.code == "NON_WORKING_DAY" and "Good Friday" in caught.value.detail


def test_reschedule_into_a_clash_is_refused_naming_the_session(area, tm):
    shared = trained_facilitator(area, full_name="Helen Brooks")
    make_group(
        area,
        actor=tm,
        facilitators=[shared, trained_facilitator(area)],
        slots=[{"weekday": "wednesday", "start_time": "18:00"}],
        start_date=D(2027, 1, 6),
    )
    group = make_group(area, actor=tm, facilitators=[shared, trained_facilitator(area)])
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(
            actor=tm, session=group.sessions.get(number=2), new_date=D(2027, 1, 13), cascade=False
        )
    assert caught.value.code == "FACILITATOR_CLASH"
    assert (
        "Helen Brooks is already delivering session 2 of CHE-ISOTP-2027-01 on Wednesday 13 January 2027"
        in (caught.value.detail)
    )
    assert group.sessions.get(number=2).date == D(2027, 1, 11)  # nothing moved


def test_provider_cancellation_reschedules_for_everyone(area, tm):
    group = make_group(area, actor=tm)
    session = group.sessions.get(number=2)  # Monday 11 January 2027
    replacement = services.cancel_session_by_provider(actor=tm, session=session, reason="Facilitator ill")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED_BY_PROVIDER and session.date == D(2027, 1, 11)
    assert replacement.number == 2 and replacement.date == D(2027, 1, 18)
    assert set(replacement.facilitators.all()) == set(group.facilitators.all())
    live = group.sessions.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER).order_by("number")
    assert live.count() == 35
    assert [s.date for s in live][2] == D(2027, 1, 25)
    event = AuditEvent.objects.get(action="session.cancelled_by_provider")
    assert event.reason == "Facilitator ill"
    # The schedule can still be moved afterwards: the cancelled row is history, not a session.
    services.reschedule_session(actor=tm, session=replacement, new_date=D(2027, 1, 19), cascade=False)


# --- the catalogue's versions -------------------------------------------------------------------------------


def test_a_catalogue_change_is_a_new_version_and_never_alters_a_scheduled_group(area, tm, area_admin):
    group = make_group(area, actor=tm)
    national = programme_for_area(area, "isotp_group")
    new = services.create_programme_version(
        actor=area_admin,
        programme=national,
        changes={"group_max": 12, "session_minutes": 150, "work_minutes": 150},
        reason="Local accreditation allows 12",
        valid_from=D(2026, 12, 1),
    )
    assert (new.version, new.area, new.group_max) == (2, area, 12)
    group.refresh_from_db()
    assert group.programme == national and group.sessions.get(number=1).end == dt.time(20)
    national.refresh_from_db()
    assert national.valid_until is None  # other areas keep the national default
    later = make_group(
        area,
        actor=tm,
        capacity=12,
        start_date=D(2027, 2, 2),
        slots=[{"weekday": "tuesday", "start_time": "10:00"}],
    )
    assert later.programme == new and later.sessions.get(number=1).end == dt.time(12, 30)
    assert AuditEvent.objects.filter(action="programme.version_created").count() == 1


def test_an_invalid_catalogue_change_is_refused_with_the_rules_message(area_admin, area):
    national = programme_for_area(area, "isotp_group")
    with pytest.raises(ValidationError) as caught:
        services.create_programme_version(
            actor=area_admin, programme=national, changes={"group_min": 11}, reason="Typo"
        )
    # Under the figure that is wrong (the page marks that field), in words (issue 13).
    assert caught.value.message_dict == {
        "group_min": ["The minimum group size (11) must not be above the optimum (8)."]
    }
    assert Programme.objects.filter(code="isotp_group").count() == 1


def test_the_seeded_catalogue_round_trips_to_the_default_entries():
    from sessions.rules import DEFAULT_CATALOGUE

    for entry in DEFAULT_CATALOGUE:
        assert Programme.objects.get(code=entry["code"], version=1).as_entry() == entry


# --- allocation ---------------------------------------------------------------------------------------------


def test_allocation_moves_the_referral_to_allocated_and_is_audited(area, tm):
    group = make_group(area, actor=tm)
    referral = waiting_referral(area)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "allocated"
    assert membership.status == MembershipStatus.ACTIVE and membership.joined_on == D(2027, 1, 4)
    assert AuditEvent.objects.filter(
        action="membership.allocated", object_id=str(membership.public_id)
    ).exists()
    assert referral.status_changes.filter(to_status="allocated", actor=tm).exists()


def test_allocation_beyond_capacity_is_refused(area, tm):
    group = make_group(area, actor=tm, capacity=8)
    for _ in range(8):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    assert caught.value.code == "GROUP_FULL"


def test_allocation_checks_the_age_on_the_groups_start_date(area, tm):
    group = make_group(area, actor=tm)  # starts Monday 4 January 2027
    young = waiting_referral(area, date_of_birth=D(2006, 1, 5))  # 20 on the start date, 21 the day after
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=group, referral=young)
    assert caught.value.code == "UNDER_AGE" and "Aged 20" in caught.value.detail
    of_age = waiting_referral(area, date_of_birth=D(2006, 1, 4))
    assert services.allocate(actor=tm, group=group, referral=of_age)


def test_one_active_membership_per_referral(area, tm):
    first, second = (
        make_group(area, actor=tm),
        make_group(
            area, actor=tm, start_date=D(2027, 1, 5), slots=[{"weekday": "tuesday", "start_time": "10:00"}]
        ),
    )
    referral = waiting_referral(area)
    services.allocate(actor=tm, group=first, referral=referral)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=second, referral=referral)
    assert caught.value.code == "NOT_AWAITING_ALLOCATION"
    # Even were the referral back on the list, its active place blocks a second one.
    Referral.objects.filter(pk=referral.pk).update(status="awaiting_allocation")
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=second, referral=referral)
    assert caught.value.code == "ALREADY_ALLOCATED" and "CHE-ISOTP-2027-01" in caught.value.detail


def test_only_a_waiting_referral_can_be_allocated(area, tm):
    group = make_group(area, actor=tm)
    referral = waiting_referral(area)
    Referral.objects.filter(pk=referral.pk).update(status="assessment", awaiting_since=None)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=group, referral=referral)
    assert caught.value.code == "NOT_AWAITING_ALLOCATION" and caught.value.allowed == ["awaiting_allocation"]


def test_a_referral_for_another_programme_is_refused(area, tm):
    group = make_group(area, actor=tm)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, format="one_to_one"))
    assert caught.value.code == "WRONG_PROGRAMME"


def test_a_closed_group_takes_nobody_after_it_starts(area, tm, time_machine):
    group = make_group(area, actor=tm)
    time_machine.move_to(dt.datetime(2027, 1, 5, 9, tzinfo=LONDON), tick=False)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    assert caught.value.code == "GROUP_CLOSED"


def test_the_relapse_prevention_group_is_closed_after_it_starts(area, tm, time_machine):
    rp = make_group(
        area,
        actor=tm,
        programme_code="nsogp_relapse_prevention",
        start_date=D(2027, 1, 6),
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
    )
    assert rp.sessions.count() == 12  # 002: a closed group of 12 sessions
    services.allocate(actor=tm, group=rp, referral=_prison_sotp(waiting_referral(area, programme="nsogp")))
    time_machine.move_to(dt.datetime(2027, 1, 7, 9, tzinfo=LONDON), tick=False)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(
            actor=tm, group=rp, referral=_prison_sotp(waiting_referral(area, programme="nsogp"))
        )
    assert caught.value.code == "GROUP_CLOSED"


def _prison_sotp(referral):
    Referral.objects.filter(pk=referral.pk).update(completed_prison_sotp=True)
    referral.refresh_from_db()
    return referral


def _rp_group(area, tm):
    return make_group(
        area,
        actor=tm,
        programme_code="nsogp_relapse_prevention",
        start_date=D(2027, 1, 6),
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
    )


def test_relapse_prevention_needs_the_core_group_or_a_prison_sotp(area, tm):
    """002 (domain.md §3): RP takes Core Group completers and men who completed a prison SOTP (RP_PREREQUISITE)."""
    rp = _rp_group(area, tm)
    with pytest.raises(DomainConflict) as caught:
        services.allocate(actor=tm, group=rp, referral=waiting_referral(area, programme="nsogp"))
    assert caught.value.code == "RP_PREREQUISITE" and "Core Group" in caught.value.detail
    assert services.allocate(
        actor=tm, group=rp, referral=_prison_sotp(waiting_referral(area, programme="nsogp"))
    )


def test_a_core_group_completer_may_join_relapse_prevention(area, tm):
    rp = _rp_group(area, tm)
    completer = waiting_referral(area, programme="nsogp")
    core = make_group(
        area,
        actor=tm,
        programme_code="nsogp_core_group",
        slots=[{"weekday": "thursday", "start_time": "10:00"}],
        start_date=D(2027, 1, 7),
    )
    Membership.objects.create(
        group=core,
        referral=completer,
        joined_on=D(2027, 1, 7),
        allocated_by=tm,
        status=MembershipStatus.COMPLETED,
    )
    assert services.allocate(actor=tm, group=rp, referral=completer).status == MembershipStatus.ACTIVE


def test_a_facilitator_with_no_current_supervisor_cannot_be_allocated(area, tm):
    """000 (domain.md §3): staff deliver under a TM's supervision at all times (FACILITATOR_UNSUPERVISED)."""
    alone = trained_facilitator(area, supervised=False, full_name="Sam Alone")
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, facilitators=[trained_facilitator(area), alone])
    assert caught.value.code == "FACILITATOR_UNSUPERVISED" and "Sam Alone" in caught.value.detail
    ended = trained_facilitator(area)
    ended.supervisions.update(ended_on=D(2026, 11, 1))
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, facilitators=[trained_facilitator(area), ended])
    assert caught.value.code == "FACILITATOR_UNSUPERVISED"
    with pytest.raises(DomainConflict) as caught:
        make_plan(area, actor=tm, facilitator=alone)
    assert caught.value.code == "FACILITATOR_UNSUPERVISED"


def test_supervision_is_judged_on_the_group_start_date_by_an_active_supervisor(area, tm):
    """Issue 7: supervision on the date the group starts (not today); a deactivated supervisor supervises no one."""
    start = D(2027, 1, 4)
    ends_before_start = trained_facilitator(area, full_name="Ends Early")
    ends_before_start.supervisions.update(
        ended_on=start - dt.timedelta(days=1)
    )  # current today, not on the start
    with pytest.raises(DomainConflict) as caught:
        make_group(
            area, actor=tm, start_date=start, facilitators=[trained_facilitator(area), ends_before_start]
        )
    assert caught.value.code == "FACILITATOR_UNSUPERVISED" and "Ends Early" in caught.value.detail
    starts_later = trained_facilitator(area)
    starts_later.supervisions.update(started_on=start)  # not yet supervised today, supervised when it runs
    assert make_group(
        area, actor=tm, start_date=start, facilitators=[trained_facilitator(area), starts_later]
    )
    orphan = trained_facilitator(area, full_name="Left Behind")
    from tests.factories import UserFactory

    supervisor = UserFactory(area=area, role="treatment_manager", is_active=False)  # deactivated since
    orphan.supervisions.update(treatment_manager=supervisor)
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, start_date=start, facilitators=[trained_facilitator(area), orphan])
    assert caught.value.code == "FACILITATOR_UNSUPERVISED" and "Left Behind" in caught.value.detail


def test_a_reschedule_judges_supervision_on_the_sessions_new_date(area, tm):
    """Issue 7: one-off session changes are judged on the session's date, not today: a facilitator supervised
    from after today (1 January 2027) may take a session moved within the supervision; one moved past its end
    (18 January 2027) is refused though the facilitator is supervised today and on the group's start."""
    bounded = trained_facilitator(area, full_name="Pat Bounded")
    bounded.supervisions.update(started_on=D(2027, 1, 1), ended_on=D(2027, 1, 18))
    group = make_group(
        area, actor=tm, start_date=D(2027, 1, 4), facilitators=[trained_facilitator(area), bounded]
    )
    second, third = group.sessions.get(number=2), group.sessions.get(number=3)
    assert third.date == D(2027, 1, 18)
    [moved] = services.reschedule_session(actor=tm, session=second, new_date=D(2027, 1, 12), cascade=False)
    assert moved.date == D(2027, 1, 12)
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(actor=tm, session=third, new_date=D(2027, 1, 19), cascade=False)
    assert caught.value.code == "FACILITATOR_UNSUPERVISED" and "Pat Bounded" in caught.value.detail
    assert "19 January 2027" in caught.value.detail
    with pytest.raises(DomainConflict) as caught:  # the provider's cancellation moves every later session on
        services.cancel_session_by_provider(actor=tm, session=third)
    assert caught.value.code == "FACILITATOR_UNSUPERVISED"


def test_the_rolling_core_group_is_joined_at_the_next_block_boundary(area, tm, time_machine):
    core = make_group(
        area,
        actor=tm,
        programme_code="nsogp_core_group",
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
        start_date=D(2027, 1, 6),
    )
    first = core.sessions.get(number=1)
    assert (first.start, first.end) == (dt.time(10), dt.time(15, 30))  # 002: 10:00-15:30
    time_machine.move_to(dt.datetime(2027, 1, 14, 9, tzinfo=LONDON), tick=False)  # during block 1
    membership = services.allocate(actor=tm, group=core, referral=waiting_referral(area, programme="nsogp"))
    block_two = core.sessions.get(number=9)
    assert block_two.block == 2 and membership.joined_on == block_two.date


# --- removal and attendance ---------------------------------------------------------------------------------


def test_removal_records_the_reason_and_moves_the_referral_back_to_the_waiting_list(area, tm):
    group = make_group(area, actor=tm)
    referral = waiting_referral(area)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    ended = services.remove_member(
        actor=tm,
        membership=membership,
        reason="Start date clashes with work",
        next_status="awaiting_allocation",
    )
    referral.refresh_from_db()
    assert referral.status == "awaiting_allocation"
    # Removed before the group started: he leaves on the day he would have joined (never before it).
    assert (ended.status, ended.left_on, ended.next_status) == (
        MembershipStatus.REMOVED,
        D(2027, 1, 4),
        "awaiting_allocation",
    )
    assert ended.removal_reason == "Start date clashes with work"
    assert AuditEvent.objects.filter(action="membership.ended").exists()
    # The place is free again and the referral can be allocated once more.
    assert services.allocate(actor=tm, group=group, referral=referral)


def test_removal_needs_a_reason_and_a_next_status_the_transitions_allow(area, tm):
    group = make_group(area, actor=tm)
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    with pytest.raises(ValidationError):
        services.remove_member(actor=tm, membership=membership, reason=" ", next_status="awaiting_allocation")
    with pytest.raises(DomainConflict) as caught:  # allocated -> deselected is not in the transition table
        services.remove_member(
            actor=tm,
            membership=membership,
            reason="Disruptive",
            next_status="deselected",
            reason_code="disruptive_behaviour",
        )
    assert "awaiting_allocation" in caught.value.allowed
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE  # nothing half-written


def test_first_attended_session_moves_the_referral_on_programme(area, tm, time_machine):
    group = make_group(area, actor=tm)
    facilitator = group.facilitators.first()
    referral = waiting_referral(area)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    first, second = group.sessions.get(number=1), group.sessions.get(number=2)
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(
            actor=facilitator, membership=membership, session=first, outcome="attended"
        )
    assert caught.value.code == "REGISTER_NOT_OPEN"
    time_machine.move_to(dt.datetime(2027, 1, 12, 9, tzinfo=LONDON), tick=False)
    services.record_attendance(
        actor=facilitator, membership=membership, session=first, outcome="acceptable_absence"
    )
    referral.refresh_from_db()
    assert referral.status == "allocated"  # an absence does not start the programme
    with pytest.raises(DomainConflict) as caught:  # 003: the missed session is caught up first
        services.record_attendance(actor=facilitator, membership=membership, session=second, outcome="late")
    assert caught.value.code == "CATCH_UP_OUTSTANDING"
    services.book_catch_up(
        actor=facilitator,
        membership=membership,
        missed_session=first,
        date=first.date,
        facilitator=facilitator,
        outcome="attended",
    )
    services.record_attendance(actor=facilitator, membership=membership, session=second, outcome="late")
    referral.refresh_from_db()
    assert referral.status == "on_programme"
    assert referral.status_changes.filter(to_status="on_programme", actor=facilitator).exists()
    group.refresh_from_db()
    assert group.status == "running"
    assert Attendance.objects.filter(membership=membership).count() == 2
    # A correction updates the one row (UNIQUE membership + session).
    services.record_attendance(actor=facilitator, membership=membership, session=first, outcome="attended")
    assert Attendance.objects.get(membership=membership, session=first).outcome == "attended"


def test_a_provider_cancelled_session_takes_no_attendance(area, tm, time_machine):
    group = make_group(area, actor=tm)
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    session = group.sessions.get(number=1)
    services.cancel_session_by_provider(actor=tm, session=session)
    time_machine.move_to(dt.datetime(2027, 1, 12, 9, tzinfo=LONDON), tick=False)
    session.refresh_from_db()
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(actor=tm, membership=membership, session=session, outcome="attended")
    assert caught.value.code == "SESSION_CANCELLED"


# --- one-to-one plans ---------------------------------------------------------------------------------------


def test_plan_generates_its_sessions_and_allocates_the_referral(area, tm):
    referral = waiting_referral(area, format="one_to_one", age=19)
    plan = make_plan(area, actor=tm, referral=referral)
    assert plan.total_sessions == 28 and plan.sessions.count() == 28
    first = plan.sessions.get(number=1)
    assert (first.date, first.start, first.end) == (D(2027, 1, 5), dt.time(10), dt.time(11, 30))  # 90 minutes
    assert [s.module for s in plan.sessions.order_by("number")][:5] == [1, 1, 1, 1, 2]
    referral.refresh_from_db()
    assert referral.status == "allocated"
    assert Membership.objects.get(plan=plan).referral == referral
    assert AuditEvent.objects.filter(action="plan.created", object_id=str(plan.public_id)).exists()


@pytest.mark.parametrize(
    "modules",
    [
        {"1": 4, "2": 4, "3": 4, "4": 8, "5": 3, "6": 8},  # 31: above 30
        {"1": 3, "2": 3, "3": 3, "4": 3, "5": 3, "6": 3},  # 18: below 20
    ],
)
def test_plan_total_outside_20_to_30_is_refused(area, tm, modules):
    with pytest.raises(ValidationError) as caught:
        make_plan(area, actor=tm, sessions_per_module=modules, rationale="Treatment need")
    assert "must have 20 to 30 sessions" in " ".join(caught.value.message_dict["sessions_per_module"])
    assert not OneToOnePlan.objects.exists()


def test_plan_outside_a_module_range_needs_a_rationale(area, tm):
    modules = {**default_plan_modules(), "4": 11, "6": 3}  # guidance: module 4 is 8 to 10, module 6 is 5
    with pytest.raises(ValidationError) as caught:
        make_plan(area, actor=tm, sessions_per_module=modules)
    messages = caught.value.message_dict["rationale"]
    assert "Module 4" in messages[0] and "Module 6" in messages[1]
    plan = make_plan(
        area, actor=tm, sessions_per_module=modules, rationale="Needs more emotional regulation work"
    )
    assert plan.rationale == "Needs more emotional regulation work"


def test_plan_needs_an_isotp_trained_facilitator(area, tm):
    nsogp_only = trained_facilitator(area, "nsogp", full_name="Tom Whitfield")
    with pytest.raises(ValidationError) as caught:
        make_plan(area, actor=tm, facilitator=nsogp_only)
    assert "Tom Whitfield cannot deliver" in caught.value.message_dict["facilitator"][0]


def test_plan_for_someone_under_17_is_refused(area, tm):
    referral = waiting_referral(area, format="one_to_one", date_of_birth=D(2010, 6, 1))  # 16 in January 2027
    with pytest.raises(DomainConflict) as caught:
        make_plan(area, actor=tm, referral=referral)
    assert caught.value.code == "UNDER_AGE"


def test_plan_sessions_clash_with_the_facilitators_group(area, tm):
    shared = trained_facilitator(area, full_name="Aisha Begum")
    make_group(
        area,
        actor=tm,
        facilitators=[shared, trained_facilitator(area)],
        slots=[{"weekday": "tuesday", "start_time": "09:00"}],
        start_date=D(2027, 1, 5),
    )
    with pytest.raises(DomainConflict) as caught:
        make_plan(area, actor=tm, facilitator=shared)
    assert caught.value.code == "FACILITATOR_CLASH" and "Aisha Begum" in caught.value.detail


def test_a_plan_session_can_be_rescheduled(area, tm):
    plan = make_plan(area, actor=tm)
    moved = services.reschedule_session(
        actor=tm, session=plan.sessions.get(number=2), new_date=D(2027, 1, 13), cascade=True
    )
    assert moved[0].date == D(2027, 1, 13) and plan.sessions.get(number=3).date == D(2027, 1, 19)


# --- calendar feed tokens -----------------------------------------------------------------------------------


def test_feed_tokens_rotate_and_revoke(facilitator):
    first = services.issue_feed_token(actor=facilitator, user=facilitator)
    second = services.issue_feed_token(actor=facilitator, user=facilitator)
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None and first.token != second.token
    assert feed_owner(first.token) is None
    assert feed_owner(second.token) == facilitator
    assert services.revoke_feed_token(actor=facilitator, user=facilitator) == 1
    assert feed_owner(second.token) is None
    assert AuditEvent.objects.filter(action__startswith="feed_token.").count() == 3


# --- regressions found in review (issue 7 folded them in here) ---


@pytest.mark.usefixtures("on_24_november_2026")
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


@pytest.mark.usefixtures("on_24_november_2026")
def test_a_stale_copy_of_a_delivered_session_is_not_moved(area, tm):
    group = make_group(area, actor=tm)
    stale = group.sessions.get(number=1)
    ScheduledSession.objects.filter(pk=stale.pk).update(status=SessionStatus.DELIVERED)
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(actor=tm, session=stale, new_date=D(2027, 1, 5), cascade=False)
    assert caught.value.code == "SESSION_NOT_SCHEDULED"


@pytest.mark.usefixtures("on_24_november_2026")
def test_a_delivered_session_still_books_its_venue(area, tm):
    """domain.md §5: no venue double-booked. Recording attendance must not free the room for another group."""
    venue = VenueFactory(area=area, name="Group Room 3")
    first = make_group(area, actor=tm, venue=venue)
    first.sessions.filter(number=1).update(status=SessionStatus.DELIVERED)
    with pytest.raises(DomainConflict) as caught:
        make_group(area, actor=tm, venue=venue, slots=[{"weekday": "monday", "start_time": "17:00"}])
    assert caught.value.code == "VENUE_CLASH"
    assert "session 1 of" in caught.value.detail


@pytest.mark.usefixtures("on_24_november_2026")
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
