"""Completing groups and one-to-one plans (sessions.services.completion): the last register, the nightly task, the
treatment manager's close (page and API), and what follows on the pages. The i-SOTP group meets on Mondays from
4 January 2027 (35 sessions); earlier registers are written straight to the tables to keep the tests short."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from isotp.errors import DomainConflict
from notifications.models import Notification
from reports.selectors import memberships_ready_for_report
from sessions import services
from sessions.models import (
    Attendance,
    GroupStatus,
    Membership,
    MembershipStatus,
    PlanStatus,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import format_date
from sessions.services import RegisterEntry
from sessions.tasks import complete_finished_programmes
from tests.pages import error_summary, page_text
from tests.sessions.attendance_helpers import allocate_member, book, move_to, session_number
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db


def delivered(owner, members, up_to: int, *, skip: tuple[int, ...] = (), recorder) -> None:
    """Registers of sessions 1..up_to (but `skip`) taken earlier: everyone attended."""
    field = "group" if hasattr(owner, "capacity") else "plan"
    sessions = list(
        ScheduledSession.objects.filter(**{field: owner}, number__lte=up_to)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .exclude(number__in=skip)
    )
    Attendance.objects.bulk_create(
        Attendance(membership=m, session=s, outcome="attended", recorded_by=recorder)
        for m in members
        for s in sessions
    )
    ScheduledSession.objects.filter(pk__in=[s.pk for s in sessions]).update(status=SessionStatus.DELIVERED)


def last_session(owner):
    return owner.sessions.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER).order_by("-number").first()


def take(facilitator, session, *entries):
    return services.take_register(
        actor=facilitator,
        session=session,
        entries=[RegisterEntry(membership=m, outcome=outcome) for m, outcome in entries],
    )


# --- the last register ------------------------------------------------------------------------------------------


def test_the_last_register_completes_the_group_in_its_transaction(group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 34, recorder=facilitator)
    last = last_session(group)
    move_to(time_machine, last.date)
    take(facilitator, last, (member, "attended"))
    group.refresh_from_db()
    assert (group.status, group.completed_on, group.completed_by) == ("completed", last.date, None)
    assert group.completion_reason == (
        f"Every session has been delivered or cancelled: the last, session 35, was on {format_date(last.date)}."
    )
    event = AuditEvent.objects.get(action="group.completed", object_id=str(group.public_id))
    assert event.actor == facilitator and event.reason == group.completion_reason
    assert event.changes["status"] == {"from": "running", "to": "completed"}
    assert Notification.objects.filter(recipient=tm, subject="A group has completed").count() == 1
    member.refresh_from_db()
    assert member.status == MembershipStatus.SESSIONS_COMPLETE  # the member's own rule, untouched


@pytest.mark.parametrize(
    ("recorded", "then", "status"),
    [
        (33, 34, GroupStatus.RUNNING),  # session 35 is still scheduled
        (35, None, GroupStatus.COMPLETED),  # every register in: the last one completed it
    ],
)
def test_a_session_still_scheduled_keeps_the_group_running(
    group, tm, om, facilitator, time_machine, recorded, then, status
):
    member = allocate_member(group, tm, om)
    delivered(group, [member], recorded - 1, recorder=facilitator)
    target = session_number(group, then or recorded)
    move_to(time_machine, target.date)
    take(facilitator, target, (member, "attended"))
    group.refresh_from_db()
    assert group.status == status


@pytest.mark.parametrize(
    ("moved_by", "recorded", "asked", "status"),
    [
        (
            -1,
            False,
            True,
            GroupStatus.RUNNING,
        ),  # yesterday, no register: asked, it refuses (REGISTERS_MISSING)
        (0, False, False, GroupStatus.RUNNING),  # today, no register yet: still to come, not asked
        (1, False, False, GroupStatus.RUNNING),  # tomorrow: still to come, not asked
        (
            0,
            True,
            True,
            GroupStatus.COMPLETED,
        ),  # today, its register already taken: the last one completes it
    ],
)
def test_the_completion_rule_is_asked_unless_a_session_is_still_to_come(
    group, tm, om, facilitator, time_machine, monkeypatch, moved_by, recorded, asked, status
):
    """Session 35 moved to the day before, the day of, or the day after session 34, whose register is taken on
    its day: the register's own session is recorded (the members' records were read before the write), and the
    completion rule is not asked while another session is still to come as the rule counts it."""
    from sessions.services import attendance

    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return complete_if_over(**kwargs)

    complete_if_over = attendance.complete_if_over
    monkeypatch.setattr(attendance, "complete_if_over", spy)
    member = allocate_member(group, tm, om)
    target = session_number(group, 34)
    ScheduledSession.objects.filter(group=group, number=35).update(
        date=target.date + dt.timedelta(days=moved_by)
    )
    delivered(group, [member], 35 if recorded else 33, skip=(34,), recorder=facilitator)
    move_to(time_machine, target.date)
    take(facilitator, target, (member, "attended"))
    group.refresh_from_db()
    assert (bool(calls), group.status) == (asked, status)


def test_a_register_taken_late_completes_the_group_when_it_is_the_last_missing(
    group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 35, skip=(20,), recorder=facilitator)
    move_to(time_machine, last_session(group).date + dt.timedelta(days=3))
    take(facilitator, session_number(group, 20), (member, "attended"))
    group.refresh_from_db()
    assert group.status == "completed" and group.completed_on == last_session(group).date


def test_a_cancelled_last_session_is_not_waited_for_its_replacement_is(
    group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    original = session_number(group, 35)
    move_to(time_machine, session_number(group, 34).date, hour=10)
    replacement = services.cancel_session_by_provider(actor=tm, session=original, reason="Venue flooded")
    delivered(group, [member], 34, recorder=facilitator)
    move_to(time_machine, replacement.date)
    take(facilitator, replacement, (member, "attended"))
    group.refresh_from_db()
    assert group.status == "completed" and group.completed_on == replacement.date > original.date
    original.refresh_from_db()
    assert original.status == SessionStatus.CANCELLED_BY_PROVIDER


def test_a_member_with_a_catch_up_to_attend_stays_on_the_programme(group, tm, om, facilitator, time_machine):
    done, behind = allocate_member(group, tm, om), allocate_member(group, tm, om)
    delivered(group, [done, behind], 34, recorder=facilitator)
    last = last_session(group)
    move_to(time_machine, last.date)
    take(facilitator, last, (done, "attended"), (behind, "acceptable_absence"))
    group.refresh_from_db()
    behind.refresh_from_db()
    assert group.status == "completed"
    assert behind.status == MembershipStatus.ACTIVE  # not completed, not ended: he has a session to catch up
    assert (
        "1 member still has a missed session to catch up and stays on the programme"
        in group.completion_reason
    )
    # The catch-up is booked and attended after the group ended: his own sessions are then complete.
    move_to(time_machine, last.date + dt.timedelta(days=2))
    book(facilitator, behind, last)
    behind.refresh_from_db()
    assert behind.status == MembershipStatus.SESSIONS_COMPLETE
    # Reports: both members of the completed group are ready for one.
    ready = set(memberships_ready_for_report(facilitator).values_list("pk", flat=True))
    assert {done.pk, behind.pk} <= ready


def test_the_last_register_of_a_one_to_one_plan_completes_it(area, tm, time_machine):
    facilitator = trained_facilitator(area)
    plan = make_plan(area, actor=tm, facilitator=facilitator)
    member = Membership.objects.get(plan=plan)
    delivered(plan, [member], plan.total_sessions - 1, recorder=facilitator)
    last = last_session(plan)
    move_to(time_machine, last.date)
    take(facilitator, last, (member, "attended"))
    plan.refresh_from_db()
    assert (plan.status, plan.completed_on) == (PlanStatus.COMPLETED, last.date)
    assert AuditEvent.objects.filter(action="plan.completed", object_id=str(plan.public_id)).exists()


def test_a_completed_group_s_sessions_no_longer_move(group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 35, recorder=facilitator)
    services.complete_finished(today=last_session(group).date + dt.timedelta(days=1))
    with pytest.raises(DomainConflict) as refused:
        services.reschedule_session(
            actor=tm, session=session_number(group, 35), new_date=dt.date(2027, 9, 20), cascade=False
        )
    assert refused.value.code == "OWNER_COMPLETED"
    with pytest.raises(DomainConflict) as refused:
        services.allocate(actor=tm, group=group, referral=waiting_referral(group.area))
    assert refused.value.code == "GROUP_NOT_OPEN"


# --- rolling groups and the nightly task ------------------------------------------------------------------------


def test_a_rolling_group_ends_with_its_schedule_not_when_its_members_finish(area, tm, om, time_machine):
    """N-SOGP Core Group (002: rolling, members join at block boundaries): nobody left on it does not end it;
    the nightly task completes it once its last session has passed with every register taken."""
    facilitators = [trained_facilitator(area), trained_facilitator(area)]
    core = make_group(
        area,
        actor=tm,
        programme_code="nsogp_core_group",
        facilitators=facilitators,
        slots=[{"weekday": "wednesday", "start_time": "10:00"}],
        start_date=dt.date(2027, 1, 6),
    )
    member = services.allocate(
        actor=tm, group=core, referral=waiting_referral(area, om, programme="nsogp", format="group")
    )
    delivered(core, [member], 8, recorder=facilitators[0])  # block 1
    move_to(time_machine, session_number(core, 8).date, hour=20)
    services.remove_member(
        actor=tm, membership=member, reason="Moved to another area", next_status="awaiting_allocation"
    )
    last = last_session(core)
    assert complete_finished_programmes.apply(kwargs={}).get() == 0  # sessions still to come
    with pytest.raises(DomainConflict) as refused:
        services.close_group(actor=tm, group=core)
    assert refused.value.code == "SESSIONS_TO_COME" and refused.value.extra["sessions"][0] == 9
    core.refresh_from_db()
    assert core.status != GroupStatus.COMPLETED
    move_to(time_machine, last.date + dt.timedelta(days=1), hour=2)
    assert complete_finished_programmes.apply().get() == 1
    assert complete_finished_programmes.apply().get() == 0  # safe to run twice
    core.refresh_from_db()
    assert (core.status, core.completed_on) == ("completed", session_number(core, 8).date)
    event = AuditEvent.objects.get(action="group.completed", object_id=str(core.public_id))
    assert event.actor is None


def test_the_nightly_task_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["complete-finished-programmes"]
    assert entry["task"] == complete_finished_programmes.name == "sessions.tasks.complete_finished_programmes"


def test_the_nightly_task_leaves_a_group_with_a_register_missing(group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 35, skip=(35,), recorder=facilitator)
    move_to(time_machine, last_session(group).date + dt.timedelta(days=1), hour=2)
    assert complete_finished_programmes.apply().get() == 0
    group.refresh_from_db()
    assert group.status != GroupStatus.COMPLETED


# --- the treatment manager closes: API ----------------------------------------------------------------------------
# The close endpoints' statuses, codes and bodies are a contract: each is checked for a group and a plan alike.


class Closing(NamedTuple):
    kind: str  # "group" or "plan"
    owner: Any
    member: Membership

    @property
    def url(self) -> str:
        return reverse(f"api-{self.kind}-close", args=[self.owner.public_id])


@pytest.fixture(params=["group", "plan"])
def closing(request, area, tm, om, facilitator) -> Closing:
    """A group, or a one-to-one plan, with one member: the close endpoints answer alike."""
    if request.param == "group":
        group = request.getfixturevalue("group")
        return Closing("group", group, allocate_member(group, tm, om))
    plan = make_plan(area, actor=tm, facilitator=facilitator)
    return Closing("plan", plan, Membership.objects.get(plan=plan))


def test_the_api_refuses_while_sessions_are_still_to_come(api, tm, closing, time_machine):
    move_to(time_machine, dt.date(2026, 12, 1))  # before the first session
    response = api(tm).post(closing.url, {}, format="json")
    assert response.status_code == 409
    total = closing.owner.sessions.count()
    named = ", ".join(
        f"session {n} on {format_date(session_number(closing.owner, n).date)}" for n in (1, 2, 3)
    )
    assert response.json() == {
        "code": "SESSIONS_TO_COME",
        "detail": f"{total} sessions are still to be delivered ({named} and {total - 3} more): "
        f"the {closing.kind} is completed once its last session's register is taken.",
        "sessions": list(range(1, total + 1)),
    }


def test_the_api_refuses_to_close_with_registers_missing_naming_them(
    api, tm, facilitator, closing, time_machine
):
    owner = closing.owner
    delivered(owner, [closing.member], owner.sessions.count(), skip=(20, 21), recorder=facilitator)
    move_to(time_machine, last_session(owner).date + dt.timedelta(days=1))
    response = api(tm).post(closing.url, {}, format="json")
    assert response.status_code == 409
    s20, s21 = (format_date(session_number(owner, n).date) for n in (20, 21))
    assert response.json() == {
        "code": "REGISTERS_MISSING",
        "detail": f"The registers of session 20 on {s20} and session 21 on {s21} have not been taken: "
        "take them first.",
        "sessions": [20, 21],
    }


def test_a_treatment_manager_closes_a_finished_group_or_plan_through_the_api(
    api, tm, facilitator, closing, time_machine
):
    owner = closing.owner
    delivered(owner, [closing.member], owner.sessions.count(), recorder=facilitator)
    move_to(time_machine, last_session(owner).date + dt.timedelta(days=1), hour=9)
    response = api(tm).post(closing.url, {"reason": "Programme delivered in full"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    detail = reverse(f"api-{closing.kind}-detail", args=[owner.public_id])
    assert body == api(tm).get(detail).json()  # the group's or plan's own answer, its annotations included
    assert body["status"] == "completed" and body["completed_on"] == last_session(owner).date.isoformat()
    assert body["completed_by"]["id"] == str(tm.public_id)
    assert body["completion_reason"].startswith(
        "Programme delivered in full (Every session has been delivered"
    )
    again = api(tm).post(closing.url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_COMPLETED"


@pytest.mark.parametrize("who", ["facilitator", "om", "area_admin"])
def test_only_a_treatment_manager_closes(api, closing, who, request):
    response = api(request.getfixturevalue(who)).post(closing.url, {}, format="json")
    assert response.status_code == 403


def test_another_area_s_group_or_plan_is_not_found(api, closing, other_tm):
    response = api(other_tm).post(closing.url, {}, format="json")
    assert response.status_code == 404


# --- pages --------------------------------------------------------------------------------------------------------


def test_the_close_page_says_what_is_missing_and_closes_once_it_is_over(
    login, group, tm, om, facilitator, time_machine
):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 35, skip=(35,), recorder=facilitator)
    move_to(time_machine, last_session(group).date + dt.timedelta(days=1), hour=9)
    client = login(tm)
    detail = reverse("programme_sessions:group_detail", args=[group.public_id])
    close = reverse("programme_sessions:group_close", args=[group.public_id])
    assert "Close the group as completed" not in page_text(client.get(detail))
    summary = error_summary(client.get(close))
    when = format_date(last_session(group).date)
    assert f"The register of session 35 on {when} has not been taken" in summary
    delivered(group, [member], 35, skip=tuple(range(1, 35)), recorder=facilitator)
    assert "Close the group as completed" in page_text(client.get(detail))
    response = client.post(close, {"reason": ""})
    assert response.status_code == 302 and response["Location"] == detail
    group.refresh_from_db()
    assert group.status == "completed" and group.completed_by == tm


def test_a_completed_group_s_page_list_and_actions(login, group, tm, om, facilitator, time_machine):
    member = allocate_member(group, tm, om)
    delivered(group, [member], 34, recorder=facilitator)
    last = last_session(group)
    move_to(time_machine, last.date)
    take(facilitator, last, (member, "attended"))
    client = login(tm)
    page = page_text(client.get(reverse("programme_sessions:group_detail", args=[group.public_id])))
    assert f"Completed</strong> on {format_date(last.date)}" in page
    assert "Completed when its last register was taken." in page
    assert "Allocate from the waiting list" not in page and "Reschedule" not in page and "Remove" not in page
    assert member.referral.person.full_name in page and "Sessions complete" in page  # ended members shown
    groups = reverse("programme_sessions:group_list")
    assert group.reference not in page_text(client.get(groups))  # current groups only by default
    listed = page_text(client.get(groups, {"status": "completed"}))
    assert group.reference in listed and f"on {last.date.day} {last.date:%B %Y}" in listed
    assert client.get(reverse("programme_sessions:group_close", args=[group.public_id])).status_code == 200


def test_a_completed_plan_s_page_says_so(login, area, tm, time_machine):
    facilitator = trained_facilitator(area)
    plan = make_plan(area, actor=tm, facilitator=facilitator)
    member = Membership.objects.get(plan=plan)
    delivered(plan, [member], plan.total_sessions, recorder=facilitator)
    move_to(time_machine, last_session(plan).date + dt.timedelta(days=1), hour=9)
    client = login(tm)
    detail = reverse("programme_sessions:plan_detail", args=[plan.public_id])
    assert "Close the plan as completed" in page_text(client.get(detail))
    assert client.post(reverse("programme_sessions:plan_close", args=[plan.public_id])).status_code == 302
    page = page_text(client.get(detail))
    assert "Completed</strong> on" in page and f"Closed by {tm.full_name}" in page


@pytest.mark.parametrize("who", ["facilitator", "om"])
def test_the_close_page_is_for_treatment_managers_only(login, group, who, request):
    client = login(request.getfixturevalue(who))
    url = reverse("programme_sessions:group_close", args=[group.public_id])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url).status_code in (403, 404)
    group.refresh_from_db()
    assert group.status == GroupStatus.PLANNED
