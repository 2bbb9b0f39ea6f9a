"""Registers, catch-ups, the restart limit, enforcement and their notifications, through the services and the API
(issue 8; domain.md §6). The group meets on Mondays from 4 January 2027; "today" is fixed with time-machine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from isotp.errors import DomainConflict
from notifications.models import Notification
from referrals.models import Referral
from sessions import services
from sessions.models import Attendance, CatchUp, Membership, MembershipStatus
from sessions.progress import member_record
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(time_machine, day: dt.date, hour: int = 21) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def group(area, tm, facilitator, om):
    return make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])


def _member(group, tm, om):
    referral = waiting_referral(group.area, om)
    return services.allocate(actor=tm, group=group, referral=referral)


def _session(group, number):
    return group.sessions.get(number=number)


def _catch_up(actor, membership, session, *, outcome="attended", **kw):
    values = {"date": session.date, "facilitator": actor, "outcome": outcome}
    values.update(kw)
    return services.book_catch_up(actor=actor, membership=membership, missed_session=session, **values)


# --- registers and the refusals -----------------------------------------------------------------------------


def test_a_register_opens_on_the_sessions_date(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    first = _session(group, 1)
    _at(time_machine, first.date - dt.timedelta(days=1))
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(actor=facilitator, membership=member, session=first, outcome="attended")
    assert caught.value.code == "REGISTER_NOT_OPEN"
    _at(time_machine, first.date, hour=9)  # the morning of the session: open
    services.record_attendance(actor=facilitator, membership=member, session=first, outcome="attended")


def test_an_outstanding_catch_up_blocks_the_next_session_until_done(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1, s2 = _session(group, 1), _session(group, 2)
    _at(time_machine, s2.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="attended")
    assert caught.value.code == "CATCH_UP_OUTSTANDING"
    assert caught.value.extra["missed_session"] == str(s1.public_id)  # names the session to catch up
    assert "session 1" in caught.value.detail
    # Recording him absent again is a fact, never refused.
    services.record_attendance(
        actor=facilitator, membership=member, session=s2, outcome="unacceptable_absence"
    )
    _catch_up(facilitator, member, s1, date=s2.date)
    _catch_up(facilitator, member, s2, date=s2.date, start=dt.time(10))
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="attended")


def test_a_tm_exception_lets_the_member_continue(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1, s2 = _session(group, 1), _session(group, 2)
    _at(time_machine, s2.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="sent_home", sent_home_acceptable=True
    )
    with pytest.raises(PermissionDenied):  # only a TM
        services.grant_catch_up_exception(actor=facilitator, membership=member, missed_session=s1, reason="x")
    exception = services.grant_catch_up_exception(
        actor=tm, membership=member, missed_session=s1, reason="Catch-up booked for Thursday; venue shut."
    )
    assert exception.reason.startswith("Catch-up booked")
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="attended")
    assert [s.number for s in member_record(member).progress().outstanding] == [1]  # still to be caught up


def test_sent_home_needs_its_mark_and_counts_as_missed(group, tm, om, facilitator, time_machine):
    from django.core.exceptions import ValidationError

    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    with pytest.raises(ValidationError):
        services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="sent_home")
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="sent_home", sent_home_acceptable=False
    )
    result = member_record(member).progress()
    assert result.missed == 1 and [s.number for s in result.outstanding] == [1]


def test_a_facilitator_takes_only_their_own_groups_registers(area, group, tm, om, time_machine):
    member = _member(group, tm, om)
    other = trained_facilitator(area)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    with pytest.raises(Http404):
        services.record_attendance(actor=other, membership=member, session=s1, outcome="attended")
    with pytest.raises(PermissionDenied):
        services.record_attendance(actor=om, membership=member, session=s1, outcome="attended")


def test_another_area_gets_404(group, tm, om, other_tm, time_machine):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    with pytest.raises(Http404):
        services.record_attendance(actor=other_tm, membership=member, session=s1, outcome="attended")


# --- the limit: restart ---------------------------------------------------------------------------------------


def _miss_and_catch_up(facilitator, member, group, numbers, outcome="acceptable_absence"):
    for n in numbers:
        s = _session(group, n)
        services.record_attendance(actor=facilitator, membership=member, session=s, outcome=outcome)
        if member.pk and Membership.objects.get(pk=member.pk).status == MembershipStatus.ACTIVE:
            _catch_up(facilitator, member, s, date=s.date)


def test_the_fourth_catch_up_is_allowed_and_the_fifth_missed_session_restarts(
    group, tm, om, facilitator, time_machine, django_capture_on_commit_callbacks
):
    member = _member(group, tm, om)
    _at(time_machine, _session(group, 6).date)
    services.record_attendance(
        actor=facilitator, membership=member, session=_session(group, 1), outcome="attended"
    )
    _miss_and_catch_up(facilitator, member, group, [2, 3, 4, 5])
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE  # four caught up: allowed (003)
    services.record_attendance(
        actor=facilitator, membership=member, session=_session(group, 6), outcome="unacceptable_absence"
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED
    referral = Referral.objects.get(pk=member.referral_id)
    assert referral.status == "awaiting_allocation"
    moves = list(referral.status_changes.order_by("at", "id").values_list("to_status", "reason_code"))
    assert moves[-2:] == [("restart_required", ""), ("awaiting_allocation", "")]
    assert referral.status_changes.order_by("at", "id").last().reason.startswith("Restart")
    kinds = set(Notification.objects.filter(kind="restart").values_list("recipient_id", flat=True))
    assert kinds == {group.treatment_manager_id, om.pk}  # the TM and the OM are told
    # Every notification about the member links to the person (erasure and subject access find them by it).
    assert set(Notification.objects.values_list("person_id", flat=True)) == {referral.person_id}
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(
            actor=facilitator, membership=member, session=_session(group, 7), outcome="attended"
        )
    assert caught.value.code in ("MEMBERSHIP_ENDED", "REGISTER_NOT_OPEN")


def test_every_session_attended_or_caught_up_completes_the_sessions_not_the_referral(
    area, tm, om, facilitator, time_machine
):
    group = make_group(
        area,
        actor=tm,
        programme_code="nsogp_relapse_prevention",
        facilitators=[facilitator, trained_facilitator(area, "nsogp")],
        slots=[{"weekday": "monday", "start_time": "10:00"}],
    )
    # 002: Relapse Prevention after a prison SOTP (RP_PREREQUISITE).
    referral = waiting_referral(area, om, programme="nsogp", completed_prison_sotp=True)
    member = services.allocate(actor=tm, group=group, referral=referral)
    sessions = list(group.sessions.order_by("number"))
    _at(time_machine, sessions[-1].date)
    for s in sessions:
        outcome = "acceptable_absence" if s.number == 3 else "attended"
        services.record_attendance(actor=facilitator, membership=member, session=s, outcome=outcome)
        if s.number == 3:
            _catch_up(facilitator, member, s, date=s.date)
    member.refresh_from_db()
    assert member.status == MembershipStatus.SESSIONS_COMPLETE
    assert Referral.objects.get(pk=member.referral_id).status == "on_programme"  # issue 10 completes it


def test_one_to_one_rearrangements_count_against_the_limit(area, tm, om, facilitator, time_machine):
    plan = make_plan(
        area, actor=tm, facilitator=facilitator, referral=waiting_referral(area, om, format="one_to_one")
    )
    member = plan.memberships.get()
    _at(time_machine, plan.sessions.get(number=6).date)
    _miss_and_catch_up(facilitator, member, plan, [1, 2, 3, 4])
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE
    services.record_attendance(
        actor=facilitator,
        membership=member,
        session=plan.sessions.get(number=5),
        outcome="acceptable_absence",
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED


# --- catch-ups ----------------------------------------------------------------------------------------------


def test_a_future_catch_up_is_booked_then_its_outcome_recorded(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    booked = _catch_up(
        facilitator,
        member,
        s1,
        outcome="",
        date=s1.date + dt.timedelta(days=2),
        start=dt.time(10),
        venue=group.venue,
    )
    assert booked.end == dt.time(12)  # the programme's session length
    with pytest.raises(DomainConflict) as caught:
        services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="attended")
    assert caught.value.code == "CATCH_UP_IN_FUTURE"
    _at(time_machine, booked.date)
    services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="attended")
    assert member_record(member).progress().outstanding == ()


def test_a_catch_up_clash_is_refused_with_the_clash_named(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1, s2 = _session(group, 1), _session(group, 2)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:  # the facilitator delivers session 2 at 18:00 that Monday
        _catch_up(facilitator, member, s1, outcome="", date=s2.date, start=dt.time(17))
    assert caught.value.code == "FACILITATOR_CLASH" and "session 2" in caught.value.detail
    _catch_up(facilitator, member, s1, outcome="", date=s2.date, start=dt.time(14), venue=group.venue)
    other = _member(group, tm, om)
    services.record_attendance(actor=facilitator, membership=other, session=s1, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:
        _catch_up(
            group.facilitators.exclude(pk=facilitator.pk).get(),
            other,
            s1,
            outcome="",
            date=s2.date,
            start=dt.time(15),
            venue=group.venue,
        )
    assert caught.value.code == "VENUE_CLASH"


def test_only_a_missed_session_is_caught_up(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="attended")
    with pytest.raises(DomainConflict) as caught:
        _catch_up(facilitator, member, s1)
    assert caught.value.code == "NOT_MISSED"


# --- enforcement and notifications -------------------------------------------------------------------------


def test_absences_tell_the_om_and_drive_enforcement(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1, s2, s3 = _session(group, 1), _session(group, 2), _session(group, 3)
    referral = member.referral
    _at(time_machine, s1.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    note = Notification.objects.get(recipient=om, kind="absence")
    assert "offence" not in note.subject.lower() and referral.person.crn in note.body
    from sessions.progress import enforcement_for

    assert enforcement_for([referral])[referral.pk].state.status == "warning_due"
    services.record_warning(actor=om, referral=referral, issued_on=s1.date)
    _catch_up(facilitator, member, s1, date=s1.date)
    _at(time_machine, s2.date)
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="attended")
    _at(time_machine, s3.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s3, outcome="sent_home", sent_home_acceptable=False
    )
    state = enforcement_for([referral])[referral.pk].state
    # Monday 18 January 2027: the 10th working day after is Monday 1 February.
    assert (state.status, state.breach_due_by) == ("breach_due", dt.date(2027, 2, 1))
    with pytest.raises(DomainConflict) as caught:
        services.record_warning(actor=om, referral=referral, issued_on=s3.date)
    assert caught.value.code == "ENFORCEMENT_NOT_DUE"
    services.record_breach(actor=tm, referral=referral, actioned_on=s3.date, notes="Laid before the court")
    assert enforcement_for([referral])[referral.pk].state.status == "breach_actioned"
    assert Notification.objects.filter(recipient=om, kind="enforcement").exists()  # the TM recorded it
    assert set(Notification.objects.values_list("person_id", flat=True)) == {referral.person_id}


def test_only_the_persons_om_or_a_tm_records_enforcement(group, tm, om, facilitator, area, time_machine):
    from tests.factories import UserFactory

    member = _member(group, tm, om)
    other_om = UserFactory(area=area, role="offender_manager")
    with pytest.raises(Http404):
        services.record_warning(actor=other_om, referral=member.referral, issued_on=dt.date(2027, 1, 4))
    with pytest.raises(PermissionDenied):
        services.record_warning(actor=facilitator, referral=member.referral, issued_on=dt.date(2027, 1, 4))


# --- API ----------------------------------------------------------------------------------------------------


def test_register_put_records_the_whole_group_in_one_transaction(
    api, group, tm, om, facilitator, time_machine
):
    members = [_member(group, tm, om) for _ in range(3)]
    s1, s2 = _session(group, 1), _session(group, 2)
    _at(time_machine, s2.date)
    url = reverse("api-session-register", args=[s1.public_id])
    body = {
        "content_delivered": "Module 1: motivation",
        "exercises": "Decisional balance",
        "records": [
            {"membership": str(members[0].public_id), "outcome": "attended", "homework_done": True},
            {"membership": str(members[1].public_id), "outcome": "late", "notes": "Bus"},
            {
                "membership": str(members[2].public_id),
                "outcome": "sent_home",
                "sent_home_acceptable": False,
                "concern": True,
            },
        ],
    }
    response = api(facilitator).put(url, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["content_delivered"] == "Module 1: motivation"
    assert [m["record"]["outcome"] for m in data["members"]] == sorted(
        ["attended", "late", "sent_home"],
        key=[m["record"]["outcome"] for m in data["members"]].index,
    )
    assert Attendance.objects.filter(session=s1).count() == 3
    # Session 2: member 2's catch-up is outstanding; the whole register is refused and nothing is written.
    body2 = {"records": [{"membership": str(m.public_id), "outcome": "attended"} for m in members]}
    response = api(facilitator).put(
        reverse("api-session-register", args=[s2.public_id]), body2, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "CATCH_UP_OUTSTANDING"
    assert response.json()["missed_session"] == str(s1.public_id)
    assert response.json()["membership"] == str(members[2].public_id)
    assert not Attendance.objects.filter(session=s2).exists()


def test_api_refusal_codes(api, group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date - dt.timedelta(days=1))
    url = reverse("api-session-attendance", args=[s1.public_id])
    response = api(facilitator).post(
        url, {"membership": str(member.public_id), "outcome": "attended"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "REGISTER_NOT_OPEN"
    _at(time_machine, s1.date)
    services.remove_member(actor=tm, membership=member, reason="Moved", next_status="awaiting_allocation")
    response = api(facilitator).post(
        url, {"membership": str(member.public_id), "outcome": "attended"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "MEMBERSHIP_ENDED"
    response = api(facilitator).post(
        url, {"membership": str(member.public_id), "outcome": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.json()


def test_catch_up_api_and_membership_progress(api, group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    detail = api(tm).get(reverse("api-membership-detail", args=[member.public_id])).json()
    assert detail["sessions_missed"] == 1 and detail["catch_ups_outstanding"] == [str(s1.public_id)]
    assert detail["catch_up_limit"] == 4 and detail["status"] == "active"
    url = reverse("api-membership-catch-up-list", args=[member.public_id])
    response = api(facilitator).post(
        url,
        {
            "missed_session": str(s1.public_id),
            "date": s1.date.isoformat(),
            "facilitator": str(facilitator.public_id),
            "outcome": "attended",
            "start": "10:00",
            "venue": group.venue.pk,
            "notes": "Went well",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["end"] == "12:00"
    detail = api(tm).get(reverse("api-membership-detail", args=[member.public_id])).json()
    assert detail["catch_ups_completed"] == 1 and detail["catch_ups_outstanding"] == []
    assert CatchUp.objects.filter(membership=member).count() == 1


@pytest.mark.parametrize(("missed", "bookings"), [(1, 1), (4, 3)])
def test_catch_up_list_query_count_does_not_grow(
    api, area, group, tm, om, facilitator, missed, bookings, time_machine, django_assert_max_num_queries
):
    """Review of issue 11: a member's catch-ups at two sizes (one, or four missed sessions with three bookings each,
    the first two cancelled), booked with both of the group's facilitators at venues of their own: the same bound.
    """
    from tests.factories import VenueFactory

    member = _member(group, tm, om)
    sessions = [_session(group, number) for number in range(1, missed + 1)]
    for session in sessions:
        _at(time_machine, session.date)
        services.record_attendance(
            actor=facilitator, membership=member, session=session, outcome="acceptable_absence"
        )
    people = list(group.facilitators.order_by("pk"))
    days = (sessions[-1].date + dt.timedelta(days=n) for n in range(1, 100))
    working = (day for day in days if day.weekday() < 5)  # each booking on a weekday of its own: no clash
    booked = []
    for index, session in enumerate(sessions):
        for attempt in range(bookings):
            row = _catch_up(
                tm,
                member,
                session,
                outcome="",
                date=next(working),
                start=dt.time(10),
                venue=VenueFactory(area=area),
                facilitator=people[(index + attempt) % len(people)],
            )
            if attempt < bookings - 1:
                row = services.cancel_catch_up(actor=tm, catch_up=row, reason="Could not come")
            booked.append(row)
    url = reverse("api-membership-catch-up-list", args=[member.public_id])
    # 3 whatever the number: the token, the membership, the catch-ups with their session, venue and facilitator.
    for client in (api(tm), api(facilitator)):
        with django_assert_max_num_queries(3):
            response = client.get(url)
        assert response.status_code == 200, response.content
        rows = response.json()
        assert [row["id"] for row in rows] == [str(c.public_id) for c in booked]
        assert {row["missed_session"] for row in rows} == {str(s.public_id) for s in sessions}
        used = people[:1] if len(booked) == 1 else people
        assert {row["facilitator"]["id"] for row in rows} == {str(p.public_id) for p in used}
        assert sum(row["cancelled_at"] is not None for row in rows) == missed * (bookings - 1)
        assert all(row["venue"]["name"] for row in rows)


@pytest.mark.parametrize("absences", [1, 3])
def test_referral_detail_with_a_place_costs_the_same_whatever_its_attendance(
    api, group, tm, om, facilitator, time_machine, django_assert_max_num_queries, absences
):
    """perf22: the referral's places are read once for its enforcement and its restart, its failures in two
    queries (absences, missed catch-ups) and its actions in one, whatever their number."""
    member = _member(group, tm, om)
    for number in range(1, absences + 1):
        session = _session(group, number)
        _at(time_machine, session.date)
        services.record_attendance(
            actor=facilitator, membership=member, session=session, outcome="unacceptable_absence"
        )
    client = api(om)
    url = reverse("api-referral-detail", args=[member.referral.public_id])
    with django_assert_max_num_queries(17):
        body = client.get(url).json()
    assert len(body["enforcement"]["failures"]) == absences
    assert body["restart"] is False and body["restart_detail"] is None


def test_referral_detail_carries_enforcement_and_the_om_records_a_warning(
    api, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    url = reverse("api-referral-detail", args=[member.referral.public_id])
    enforcement = api(om).get(url).json()["enforcement"]
    assert enforcement["status"] == "warning_due" and enforcement["failures"][0]["date"] == "2027-01-04"
    response = api(om).post(
        reverse("api-referral-warning", args=[member.referral.public_id]),
        {"issued_on": "2027-01-04"},
        format="json",
    )
    assert response.status_code == 201
    assert api(om).get(url).json()["enforcement"]["status"] == "warning_issued"
    response = api(om).post(
        reverse("api-referral-breach", args=[member.referral.public_id]),
        {"actioned_on": "2027-01-04"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "ENFORCEMENT_NOT_DUE"


def test_enforcement_statuses_agree_with_the_rules():
    from referrals.serializers import ENFORCEMENT_STATUSES
    from sessions.rules.enforcement import STATUSES

    assert tuple(ENFORCEMENT_STATUSES) == tuple(STATUSES)


@pytest.mark.parametrize("size", [2, 10])
def test_register_query_count_does_not_grow_with_the_group(
    api, area, tm, om, facilitator, size, time_machine, django_assert_max_num_queries, login
):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [_member(group, tm, om) for _ in range(size)]
    s1, s2 = _session(group, 1), _session(group, 2)
    _at(time_machine, s2.date)
    services.take_register(
        actor=facilitator,
        session=s1,
        entries=[
            services.RegisterEntry(membership=m, outcome="acceptable_absence" if i % 2 else "attended")
            for i, m in enumerate(members)
        ],
    )
    client = api(facilitator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("api-session-register", args=[s2.public_id])).status_code == 200
    page = login(facilitator)
    with django_assert_max_num_queries(22):
        assert (
            page.get(reverse("programme_sessions:session_register", args=[s2.public_id])).status_code == 200
        )


# A register submitted costs the same whatever the group's size (issue 11): it reads each table once (perf7), writes
# its quiet lines together (perf20), and neither reads the members' records twice: the API answers from the records
# the service wrote, the page posts from the register's members alone (perf21: 24 and 27 + 2 a member before).
_SUBMIT = {"api": 18, "page": 22}


@pytest.mark.parametrize("size", [2, 10])
def test_register_submit_reads_do_not_grow_with_the_group(
    api, area, tm, om, facilitator, size, time_machine, django_assert_max_num_queries, login
):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [_member(group, tm, om) for _ in range(size)]
    s1, s2, s3 = _session(group, 1), _session(group, 2), _session(group, 3)
    _at(time_machine, s3.date)
    services.take_register(  # the first attendance starts every member's programme (a move each, not measured)
        actor=facilitator,
        session=s1,
        entries=[services.RegisterEntry(membership=m, outcome="attended") for m in members],
    )
    outcomes = ["attended", "late"]
    body = {
        "records": [
            {"membership": str(m.public_id), "outcome": outcomes[i % 2]} for i, m in enumerate(members)
        ],
        "content_delivered": "Module 2",
    }
    client = api(facilitator)
    with django_assert_max_num_queries(_SUBMIT["api"]):
        response = client.put(reverse("api-session-register", args=[s2.public_id]), body, format="json")
    assert response.status_code == 200
    page = login(facilitator)
    url = reverse("programme_sessions:session_register", args=[s3.public_id])
    data = {f"{m.public_id}-outcome": outcomes[i % 2] for i, m in enumerate(members)}
    with django_assert_max_num_queries(_SUBMIT["page"]):
        assert page.post(url, data | {"content_delivered": "Module 3"}).status_code == 302
    assert Attendance.objects.filter(session__in=[s2, s3]).count() == 2 * size
    assert {a.outcome for a in Attendance.objects.filter(session=s3)} == set(outcomes)


def test_a_catch_up_is_in_the_facilitators_calendar_and_feed(login, group, tm, om, facilitator, time_machine):
    from sessions.feeds import calendar_for

    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date, hour=20)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    _catch_up(
        facilitator,
        member,
        s1,
        outcome="",
        date=s1.date + dt.timedelta(days=3),
        start=dt.time(11),
        venue=group.venue,
    )
    feed = calendar_for(facilitator).decode()
    assert "catch-up of session 1" in feed and member.referral.person.last_name not in feed
    page = login(facilitator).get(reverse("programme_sessions:my_calendar")).content.decode()
    assert "Catch-ups" in page and "11:00 to 13:00" in page


# --- a booked catch-up holds its facilitator and venue against sessions (h8) -----------------------------------


def test_a_session_is_not_moved_or_created_over_a_booked_catch_up(group, tm, om, facilitator, time_machine):
    """domain.md §5, §6: a timed catch-up books its facilitator and venue; rescheduling a session (or creating a
    group) onto it is refused as a session clash is, the catch-up named."""
    member = _member(group, tm, om)
    s1, s3 = _session(group, 1), _session(group, 3)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    wednesday = dt.date(2027, 1, 20)
    catch_up = _catch_up(
        facilitator, member, s1, outcome="", date=wednesday, start=dt.time(17), venue=group.venue
    )
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(
            actor=tm, session=s3, new_date=wednesday, new_start=dt.time(18), cascade=False
        )
    assert caught.value.code == "VENUE_CLASH"  # the venue is checked first, as for sessions
    assert "a catch-up on Wednesday 20 January 2027, 17:00 to 19:00" in caught.value.detail
    assert caught.value.extra["clashes"] == [
        {
            "catch_up": str(catch_up.public_id),
            "label": "a catch-up on Wednesday 20 January 2027, 17:00 to 19:00",
        }
    ]
    CatchUp.objects.filter(pk=catch_up.pk).update(venue=None)  # the facilitator alone is still booked
    with pytest.raises(DomainConflict) as caught:
        services.reschedule_session(
            actor=tm, session=s3, new_date=wednesday, new_start=dt.time(18), cascade=False
        )
    assert caught.value.code == "FACILITATOR_CLASH" and "a catch-up on" in caught.value.detail
    moved = services.reschedule_session(  # after the catch-up ends: no clash
        actor=tm, session=s3, new_date=wednesday, new_start=dt.time(19), cascade=False
    )
    assert [(s.number, s.date, s.start) for s in moved] == [(3, wednesday, dt.time(19))]
    CatchUp.objects.filter(pk=catch_up.pk).update(venue=group.venue)
    with pytest.raises(DomainConflict) as caught:  # a new group in the same room at that time
        make_group(
            group.area,
            actor=tm,
            venue=group.venue,
            slots=[{"weekday": "wednesday", "start_time": "16:00"}],
            start_date=wednesday,
        )
    assert caught.value.code == "VENUE_CLASH" and "a catch-up on" in caught.value.detail
    CatchUp.objects.filter(pk=catch_up.pk).update(cancelled_at=dt.datetime(2027, 1, 5, tzinfo=LONDON))
    make_group(  # a cancelled catch-up holds nothing
        group.area,
        actor=tm,
        venue=group.venue,
        slots=[{"weekday": "wednesday", "start_time": "16:00"}],
        start_date=wednesday,
    )


def test_only_a_facilitator_delivers_a_catch_up(group, tm, om, facilitator, time_machine):
    """`can_deliver_catch_up` (accounts.permissions) is the one check, in the form's proposal and the service."""
    from accounts.permissions import can_deliver_catch_up

    assert can_deliver_catch_up(facilitator) and not can_deliver_catch_up(tm) and not can_deliver_catch_up(om)
    member = _member(group, tm, om)
    s1 = _session(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    with pytest.raises(ValidationError) as caught:
        _catch_up(tm, member, s1, outcome="", facilitator=tm)
    assert "facilitator" in caught.value.message_dict


# --- a restart is marked on the waiting list, with why (h8) ----------------------------------------------------


def _restarted(group, tm, om, facilitator, time_machine):
    """A member who attended session 1, caught up 2-5 and then missed 6: a restart (003)."""
    member = _member(group, tm, om)
    _at(time_machine, _session(group, 6).date)
    services.record_attendance(
        actor=facilitator, membership=member, session=_session(group, 1), outcome="attended"
    )
    _miss_and_catch_up(facilitator, member, group, [2, 3, 4, 5])
    services.record_attendance(
        actor=facilitator, membership=member, session=_session(group, 6), outcome="unacceptable_absence"
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED
    return member


def test_a_restart_is_marked_on_the_waiting_list_with_the_session_that_could_not_be_caught_up(
    group, tm, om, facilitator, time_machine, api, login
):
    member = _restarted(group, tm, om, facilitator, time_machine)
    sixth = _session(group, 6)
    assert member.restart_session_id == sixth.pk
    assert member.removal_reason.startswith(
        "Session 6 on Monday 8 February 2027 could not be caught up: the 4 sessions missed before it use the "
        "limit of 4 catch-ups"
    )
    other = waiting_referral(group.area, om)  # waiting for the first time: not a restart
    client = api(tm)
    url = reverse("api-waiting-list")
    rows = client.get(url, {"programme": "isotp", "format": "group"}).json()["results"]
    by_id = {row["referral"]: row for row in rows}
    restart = by_id[str(member.referral.public_id)]
    assert restart["restart"] is True
    assert restart["restart_detail"] == {
        "place": group.reference,
        "ended_on": "2027-02-08",
        "missed_session": str(sixth.public_id),
        "missed_session_label": "session 6 on Monday 8 February 2027",
        "reason": member.removal_reason,
    }
    assert by_id[str(other.public_id)]["restart"] is False
    assert by_id[str(other.public_id)]["restart_detail"] is None
    only = client.get(url, {"programme": "isotp", "format": "group", "restart": "true"}).json()
    assert [row["referral"] for row in only["results"]] == [str(member.referral.public_id)]
    assert only["results"][0]["position"] == restart["position"]  # its place in the whole list
    bad = client.get(url, {"programme": "isotp", "format": "group", "restart": "maybe"})
    assert bad.status_code == 400 and "restart" in bad.json()
    detail = client.get(reverse("api-referral-detail", args=[member.referral.public_id])).json()
    assert detail["restart"] is True and detail["restart_detail"]["missed_session"] == str(sixth.public_id)
    assert client.get(reverse("api-referral-detail", args=[other.public_id])).json()["restart"] is False
    # The TM's page: the tag, why, and a filter that keeps only the restarts.
    page = login(tm)
    text = page.get(reverse("referrals:waiting_list"), {"programme": "isotp", "format": "group"})
    body = text.content.decode()
    assert "Restart</strong>" in body and "Session 6 on Monday 8 February 2027 could not be caught up" in body
    assert other.person.crn in body
    filtered = page.get(
        reverse("referrals:waiting_list"), {"programme": "isotp", "format": "group", "restart": "yes"}
    ).content.decode()
    assert member.referral.person.crn in filtered and other.person.crn not in filtered
    assert "1 restart waiting for i-SOTP group" in filtered


def test_a_restart_allocated_again_is_no_longer_marked(group, tm, om, facilitator, time_machine):
    from referrals.selectors import restarts_of

    member = _restarted(group, tm, om, facilitator, time_machine)
    referral = Referral.objects.get(pk=member.referral_id)
    assert set(restarts_of([referral])) == {referral.pk}
    later = make_group(group.area, actor=tm, start_date=dt.date(2027, 3, 1))
    services.allocate(actor=tm, group=later, referral=referral)
    assert restarts_of([referral]) == {}
