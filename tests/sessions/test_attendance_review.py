"""Regression tests for the independent review of issue 8 (attendance, catch-ups, enforcement, notifications):
one test (or a few) per finding, named after it. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from isotp.errors import DomainConflict
from sessions import services
from sessions.models import Attendance, Membership, MembershipStatus
from tests.pages import error_summary, page_text
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(time_machine, day: dt.date, hour: int = 21) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def group(area, tm, facilitator):
    return make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])


def _member(group, tm, om):
    return services.allocate(actor=tm, group=group, referral=waiting_referral(group.area, om))


def _s(group, number):
    return group.sessions.get(number=number)


def _catch_up(actor, membership, session, *, outcome="attended", **kw):
    values = {"date": session.date, "facilitator": actor, "outcome": outcome}
    values.update(kw)
    return services.book_catch_up(actor=actor, membership=membership, missed_session=session, **values)


def _restart(facilitator, member, group):
    """Sessions 1-4 missed and caught up, session 5 missed: the fifth missed session restarts (003)."""
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator, membership=member, session=_s(group, n), outcome="acceptable_absence"
        )
        _catch_up(facilitator, member, _s(group, n))
    services.record_attendance(
        actor=facilitator, membership=member, session=_s(group, 5), outcome="unacceptable_absence"
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED


# --- 1. BLOCKER: a register with an ended member can still be saved --------------------------------------------


def test_1_a_register_with_an_ended_member_is_saved_and_his_row_is_read_only(
    login, group, tm, om, facilitator, time_machine
):
    ended, other = _member(group, tm, om), _member(group, tm, om)
    s5, s6 = _s(group, 5), _s(group, 6)
    _at(time_machine, s5.date)
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator, membership=other, session=_s(group, n), outcome="attended"
        )
    _restart(facilitator, ended, group)
    Membership.objects.filter(pk=ended.pk).update(left_on=s6.date)  # still on session 6's register
    _at(time_machine, s6.date)
    client = login(facilitator)
    url = reverse("programme_sessions:session_register", args=[s6.public_id])
    page = page_text(client.get(url))
    assert "can no longer be changed" in page and "must start the programme again" in page
    assert "Book a catch-up" not in page  # booking would answer MEMBERSHIP_ENDED
    assert f'name="{ended.public_id}-outcome"' not in client.get(url).content.decode()
    # One page, one submit: the unrecorded member is saved; the ended member's row is not posted.
    response = client.post(
        url, {f"{other.public_id}-outcome": "attended", f"{other.public_id}-homework": "yes"}
    )
    assert response.status_code == 302, error_summary(response)
    assert Attendance.objects.get(membership=other, session=s6).outcome == "attended"
    # Re-saving session 5's register unchanged passes (the page leaves the ended member's row out).
    url5 = reverse("programme_sessions:session_register", args=[s5.public_id])
    response = client.post(url5, {f"{other.public_id}-outcome": "attended"})
    assert response.status_code == 302, error_summary(response)


def test_1_an_unchanged_row_of_an_ended_member_passes_a_put_a_changed_one_is_refused(
    api, group, tm, om, facilitator, time_machine
):
    ended = _member(group, tm, om)
    s5 = _s(group, 5)
    _at(time_machine, s5.date)
    _restart(facilitator, ended, group)
    url = reverse("api-session-register", args=[s5.public_id])
    row = {"membership": str(ended.public_id), "outcome": "unacceptable_absence"}
    response = api(facilitator).put(url, {"records": [row]}, format="json")
    assert response.status_code == 200, response.json()
    member = response.json()["members"][0]
    assert member["membership_status"] == "restart_required" and member["may_attend"] is False
    assert member["blocked_by"] == "" and member["catch_up_outstanding"] == []
    response = api(facilitator).put(url, {"records": [{**row, "outcome": "attended"}]}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "MEMBERSHIP_ENDED"
    response = api(facilitator).post(
        reverse("api-session-attendance", args=[_s(group, 6).public_id]),
        {"membership": str(ended.public_id), "outcome": "attended"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] in (
        "MEMBERSHIP_ENDED",
        "REGISTER_NOT_OPEN",
    )


def test_1_an_unchanged_attended_row_is_not_refused_after_an_earlier_session_is_corrected(
    api, group, tm, om, facilitator, time_machine
):
    member, other = _member(group, tm, om), _member(group, tm, om)
    s2, s3 = _s(group, 2), _s(group, 3)
    _at(time_machine, s3.date)
    for n in (1, 2, 3):
        services.record_attendance(
            actor=facilitator, membership=member, session=_s(group, n), outcome="attended"
        )
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="acceptable_absence")
    url = reverse("api-session-register", args=[s3.public_id])
    row = {"membership": str(member.public_id), "outcome": "attended"}
    assert api(facilitator).put(url, {"records": [row]}, format="json").status_code == 200
    # A member newly marked present is still refused while the catch-up is outstanding.
    services.record_attendance(actor=facilitator, membership=other, session=s2, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(actor=facilitator, membership=other, session=s3, outcome="attended")
    assert caught.value.code == "CATCH_UP_OUTSTANDING"


# --- 2. optional fields left out keep what is saved ------------------------------------------------------------


def test_2_leaving_out_the_optional_fields_keeps_the_note_the_concern_and_the_homework(
    api, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date)
    full = {
        "membership": str(member.public_id),
        "outcome": "attended",
        "homework_done": True,
        "notes": "Disclosed contact with a child",
        "concern": True,
    }
    url = reverse("api-session-attendance", args=[s1.public_id])
    assert api(facilitator).post(url, full, format="json").status_code == 200
    response = api(facilitator).post(
        url, {"membership": str(member.public_id), "outcome": "late"}, format="json"
    )
    assert response.status_code == 200
    saved = Attendance.objects.get(membership=member, session=s1)
    assert (saved.outcome, saved.notes, saved.concern, saved.homework_done) == (
        "late",
        "Disclosed contact with a child",
        True,
        True,
    )
    put = reverse("api-session-register", args=[s1.public_id])
    row = {"membership": str(member.public_id), "outcome": "late"}
    assert api(facilitator).put(put, {"records": [row]}, format="json").status_code == 200
    saved.refresh_from_db()
    assert saved.homework_done is True and saved.concern is True
    # Given explicitly, they are changed (null clears homework).
    row = {**row, "homework_done": None, "notes": "", "concern": False}
    assert api(facilitator).put(put, {"records": [row]}, format="json").status_code == 200
    saved.refresh_from_db()
    assert (saved.homework_done, saved.notes, saved.concern) == (None, "", False)


# --- 3. a second concern on the same record reaches the OM ------------------------------------------------------


def test_3_a_new_or_different_concern_on_the_same_record_alerts_the_om_again(
    group, tm, om, facilitator, time_machine
):
    from notifications.models import Notification

    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date)

    def record(**kw):
        services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="attended", **kw)

    record(concern=True, notes="First worry")
    record(concern=True, notes="First worry")  # the same concern again: told once
    assert Notification.objects.filter(recipient=om, kind="concern").count() == 1
    record(concern=True, notes="A second, different worry")
    assert Notification.objects.filter(recipient=om, kind="concern").count() == 2


# --- 4. a sent-home reason changed to unacceptable tells the OM --------------------------------------------------


def test_4_changing_a_sent_home_reason_to_unacceptable_tells_the_om(group, tm, om, facilitator, time_machine):
    from notifications.models import Notification
    from sessions.progress import enforcement_for

    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date)

    def sent_home(acceptable):
        services.record_attendance(
            actor=facilitator,
            membership=member,
            session=s1,
            outcome="sent_home",
            sent_home_acceptable=acceptable,
        )

    sent_home(True)
    assert Notification.objects.filter(recipient=om, kind="absence").count() == 1
    sent_home(False)
    referral = member.referral
    assert enforcement_for([referral])[referral.pk].state.status == "warning_due"
    notes = list(Notification.objects.filter(recipient=om, kind="absence").order_by("id"))
    assert len(notes) == 2 and "enforcement step due" in notes[-1].subject
    assert "sent home (unacceptable reason)" in notes[-1].body and "correction" in notes[-1].body
    assert notes[-1].body.count("failure to comply") == 1  # no. 17: said once
    # Corrected back to attended: the enforcement position changes, and the OM is told.
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="attended")
    change = Notification.objects.get(recipient=om, kind="enforcement")
    assert "no enforcement action" in change.body


# --- 8. the breach deadline does not slide ----------------------------------------------------------------------


def test_8_a_further_absence_does_not_move_the_breach_deadline(group, tm, om, facilitator, time_machine):
    from sessions.progress import enforcement_for

    member = _member(group, tm, om)
    s1, s2, s3 = _s(group, 1), _s(group, 2), _s(group, 3)
    referral = member.referral
    _at(time_machine, s3.date)
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


# --- 10. a failure on the day of a breach action; an outcome before the start time ----------------------------


def test_10_a_failure_on_the_day_breach_action_is_recorded_is_a_new_failure(
    group, tm, om, facilitator, time_machine
):
    from sessions.progress import enforcement_for

    member = _member(group, tm, om)
    s1, s2, s3 = _s(group, 1), _s(group, 2), _s(group, 3)
    referral = member.referral
    _at(time_machine, s3.date, hour=9)
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
    booked = _catch_up(facilitator, member, s1, outcome="", date=s3.date, start=dt.time(13))
    with pytest.raises(DomainConflict) as caught:  # 09:00: before its 13:00 start
        services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="unacceptable_absence")
    assert caught.value.code == "CATCH_UP_IN_FUTURE"
    with pytest.raises(DomainConflict) as caught:
        _catch_up(facilitator, member, s2, outcome="attended", date=s3.date, start=dt.time(14))
    assert caught.value.code == "CATCH_UP_IN_FUTURE"
    _at(time_machine, s3.date, hour=16)
    services.record_catch_up_outcome(actor=facilitator, catch_up=booked, outcome="unacceptable_absence")
    state = enforcement_for([referral])[referral.pk].state
    assert state.status == "breach_due" and state.answers == s3.date


# --- 6. the facilitator a catch-up is booked with can open and close it ---------------------------------------


def test_6_the_booked_facilitator_opens_the_progress_and_records_the_outcome(
    api, login, area, group, tm, om, facilitator, time_machine
):
    outsider = trained_facilitator(area)  # not on the group
    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date, hour=9)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    booked = _catch_up(tm, member, s1, outcome="", date=s1.date + dt.timedelta(days=2), facilitator=outsider)
    page = login(outsider)
    assert page.get(reverse("programme_sessions:member_progress", args=[member.public_id])).status_code == 200
    _at(time_machine, booked.date)
    url = reverse("programme_sessions:catch_up_outcome", args=[booked.public_id])
    assert login(outsider).get(url).status_code == 200
    response = api(outsider).post(
        reverse("api-catch-up-outcome", args=[booked.public_id]), {"outcome": "attended"}, format="json"
    )
    assert response.status_code == 200, response.json()
    # Another facilitator of the area, with nothing booked, still sees nothing.
    stranger = trained_facilitator(area)
    assert login(stranger).get(url).status_code == 404


# --- 7. a booked catch-up can be cancelled; obsolete bookings leave the diary --------------------------------


def test_7_cancelling_and_obsolete_bookings_leave_the_diary_feed_and_clash_checks(
    api, login, group, tm, om, facilitator, time_machine
):
    from audit.models import AuditEvent
    from sessions.feeds import calendar_for
    from sessions.models import CatchUp

    member = _member(group, tm, om)
    _member(group, tm, om), _member(group, tm, om)  # two more, missed later
    s1 = _s(group, 1)
    _at(time_machine, s1.date, hour=9)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    later = s1.date + dt.timedelta(days=2)
    first = _catch_up(facilitator, member, s1, outcome="", date=later, start=dt.time(10), venue=group.venue)
    second = _catch_up(facilitator, member, s1, outcome="", date=later, start=dt.time(14), venue=group.venue)
    third = _catch_up(
        facilitator, member, s1, outcome="", date=later + dt.timedelta(days=1), start=dt.time(10)
    )
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
    _catch_up(
        facilitator,
        _other_absent(group, tm, om, facilitator, s1),
        s1,
        outcome="",
        date=later,
        start=dt.time(10),
        venue=group.venue,
    )
    # The second is attended: the third becomes obsolete, cancelled automatically.
    _at(time_machine, later, hour=17)
    services.record_catch_up_outcome(actor=facilitator, catch_up=second, outcome="attended")
    third.refresh_from_db()
    assert third.cancelled and "caught up" in third.cancel_reason
    feed = calendar_for(facilitator).decode().replace("\r\n ", "")
    assert str(first.public_id) not in feed and str(third.public_id) not in feed
    assert str(second.public_id) in feed
    _catch_up(
        facilitator,
        _other_absent(group, tm, om, facilitator, s1),
        s1,
        outcome="",
        date=third.date,
        start=dt.time(10),
    )  # no clash with the obsolete booking
    assert login(facilitator).get(reverse("programme_sessions:my_calendar")).status_code == 200
    assert CatchUp.objects.get(pk=first.pk).cancelled


def _other_absent(group, tm, om, facilitator, session):
    from sessions.models import Membership as M

    other = M.objects.filter(group=group).exclude(attendances__session=session).first()
    if other is None:
        raise AssertionError("allocate the extra members before time travel")
    services.record_attendance(
        actor=facilitator, membership=other, session=session, outcome="acceptable_absence"
    )
    return other


# --- 9. the N-SOGP block restart acts and tells the TM and OM -------------------------------------------------


def test_9_more_than_two_missed_in_a_block_tells_the_tm_and_om_with_the_block_wording(
    api, area, tm, om, facilitator, time_machine
):
    from audit.models import AuditEvent
    from notifications.models import Notification

    group = make_group(
        area,
        actor=tm,
        programme_code="nsogp_core_group",
        facilitators=[facilitator, trained_facilitator(area, "nsogp")],
        slots=[{"weekday": "monday", "start_time": "10:00"}],
    )
    member = services.allocate(actor=tm, group=group, referral=waiting_referral(area, om, programme="nsogp"))
    first_block = list(group.sessions.filter(block=1).order_by("number")[:3])
    _at(time_machine, first_block[-1].date)
    for s in first_block:
        services.record_attendance(
            actor=facilitator, membership=member, session=s, outcome="acceptable_absence"
        )
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE  # only the block is redone
    told = Notification.objects.filter(kind="restart")
    assert set(told.values_list("recipient_id", flat=True)) == {group.treatment_manager_id, om.pk}
    assert "restarts block 1 at the next block boundary" in told.first().body
    assert AuditEvent.objects.filter(action="membership.block_restart").count() == 1
    third = Notification.objects.filter(recipient=om, kind="absence").order_by("id").last()
    assert "before the next group session" not in third.body and "restarts block 1" in third.body
    detail = api(tm).get(reverse("api-membership-detail", args=[member.public_id])).json()
    assert detail["restart_blocks"] == [1] and "BLOCK_RESTART_REQUIRED" in detail["codes"]
    # Recording it again tells nobody twice.
    services.record_attendance(
        actor=facilitator, membership=member, session=first_block[-1], outcome="unacceptable_absence"
    )
    assert Notification.objects.filter(kind="restart").count() == 2


# --- 11. the register of a recorded full group costs no query per member ---------------------------------------


def test_11_a_recorded_register_costs_the_same_for_2_and_10_members(api, login, area, tm, om, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (2, 10):
        lead = trained_facilitator(area)
        group = make_group(
            area, actor=tm, facilitators=[lead, trained_facilitator(area)], start_date=dt.date(2027, 1, size)
        )
        members = [_member(group, tm, om) for _ in range(size)]
        s1 = _s(group, 1)
        _at(time_machine, s1.date)
        services.take_register(
            actor=lead,
            session=s1,
            entries=[
                services.RegisterEntry(membership=m, outcome="acceptable_absence" if i % 2 else "attended")
                for i, m in enumerate(members)
            ],
        )
        client, page = api(lead), login(lead)
        with CaptureQueriesContext(connection) as api_queries:
            assert client.get(reverse("api-session-register", args=[s1.public_id])).status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            url = reverse("programme_sessions:session_register", args=[s1.public_id])
            assert page.get(url).status_code == 200
        counts[size] = (len(api_queries), len(page_queries))
        time_machine.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=LONDON), tick=False)
    assert counts[10] == counts[2], counts


# --- 12-14, 16, 18: the minor findings --------------------------------------------------------------------------


def test_12_the_progress_page_says_how_many_more_may_be_missed(
    login, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1, s2 = _s(group, 1), _s(group, 2)
    _at(time_machine, s2.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    _catch_up(facilitator, member, s1)
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="acceptable_absence")
    page = page_text(login(tm).get(reverse("programme_sessions:member_progress", args=[member.public_id])))
    assert "2 missed, 1 caught up" in page
    assert "He may miss 2 more sessions before he must start the programme again" in page
    assert "missed so far" not in page


def test_13_and_14_register_errors_name_the_member_and_dates_keep_their_capitals(
    api, login, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1, s2 = _s(group, 1), _s(group, 2)
    _at(time_machine, s2.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    response = login(facilitator).post(
        reverse("programme_sessions:session_register", args=[s2.public_id]),
        {f"{member.public_id}-outcome": "attended"},
    )
    name = member.referral.person.full_name
    assert response.status_code == 200 and name in error_summary(response)
    assert f"{name}: The catch-up of session 1 on Monday 4 January 2027" in page_text(response)
    page = login(facilitator).get(reverse("programme_sessions:catch_up_new", args=[member.public_id]))
    assert "Session 1 on Monday 4 January 2027" in page.content.decode()
    with pytest.raises(DomainConflict) as caught:  # session 2 not recorded: not missed
        _catch_up(facilitator, member, s2)
    assert caught.value.code == "NOT_MISSED" and "Monday 11 January 2027" in caught.value.detail


def test_16_a_catch_up_on_a_bank_holiday_is_refused(group, tm, om, facilitator, time_machine):
    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date)
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:  # Good Friday 2027 (England)
        _catch_up(facilitator, member, s1, outcome="", date=dt.date(2027, 3, 26))
    assert caught.value.code == "NON_WORKING_DAY"


def test_18_an_empty_register_a_repeated_exception_and_one_error_shape(
    api, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date)
    url = reverse("api-session-register", args=[s1.public_id])
    response = api(facilitator).put(url, {"records": []}, format="json")
    assert response.status_code == 400 and "records" in response.json()
    s1.refresh_from_db()
    assert s1.register_taken_at is None and s1.status == "scheduled"
    body = {
        "records": [
            {"membership": str(member.public_id), "outcome": "attended"},
            {"membership": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "outcome": "attended"},
        ]
    }
    assert api(facilitator).put(url, body, format="json").json() == {
        "records": {"1": {"membership": ["Not found: choose one from your area."]}}
    }
    body["records"][1]["outcome"] = "maybe"
    # The serializer's own errors have the same shape.
    assert set(api(facilitator).put(url, body, format="json").json()["records"]["1"]) == {"outcome"}
    services.record_attendance(actor=facilitator, membership=member, session=s1, outcome="acceptable_absence")
    exception_url = reverse("api-membership-catch-up-exception", args=[member.public_id])
    first = {"missed_session": str(s1.public_id), "reason": "Venue shut"}
    assert api(tm).post(exception_url, first, format="json").status_code == 201
    again = api(tm).post(exception_url, {**first, "reason": "Another reason"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "EXCEPTION_EXISTS"


# --- 15, 17: wording on the pages ------------------------------------------------------------------------------


def test_15_my_sessions_names_the_member_of_a_catch_up_and_sent_home_is_called_so(
    login, group, tm, om, facilitator, time_machine
):
    member = _member(group, tm, om)
    s1 = _s(group, 1)
    _at(time_machine, s1.date, hour=9)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="sent_home", sent_home_acceptable=False
    )
    _catch_up(facilitator, member, s1, outcome="", date=s1.date + dt.timedelta(days=2), start=dt.time(10))
    page = page_text(login(facilitator).get(reverse("programme_sessions:my_calendar")))
    assert member.referral.person.full_name in page and member.referral.person.crn in page
    home = page_text(login(om).get(reverse("referrals:person_list")))
    assert "sent home (unacceptable)" in home and "(unacceptable absence" not in home
