"""The delivery API: shapes, 400/404/409 answers, the stateless schedule preview, and query counts that do not
grow with the number of rows. "Today" is fixed at Tuesday 24 November 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from referrals.models import Referral
from sessions import services
from sessions.models import Membership, MembershipStatus, ProgrammeGroup, SessionStatus
from tests.factories import VenueFactory
from tests.sessions.factories import (
    default_plan_modules,
    make_group,
    make_plan,
    trained_facilitator,
    waiting_referral,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _groups(area, tm, count: int, facilitator=None) -> list[ProgrammeGroup]:
    """`count` groups on different days and venues (so they never clash)."""
    groups = []
    for index in range(count):
        people = [facilitator or trained_facilitator(area), trained_facilitator(area)]
        groups.append(
            make_group(
                area,
                actor=tm,
                facilitators=people,
                start_date=dt.date(2027, 1, 4) + dt.timedelta(weeks=index),
                slots=[{"weekday": "monday", "start_time": "18:00"}],
                venue=VenueFactory(area=area),
            )
        )
    return groups


# --- schedule preview (issue 4: exactly this shape) ---------------------------------------------------------


def test_schedule_preview_shape_and_skipped_dates(api, tm):
    body = {
        "programme": "isotp",
        "format": "group",
        "start_date": "2027-03-01",
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
        "jurisdiction": "england_and_wales",
        "closures": ["2027-03-08"],
    }
    response = api(tm).post(reverse("api-schedule-preview"), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert len(data["sessions"]) == 35
    assert data["sessions"][0] == {
        "number": 1,
        "module": 1,
        "module_title": "Motivation to Change",
        "block": None,
        "date": "2027-03-01",
        "start": "18:00",
        "end": "20:00",
    }
    assert data["sessions"][1]["date"] == "2027-03-15"  # 8 March closed
    skipped = {s["date"]: s["reason"] for s in data["skipped"]}
    assert skipped["2027-03-08"] == "Area closure"
    assert "Easter Monday" in skipped["2027-03-29"]
    assert data["programme"] == {"code": "isotp_group", "name": "i-SOTP (group)", "version": 1}


def test_schedule_preview_for_northern_ireland_and_two_slots(api, tm):
    body = {
        "programme": "isotp",
        "format": "group",
        "start_date": "2027-03-15",
        "slots": [
            {"weekday": "monday", "start_time": "18:00"},
            {"weekday": "wednesday", "start_time": "10:00"},
        ],
        "jurisdiction": "northern_ireland",
    }
    data = api(tm).post(reverse("api-schedule-preview"), body, format="json").json()
    dates = [s["date"] for s in data["sessions"]]
    assert dates[:3] == ["2027-03-15", "2027-03-22", "2027-03-24"]  # 17 March skipped in NI
    assert data["jurisdiction"] == "northern_ireland"
    assert any("Patrick" in s["reason"] for s in data["skipped"])


def test_schedule_preview_defaults_to_the_areas_jurisdiction_and_takes_a_one_to_one_plan(api, tm):
    body = {
        "programme": "isotp",
        "format": "one_to_one",
        "start_date": "2027-01-05",
        "slots": [{"weekday": "tuesday", "start_time": "10:00"}],
        "sessions_per_module": default_plan_modules(),
    }
    data = api(tm).post(reverse("api-schedule-preview"), body, format="json").json()
    assert len(data["sessions"]) == 28 and data["sessions"][0]["end"] == "11:30"
    assert data["jurisdiction"] == "ENG"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"programme": "isotp", "format": "group", "start_date": "2027-03-01", "slots": []}, "slots"),
        (
            {
                "programme": "isotp",
                "format": "group",
                "start_date": "2027-03-01",
                "slots": [{"weekday": "funday", "start_time": "18:00"}],
            },
            "slots",
        ),
        (
            {
                "programme": "isotp",
                "format": "group",
                "start_date": "2027-03-01",
                "slots": [{"weekday": "monday", "start_time": "18:00"}],
                "jurisdiction": "scotland",
            },
            "jurisdiction",
        ),
        (
            {
                "programme": "nope",
                "format": "group",
                "start_date": "2027-03-01",
                "slots": [{"weekday": "monday", "start_time": "18:00"}],
            },
            "programme",
        ),
        (
            {
                "programme": "isotp",
                "format": "group",
                "start_date": "2027-03-01",
                "slots": [
                    {"weekday": "monday", "start_time": "18:00"},
                    {"weekday": "tuesday", "start_time": "18:00"},
                    {"weekday": "friday", "start_time": "18:00"},
                ],
            },
            "slots",
        ),
    ],
)
def test_schedule_preview_400s_name_the_field(api, tm, body, field):
    response = api(tm).post(reverse("api-schedule-preview"), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_schedule_preview_writes_nothing(api, tm):
    body = {
        "programme": "isotp_group",
        "start_date": "2027-03-01",
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
    }
    assert api(tm).post(reverse("api-schedule-preview"), body, format="json").status_code == 200
    assert not ProgrammeGroup.objects.exists()


# --- programmes ---------------------------------------------------------------------------------------------


def test_programme_list_shape_hides_lihi_unless_switched_on(api, tm, area):
    data = api(tm).get(reverse("api-programme-list")).json()
    codes = {p["code"] for p in data["results"]}
    assert codes == {
        "isotp_group",
        "isotp_one_to_one",
        "nsogp_core_group",
        "nsogp_relapse_prevention",
        "nsogp_ltms",
    }
    isotp = next(p for p in data["results"] if p["code"] == "isotp_group")
    assert isotp["restart_rule"] == {"kind": "total_catch_ups", "limit": 4}
    assert isotp["young_adult_band"] == {"min_age": 17, "max_age": 21}
    assert isotp["default_start_time"] == "10:00" and isotp["modules"][0]["sessions"] == 4
    area.lihi_enabled = True
    area.save()
    assert api(tm).get(reverse("api-programme-list") + "?programme=li").json()["count"] == 1


def test_programme_list_filters_by_format(api, tm):
    """Review of issue 11: `?format=` is the filter (DRF read it as a renderer and answered 404)."""
    client = api(tm)
    response = client.get(reverse("api-programme-list") + "?programme=isotp&format=group")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert [p["code"] for p in response.json()["results"]] == ["isotp_group"]
    one_to_one = client.get(reverse("api-programme-list") + "?format=one_to_one").json()["results"]
    assert [p["code"] for p in one_to_one] == ["isotp_one_to_one"]


def test_programme_detail_and_404(api, tm):
    client = api(tm)
    assert client.get(reverse("api-programme-detail", args=["nsogp_core_group"])).json()["join_rule"] == (
        "block_boundary"
    )
    assert client.get(reverse("api-programme-detail", args=["li_group"])).status_code == 404


def test_programme_list_query_count_does_not_grow(api, tm, django_assert_max_num_queries):
    client = api(tm)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("api-programme-list")).status_code == 200


# --- groups -------------------------------------------------------------------------------------------------


def test_create_group_201_with_its_schedule(api, tm, area):
    people = [trained_facilitator(area), trained_facilitator(area)]
    venue = VenueFactory(area=area)
    body = {
        "programme": "isotp_group",
        "venue": venue.pk,
        "facilitators": [str(p.public_id) for p in people],
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
        "start_date": "2027-01-04",
        "capacity": 10,
        "name": "Monday evenings",
    }
    response = api(tm).post(reverse("api-group-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["reference"] == "CHE-ISOTP-2027-01" and data["name"] == "Monday evenings"
    assert data["treatment_manager"]["id"] == str(tm.public_id)
    assert data["slots"] == [{"weekday": "monday", "start_time": "18:00"}]
    assert (data["session_count"], data["member_count"], data["status"]) == (35, 0, "planned")
    assert data["programme"] == {"code": "isotp_group", "name": "i-SOTP (group)", "version": 1}
    sessions = api(tm).get(reverse("api-group-session-list", args=[data["id"]])).json()
    assert sessions["count"] == 35 and sessions["results"][0]["start"] == "18:00"


def test_create_group_refusals(api, tm, area, other_facilitator):
    venue = VenueFactory(area=area)
    trained = trained_facilitator(area)
    base = {
        "programme": "isotp_group",
        "venue": venue.pk,
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
        "start_date": "2027-01-04",
        "capacity": 10,
    }
    client = api(tm)
    # Another area's facilitator is "not found", on the field.
    response = client.post(
        reverse("api-group-list"),
        {**base, "facilitators": [str(trained.public_id), str(other_facilitator.public_id)]},
        format="json",
    )
    assert response.status_code == 400 and "facilitators" in response.json()
    # Too few facilitators.
    response = client.post(
        reverse("api-group-list"), {**base, "facilitators": [str(trained.public_id)]}, format="json"
    )
    assert response.status_code == 400 and "needs 2 facilitators" in response.json()["facilitators"][0]
    # A clash is a 409 naming the session.
    make_group(area, actor=tm, venue=venue)
    response = client.post(
        reverse("api-group-list"),
        {
            **base,
            "facilitators": [str(trained.public_id), str(trained_facilitator(area).public_id)],
        },
        format="json",
    )
    assert response.status_code == 409
    assert (
        response.json()["code"] == "VENUE_CLASH"
        and "session 1 of CHE-ISOTP-2027-01" in response.json()["detail"]
    )


def test_group_detail_404_for_another_area(api, tm, other_tm, area):
    group = make_group(area, actor=tm)
    assert api(tm).get(reverse("api-group-detail", args=[group.public_id])).status_code == 200
    assert api(other_tm).get(reverse("api-group-detail", args=[group.public_id])).status_code == 404


def test_group_list_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    client = api(tm)
    _groups(area, tm, 3)
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("api-group-list")).json()["count"] == 3
    _groups(area, tm, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("api-group-list")).json()["count"] == 15


def test_facilitator_sees_only_their_groups(api, tm, area, facilitator):
    mine = _groups(area, tm, 1, facilitator=facilitator)[0]
    make_group(area, actor=tm, slots=[{"weekday": "friday", "start_time": "10:00"}])
    data = api(facilitator).get(reverse("api-group-list")).json()
    assert [g["id"] for g in data["results"]] == [str(mine.public_id)]


def test_group_sessions_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    client = api(tm)
    group = make_group(area, actor=tm)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("api-group-session-list", args=[group.public_id]) + "?page_size=3")
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get(reverse("api-group-session-list", args=[group.public_id]) + "?page_size=35").json()
    assert len(data["results"]) == 35


# --- allocation and removal ---------------------------------------------------------------------------------


def test_allocate_201_and_the_409s(api, tm, area):
    group = make_group(area, actor=tm, capacity=8)
    client = api(tm)
    url = reverse("api-group-membership-list", args=[group.public_id])
    referral = waiting_referral(area)
    response = client.post(url, {"referral": str(referral.public_id)}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["referral"] == str(referral.public_id) and data["group"] == str(group.public_id)
    assert data["status"] == "active" and data["joined_on"] == "2027-01-04" and data["plan"] is None
    # The same referral again: it is no longer waiting.
    again = client.post(url, {"referral": str(referral.public_id)}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "NOT_AWAITING_ALLOCATION"
    # Under age on the start date.
    young = waiting_referral(area, date_of_birth=dt.date(2007, 6, 1))
    response = client.post(url, {"referral": str(young.public_id)}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "UNDER_AGE"
    # Full.
    for _ in range(7):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    response = client.post(url, {"referral": str(waiting_referral(area).public_id)}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "GROUP_FULL"


def test_allocate_already_allocated_elsewhere(api, tm, area):
    first = make_group(area, actor=tm)
    second = make_group(area, actor=tm, slots=[{"weekday": "tuesday", "start_time": "10:00"}])
    referral = waiting_referral(area)
    services.allocate(actor=tm, group=first, referral=referral)
    Referral.objects.filter(pk=referral.pk).update(status="awaiting_allocation")  # as if put back by hand
    response = api(tm).post(
        reverse("api-group-membership-list", args=[second.public_id]),
        {"referral": str(referral.public_id)},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "ALREADY_ALLOCATED"


def test_allocate_a_referral_of_another_area_is_a_400(api, tm, area, other_area, other_om):
    group = make_group(area, actor=tm)
    stranger = waiting_referral(other_area, other_om)
    response = api(tm).post(
        reverse("api-group-membership-list", args=[group.public_id]),
        {"referral": str(stranger.public_id)},
        format="json",
    )
    assert response.status_code == 400 and "referral" in response.json()


def test_memberships_list_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    group = make_group(area, actor=tm)
    client = api(tm)
    url = reverse("api-group-membership-list", args=[group.public_id])
    for _ in range(2):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    with django_assert_max_num_queries(8) as few:
        assert client.get(url).json()["count"] == 2
    for _ in range(8):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).json()["count"] == 10


def test_remove_member_by_post_and_by_delete(api, tm, area):
    group = make_group(area, actor=tm)
    client = api(tm)
    first = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    second = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    response = client.post(
        reverse("api-membership-remove", args=[first.public_id]),
        {"reason": "Moved out of the area", "next_status": "withdrawn", "reason_code": "moved_out_of_area"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "removed" and response.json()["next_status"] == "withdrawn"
    assert Referral.objects.get(pk=first.referral_id).status == "withdrawn"
    response = client.delete(
        reverse("api-membership-detail", args=[second.public_id]),
        {"reason": "Start later", "next_status": "awaiting_allocation"},
        format="json",
    )
    assert response.status_code == 200
    assert Membership.objects.get(pk=second.pk).status == MembershipStatus.REMOVED
    # Ended already: 409; missing reason: 400.
    response = client.post(
        reverse("api-membership-remove", args=[first.public_id]),
        {"reason": "Again", "next_status": "awaiting_allocation"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "MEMBERSHIP_NOT_ACTIVE"
    response = client.post(reverse("api-membership-remove", args=[first.public_id]), {}, format="json")
    assert response.status_code == 400 and {"reason", "next_status"} <= set(response.json())


def test_only_a_tm_may_delete_a_membership(api, tm, area, facilitator, area_admin):
    group = _groups(area, tm, 1, facilitator=facilitator)[0]
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    for user in (facilitator, area_admin):
        response = api(user).delete(
            reverse("api-membership-detail", args=[membership.public_id]),
            {"reason": "x", "next_status": "awaiting_allocation"},
            format="json",
        )
        assert response.status_code == 403


# --- sessions -----------------------------------------------------------------------------------------------


def test_reschedule_api_with_and_without_cascade(api, tm, area):
    group = make_group(area, actor=tm)
    client = api(tm)
    third = group.sessions.get(number=3)
    url = reverse("api-session-reschedule", args=[third.public_id])
    response = client.post(url, {"new_date": "2027-01-20", "cascade": False}, format="json")
    assert response.status_code == 200, response.json()
    assert [(m["number"], m["date"]) for m in response.json()["moved"]] == [(3, "2027-01-20")]
    response = client.post(
        url, {"new_date": "2027-01-26", "new_start": "17:00", "cascade": True}, format="json"
    )
    moved = response.json()["moved"]
    assert (
        moved[0]["date"] == "2027-01-26" and moved[0]["start"] == "17:00" and moved[1]["date"] == "2027-02-01"
    )
    response = client.post(url, {"new_date": "2026-11-20", "cascade": False}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "DATE_IN_PAST"
    assert client.post(url, {}, format="json").status_code == 400


def test_cancel_api_reschedules_for_everyone(api, tm, area):
    group = make_group(area, actor=tm)
    session = group.sessions.get(number=1)
    response = api(tm).post(
        reverse("api-session-cancel", args=[session.public_id]), {"reason": "Snow"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["number"] == 1 and response.json()["date"] == "2027-01-11"
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED_BY_PROVIDER
    again = api(tm).post(reverse("api-session-cancel", args=[session.public_id]), {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "SESSION_NOT_SCHEDULED"


def test_attendance_api_moves_the_referral_on_programme(api, tm, area, facilitator, time_machine):
    group = _groups(area, tm, 1, facilitator=facilitator)[0]
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    session = group.sessions.get(number=1)
    time_machine.move_to(dt.datetime(2027, 1, 4, 21, tzinfo=LONDON), tick=False)
    response = api(facilitator).post(
        reverse("api-session-attendance", args=[session.public_id]),
        {"membership": str(membership.public_id), "outcome": "attended"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["membership"], body["session"], body["outcome"]) == (
        str(membership.public_id),
        str(session.public_id),
        "attended",
    )
    assert Referral.objects.get(pk=membership.referral_id).status == "on_programme"


def test_membership_detail_logs_the_access(api, tm, area):
    from audit.models import AccessLog

    group = make_group(area, actor=tm)
    membership = services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    data = api(tm).get(reverse("api-membership-detail", args=[membership.public_id])).json()
    assert data["person"]["crn"] == membership.referral.person.crn
    log = AccessLog.objects.get(object_id=str(membership.public_id))
    assert (log.actor, log.via, log.object_label) == (tm, "api", membership.referral.person.crn)


def test_session_detail_shape(api, tm, area):
    group = make_group(area, actor=tm)
    session = group.sessions.get(number=5)
    data = api(tm).get(reverse("api-session-detail", args=[session.public_id])).json()
    assert data["group"] == str(group.public_id) and data["plan"] is None
    assert data["reference"] == group.reference and data["module"] == 2
    assert len(data["facilitators"]) == 2 and set(data["facilitators"][0]) == {"id", "full_name"}


def test_my_sessions_query_count_does_not_grow(api, tm, area, facilitator, django_assert_max_num_queries):
    client = api(facilitator)
    _groups(area, tm, 1, facilitator=facilitator)
    url = reverse("api-my-session-list") + "?date_before=2027-03-31&page_size=100"
    with django_assert_max_num_queries(8) as few:
        small = client.get(url).json()["count"]
    make_plan(area, actor=tm, facilitator=facilitator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).json()["count"] > small


def test_calendar_feed_api_issues_rotates_and_revokes(api, facilitator):
    client = api(facilitator)
    url = reverse("api-my-calendar-feed")
    assert client.get(url).json() == {"url": None, "created_at": None}
    first = client.post(url).json()["url"]
    assert first.startswith("http://testserver/calendar/") and first.endswith(".ics")
    second = client.post(url).json()["url"]
    assert second != first and client.get(url).json()["url"] == second
    assert client.delete(url).status_code == 204
    assert client.get(url).json()["url"] is None


# --- one-to-one plans ---------------------------------------------------------------------------------------


def test_create_plan_201_and_400s(api, tm, area):
    referral = waiting_referral(area, format="one_to_one", age=19)
    person = trained_facilitator(area)
    venue = VenueFactory(area=area)
    body = {
        "referral": str(referral.public_id),
        "facilitator": str(person.public_id),
        "sessions_per_module": default_plan_modules(),
        "slots": [{"weekday": "tuesday", "start_time": "10:00"}],
        "start_date": "2027-01-05",
        "venue": venue.pk,
    }
    client = api(tm)
    too_many = client.post(
        reverse("api-plan-list"),
        {**body, "sessions_per_module": {**default_plan_modules(), "6": 8}},
        format="json",
    )
    assert too_many.status_code == 400 and "sessions_per_module" in too_many.json()
    outside = client.post(
        reverse("api-plan-list"),
        {**body, "sessions_per_module": {**default_plan_modules(), "4": 10, "1": 3}},
        format="json",
    )
    assert outside.status_code == 400 and "Module 1" in outside.json()["rationale"][0]
    response = client.post(reverse("api-plan-list"), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["total_sessions"] == 28 and data["session_count"] == 28
    assert data["sessions_per_module"] == default_plan_modules()
    assert data["facilitator"]["id"] == str(person.public_id) and data["referral"] == str(referral.public_id)
    sessions = client.get(reverse("api-plan-session-list", args=[data["id"]])).json()
    assert sessions["count"] == 28 and sessions["results"][0]["end"] == "11:30"


def test_plan_list_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    client = api(tm)
    make_plan(area, actor=tm)
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("api-plan-list")).json()["count"] == 1
    for index in range(4):
        make_plan(area, actor=tm, start_date=dt.date(2027, 1, 5) + dt.timedelta(weeks=index + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("api-plan-list")).json()["count"] == 5


@pytest.mark.parametrize("rows", [2, 29])
def test_plan_session_list_query_count_does_not_grow(
    api, tm, area, facilitator, rows, django_assert_max_num_queries
):
    """Review of issue 11: a plan's sessions at two sizes, the same bound. Every session has two facilitators (the
    plan's and a co-facilitator) and one was cancelled by the provider, so its cancelled row and its replacement
    (moved from its date) are among the 29; the plan's facilitator and its TM both read them."""
    from sessions.models import ScheduledSession, SessionFacilitator

    plan = make_plan(area, actor=tm, facilitator=facilitator)
    co = trained_facilitator(area)
    SessionFacilitator.objects.bulk_create(
        SessionFacilitator(scheduledsession=session, user=co) for session in plan.sessions.all()
    )
    services.cancel_session_by_provider(actor=tm, session=plan.sessions.get(number=3), reason="Venue closed")
    assert ScheduledSession.objects.filter(plan=plan).count() == 29
    url = reverse("api-plan-session-list", args=[plan.public_id])
    staff = [str(u.public_id) for u in sorted([co, facilitator], key=lambda u: u.full_name)]
    # 9 whatever the page's size: the token; the plan with its slots, venue, facilitator and TM (plan_for_user);
    # the count; the page with its venue joined; the page's facilitators.
    for client in (api(tm), api(facilitator)):
        with django_assert_max_num_queries(9):
            response = client.get(url, {"page_size": rows})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == 29 and len(body["results"]) == rows
        assert all([f["id"] for f in row["facilitators"]] == staff for row in body["results"])
    statuses = [row["status"] for row in body["results"]]
    if rows == 29:
        assert statuses.count(SessionStatus.CANCELLED_BY_PROVIDER) == 1
        assert sum(row["moved_from"] is not None for row in body["results"]) >= 1


def test_plan_detail_404_for_another_area(api, tm, other_tm, area):
    plan = make_plan(area, actor=tm)
    assert api(tm).get(reverse("api-plan-detail", args=[plan.public_id])).status_code == 200
    assert api(other_tm).get(reverse("api-plan-detail", args=[plan.public_id])).status_code == 404


def test_no_person_names_outside_the_members_list(api, tm, area):
    referral = waiting_referral(area, format="one_to_one")
    plan = make_plan(area, actor=tm, referral=referral)
    person = referral.person
    person.last_name = "Quillfeatherstone"  # distinctive: a random surname could appear inside other text
    person.save(update_fields=["last_name"])
    for url in (
        reverse("api-plan-list"),
        reverse("api-plan-detail", args=[plan.public_id]),
        reverse("api-plan-session-list", args=[plan.public_id]),
    ):
        text = api(tm).get(url).content.decode()
        assert person.last_name not in text and person.crn not in text


@pytest.mark.parametrize(("module_one", "status"), [(4, 200), (0, 400)])
def test_one_to_one_preview_applies_the_hard_total(api, tm, module_one, status):
    """domain.md §2.2: a one-to-one plan of fewer than 20 sessions is refused, in the preview as on creation."""
    plan = {
        "1": module_one,
        "2": 4,
        "3": 4,
        "4": 8,
        "5": 3,
        "6": 5,
    }  # 28 with module 1 at 4; module 1 at 0 fails
    if module_one == 0:
        plan = {"1": 0}
    body = {
        "programme": "isotp",
        "format": "one_to_one",
        "start_date": "2027-03-01",
        "slots": [{"weekday": "monday", "start_time": "10:00"}],
        "jurisdiction": "england_and_wales",
        "closures": [],
        "sessions_per_module": plan,
    }
    response = api(tm).post(reverse("api-schedule-preview"), body, format="json")
    assert response.status_code == status, response.json()
    if status == 400:
        assert "sessions_per_module" in response.json()
    else:
        assert len(response.json()["sessions"]) == 28


# --- regressions found in review (issue 7 folded them in here) ---


@pytest.mark.usefixtures("on_24_november_2026")
def test_a_date_beyond_the_calendar_is_a_400_not_a_500(area, tm, api):
    """A start or new date so far ahead that the calendar overflows (year 9999) is bad input, not a crash."""
    client = api(tm)
    preview = client.post(
        "/api/v1/schedule/preview/",
        {
            "programme": "isotp",
            "format": "group",
            "start_date": "9999-12-20",
            "slots": [{"weekday": "monday", "start_time": "10:00"}],
        },
        format="json",
    )
    assert preview.status_code == 400 and "start_date" in preview.data
    session = make_group(area, actor=tm).sessions.get(number=1)
    moved = client.post(
        f"/api/v1/sessions/{session.public_id}/reschedule/",
        {"new_date": "9999-12-31", "cascade": True},
        format="json",
    )
    assert moved.status_code == 400 and "new_date" in moved.data


def test_an_offender_manager_reads_memberships_of_their_own_caseload_only(api, tm, om, area):
    """Issue 7: an OM reads the membership of someone on their caseload; another OM's caseload is not found (404),
    as is another area's (the URL matrix)."""
    from tests.factories import UserFactory

    group = make_group(area, actor=tm)
    mine = services.allocate(actor=tm, group=group, referral=waiting_referral(area, om))
    colleague = UserFactory(area=area, role="offender_manager")
    theirs = services.allocate(actor=tm, group=group, referral=waiting_referral(area, colleague))
    client = api(om)
    own = client.get(reverse("api-membership-detail", args=[mine.public_id]))
    assert own.status_code == 200 and own.json()["person"]["crn"] == mine.referral.person.crn
    assert client.get(reverse("api-membership-detail", args=[theirs.public_id])).status_code == 404
    assert client.delete(reverse("api-membership-detail", args=[mine.public_id]), {}).status_code == 403


# --- the API lists' lean reads answer as the full selectors (issue 11) ---------------------------------------


def _same_json(response, expected) -> None:
    import json

    from rest_framework.renderers import JSONRenderer

    assert response.status_code == 200, response.content
    assert response.json()["results"] == json.loads(JSONRenderer().render(expected))


def test_group_lists_answer_as_the_full_selectors(api, tm, area, django_assert_max_num_queries):
    """The group list and a group's members read only the columns they show (`group_list_for_user`,
    `member_list_for_group`, the group by `group_in_reach`): the same answer as the serializers give the full
    selectors' rows, for a completed group closed by a TM and a member who must restart (the missed session's id,
    joined: no query a row), read by the TM and by a facilitator of the group."""
    from sessions.selectors.groups import groups_for_list, members_for_group
    from sessions.serializers import GroupOutput, MembershipOutput

    first, second, third = _groups(area, tm, 3)
    delivering = first.facilitators.first()  # theirs: the first group only
    for group in (first, second):
        for _ in range(3):
            services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    ProgrammeGroup.objects.filter(pk=third.pk).update(
        status="completed",
        completed_on=dt.date(2027, 3, 1),
        completed_by=tm,
        completion_reason="Closed by hand",
    )
    missed = first.sessions.order_by("number").first()
    restarted = Membership.objects.filter(group=first).order_by("pk")[1]
    Membership.objects.filter(pk=restarted.pk).update(
        status=MembershipStatus.RESTART_REQUIRED, left_on=restarted.joined_on, restart_session=missed
    )
    for user, groups in ((tm, (first, second)), (delivering, (first,))):
        client = api(user)
        _same_json(client.get(reverse("api-group-list")), GroupOutput(groups_for_list(user), many=True).data)
        for group in groups:
            url = reverse("api-group-membership-list", args=[group.public_id])
            with django_assert_max_num_queries(6):
                response = client.get(url)
            _same_json(response, MembershipOutput(members_for_group(group), many=True).data)
        members = client.get(reverse("api-group-membership-list", args=[first.public_id])).json()["results"]
        assert [m["restart_session"] for m in members if m["restart_session"]] == [str(missed.public_id)]


def test_plan_list_answers_as_the_full_selector(api, tm, area, facilitator):
    """The plan list reads only the columns it shows (`plan_list_for_user`; its staff in one query,
    `with_plan_staff`): the same answer as the serializer gives `plans_for_list`'s plans, a completed one closed by
    a TM among them, for the TM and for the facilitator of some."""
    from sessions.models import OneToOnePlan
    from sessions.selectors.plans import plans_for_list
    from sessions.serializers import PlanOutput

    plans = [
        make_plan(area, actor=tm, facilitator=facilitator if index % 2 else None,
                  start_date=dt.date(2027, 1, 5) + dt.timedelta(weeks=index))
        for index in range(3)
    ]  # fmt: skip
    OneToOnePlan.objects.filter(pk=plans[1].pk).update(
        status="completed",
        completed_on=dt.date(2027, 3, 2),
        completed_by=tm,
        completion_reason="Closed by hand",
    )
    for user in (tm, facilitator):
        _same_json(api(user).get(reverse("api-plan-list")), PlanOutput(plans_for_list(user), many=True).data)
        _same_json(
            api(user).get(reverse("api-plan-list"), {"status": "completed"}),
            PlanOutput(plans_for_list(user).filter(status="completed"), many=True).data,
        )
