"""The register: recording and correcting outcomes, ended members, optional details, its errors and its query cost. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from isotp.errors import DomainConflict
from sessions import services
from sessions.models import Attendance, Membership
from tests.pages import error_summary, page_text
from tests.sessions.attendance_helpers import (
    LONDON,
    allocate_member,
    book,
    move_to,
    restart_after_five_missed,
    session_number,
)
from tests.sessions.factories import make_group, trained_facilitator

pytestmark = pytest.mark.django_db


def test_a_register_with_an_ended_member_is_saved_and_his_row_is_read_only(
    login, group, tm, om, facilitator, time_machine
):
    ended, other = allocate_member(group, tm, om), allocate_member(group, tm, om)
    s5, s6 = session_number(group, 5), session_number(group, 6)
    move_to(time_machine, s5.date)
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator, membership=other, session=session_number(group, n), outcome="attended"
        )
    restart_after_five_missed(facilitator, ended, group)
    Membership.objects.filter(pk=ended.pk).update(left_on=s6.date)  # still on session 6's register
    move_to(time_machine, s6.date)
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


def test_an_unchanged_row_of_an_ended_member_passes_a_put_a_changed_one_is_refused(
    api, group, tm, om, facilitator, time_machine
):
    ended = allocate_member(group, tm, om)
    s5 = session_number(group, 5)
    move_to(time_machine, s5.date)
    restart_after_five_missed(facilitator, ended, group)
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
        reverse("api-session-attendance", args=[session_number(group, 6).public_id]),
        {"membership": str(ended.public_id), "outcome": "attended"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] in (
        "MEMBERSHIP_ENDED",
        "REGISTER_NOT_OPEN",
    )


def test_an_unchanged_attended_row_is_not_refused_after_an_earlier_session_is_corrected(
    api, group, tm, om, facilitator, time_machine
):
    member, other = allocate_member(group, tm, om), allocate_member(group, tm, om)
    s2, s3 = session_number(group, 2), session_number(group, 3)
    move_to(time_machine, s3.date)
    for n in (1, 2, 3):
        services.record_attendance(
            actor=facilitator, membership=member, session=session_number(group, n), outcome="attended"
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


def test_leaving_out_the_optional_fields_keeps_the_note_the_concern_and_the_homework(
    api, group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)
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


def test_a_recorded_register_costs_the_same_for_2_and_10_members(api, login, area, tm, om, time_machine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (2, 10):
        lead = trained_facilitator(area)
        group = make_group(
            area, actor=tm, facilitators=[lead, trained_facilitator(area)], start_date=dt.date(2027, 1, size)
        )
        members = [allocate_member(group, tm, om) for _ in range(size)]
        s1 = session_number(group, 1)
        move_to(time_machine, s1.date)
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


def test_register_errors_name_the_member_and_dates_keep_their_capitals(
    api, login, group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    s1, s2 = session_number(group, 1), session_number(group, 2)
    move_to(time_machine, s2.date)
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
        book(facilitator, member, s2)
    assert caught.value.code == "NOT_MISSED" and "Monday 11 January 2027" in caught.value.detail


def test_an_empty_register_a_repeated_exception_and_one_error_shape(
    api, group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)
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
