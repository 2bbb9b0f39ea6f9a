"""The stored state the "members ready for a report" panel reads (issue 11): each membership's `delivery_area`
(its group's or plan's area) and `reported` (a report exists), with the partial index `membership_report_due_idx`
of the memberships with no report. Every path that creates a membership or a report, or moves a person between
areas, keeps it right; after a realistic sequence the stored state equals the truth computed from the tables, and
the panel answers exactly what the query over the area's whole history answered before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Exists, OuterRef, Q

from isotp import clock
from reports import services
from reports.models import PostProgrammeReport
from reports.selectors import memberships_ready_for_report
from sessions import services as delivery
from sessions.models import Attendance, Membership, ScheduledSession, SessionStatus
from sessions.selectors.groups import memberships_delivered_in_area
from tests.dataprotection.test_erasure_leaves_nothing import report_storage  # noqa: F401  (a fixture)
from tests.reports.factories import quick_membership, quick_report
from tests.sessions.factories import make_group, make_plan, tm_of, trained_facilitator, waiting_referral
from tests.sessions.test_query_plans import _plan

pytestmark = pytest.mark.django_db


def _truth() -> dict[int, tuple[int, bool]]:
    """What the state must be, computed from the tables: the owner's area, and whether a report exists."""
    return {
        m.pk: ((m.group or m.plan).area_id, PostProgrammeReport.objects.filter(membership=m).exists())  # type: ignore[union-attr]
        for m in Membership.objects.select_related("group", "plan")
    }


def _stored() -> dict[int, tuple[int, bool]]:
    return {
        pk: (area, reported)
        for pk, area, reported in Membership.objects.values_list("pk", "delivery_area_id", "reported")
    }


def _ready_over_the_whole_history(user: Any) -> list[int]:
    """The panel's answer as it was computed before the stored state: every membership of the area's groups and
    plans, with the report, attendance and remaining sessions checked per membership."""
    today = clock.today()
    later = ScheduledSession.objects.filter(date__gt=today).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    remaining = Exists(later.filter(group_id=OuterRef("group_id"))) | Exists(
        later.filter(plan_id=OuterRef("plan_id"))
    )
    started = Attendance.objects.filter(membership=OuterRef("pk"))
    reported = PostProgrammeReport.objects.filter(membership=OuterRef("pk"))
    return list(
        memberships_delivered_in_area(user)
        .filter(~Exists(reported))
        .filter(
            Q(status__in=["sessions_complete", "completed"])
            | (Q(status="active") & ~remaining)
            | (Q(status__in=["removed", "restart_required"]) & Exists(started))
        )
        .order_by("left_on", "joined_on", "id")
        .values_list("pk", flat=True)
    )


def _ready(user: Any) -> list[int]:
    return list(memberships_ready_for_report(user).values_list("pk", flat=True))


def test_allocation_to_a_group_and_a_plan_stores_the_owner_area_and_no_report(area, personas, other_area):
    membership = quick_membership(area, personas)
    plan = make_plan(area, actor=personas["treatment_manager"], facilitator=personas["facilitator"])
    on_plan = Membership.objects.get(plan=plan)
    elsewhere = delivery.allocate(
        actor=tm_of(other_area), group=make_group(other_area), referral=waiting_referral(other_area)
    )
    for m, owner_area in ((membership, area), (on_plan, area), (elsewhere, other_area)):
        m.refresh_from_db()
        assert (m.delivery_area_id, m.reported) == (owner_area.pk, False)
    assert _stored() == _truth()


def test_opening_a_report_marks_the_membership_reported_in_the_same_write(area, personas):
    membership = quick_membership(area, personas, finished=True)
    assert _ready(personas["treatment_manager"]) == [membership.pk]
    report = services.open_report(actor=personas["facilitator"], membership=membership)
    membership.refresh_from_db()
    assert membership.reported is True
    # Opening it again returns the same report and changes nothing.
    assert services.open_report(actor=personas["treatment_manager"], membership=membership) == report
    assert _stored() == _truth()
    assert _ready(personas["treatment_manager"]) == []


def test_a_refused_report_leaves_the_membership_unreported(area, personas):
    from isotp.errors import DomainConflict

    membership = quick_membership(area, personas)  # sessions still to come
    with pytest.raises(DomainConflict):
        services.open_report(actor=personas["facilitator"], membership=membership)
    membership.refresh_from_db()
    assert membership.reported is False
    assert _stored() == _truth()


def test_a_transfer_keeps_the_state_and_the_panel_as_before(area, personas, other_area, other_om):
    """A person removed before starting goes back to the waiting list and is transferred: the membership stays
    the old group's (its area is the group's), and neither area's panel changes from what it was."""
    from transfers import services as transfers

    tm = personas["treatment_manager"]
    membership = quick_membership(area, personas)
    delivery.remove_member(
        actor=tm, membership=membership, reason="Moving away", next_status="awaiting_allocation"
    )
    ready_before = _ready(tm)
    their_tm = tm_of(other_area)
    person = membership.referral.person
    transfer = transfers.request_transfer(
        actor=their_tm, crn=person.crn, offender_manager=other_om, reason="Moved to the other area"
    )
    transfers.approve_transfer(actor=tm, transfer=transfer)
    membership.refresh_from_db()
    assert membership.referral.area_id == other_area.pk and membership.delivery_area_id == area.pk
    assert _stored() == _truth()
    assert _ready(tm) == ready_before == _ready_over_the_whole_history(tm)
    assert _ready(their_tm) == _ready_over_the_whole_history(their_tm) == []


@pytest.mark.usefixtures("report_storage")
def test_erasure_keeps_the_report_and_the_state(area, personas, other_area, other_om):
    """Retention erases the report's writing, never the report: the membership stays reported."""
    from django.test import TestCase

    from dataprotection.services.retention import erase_personal_data, refresh_candidates
    from tests.dataprotection.test_erasure_leaves_nothing import _rich_person

    person, _files = _rich_person(area, personas, other_area, other_om)
    assert _stored() == _truth()
    refresh_candidates()
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_personal_data(actor=personas["area_admin"], person=person)
    assert PostProgrammeReport.objects.filter(referral__person=person).exists()
    assert _stored() == _truth()
    assert all(
        reported
        for _area, reported in Membership.objects.filter(referral__person=person).values_list(
            "delivery_area", "reported"
        )
    )


def test_after_a_realistic_sequence_the_stored_state_is_the_truth_and_the_panel_is_unchanged(
    area, personas, other_area
):
    tm, facilitator = personas["treatment_manager"], personas["facilitator"]
    finished = [quick_membership(area, personas, finished=True) for _ in range(3)]
    going = quick_membership(area, personas)
    left_after_starting = quick_membership(area, personas, finished=True)
    Membership.objects.filter(pk=left_after_starting.pk).update(status="removed")
    left_before_starting = quick_membership(area, personas)
    delivery.remove_member(
        actor=tm, membership=left_before_starting, reason="Moved away", next_status="awaiting_allocation"
    )
    plan = make_plan(area, actor=tm, facilitator=facilitator)
    # Another facilitator's group, and another area's members.
    others = delivery.allocate(
        actor=tm,
        group=make_group(area, actor=tm, facilitators=[trained_facilitator(area), trained_facilitator(area)]),
        referral=waiting_referral(area),
    )
    Membership.objects.filter(pk=others.pk).update(status="sessions_complete")
    other_tm = tm_of(other_area)
    delivery.allocate(
        actor=other_tm, group=make_group(other_area, actor=other_tm), referral=waiting_referral(other_area)
    )
    # Reports opened for some, through the service (as the pages and the API do).
    services.open_report(actor=facilitator, membership=finished[0])
    services.open_report(actor=tm, membership=left_after_starting)

    assert _stored() == _truth()
    for user in (tm, facilitator, other_tm):
        assert _ready(user) == _ready_over_the_whole_history(user)
    assert set(_ready(tm)) == {finished[1].pk, finished[2].pk, others.pk}
    assert set(_ready(facilitator)) == {finished[1].pk, finished[2].pk}
    assert going.pk not in _ready(tm) and Membership.objects.get(plan=plan).pk not in _ready(tm)


def test_the_panel_reads_the_partial_index_of_memberships_with_no_report(area, personas):
    """With sequential scans priced out, the panel's query finds the area's candidates by
    `membership_report_due_idx`: the memberships with a report (the area's history) are not in it."""
    quick_membership(area, personas, finished=True)
    for user in (personas["treatment_manager"], personas["facilitator"]):
        plan = _plan(memberships_ready_for_report(user)[:50])
        assert "membership_report_due_idx" in plan, plan


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize("role", ["treatment_manager", "facilitator"])
def test_the_reports_page_and_its_ready_panel_cost_the_same_queries_at_two_sizes(
    login, area, personas, rows, role, django_assert_max_num_queries
):
    """The list (with its programmes and versions) and the ready panel: a fixed number of queries whatever the
    number of reports and of members ready for one."""
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
        quick_membership(area, personas, finished=True)
    # A plan of the facilitator's, in a week of its own: the groups above take the facilitator's next free weekly
    # slot (a counter shared by the whole test process), which could be the plan's Tuesday morning.
    make_plan(
        area,
        actor=personas["treatment_manager"],
        facilitator=personas["facilitator"],
        slots=[{"weekday": "tuesday", "start_time": "07:00"}],
    )
    client = login(personas[role])
    with django_assert_max_num_queries(15):
        response = client.get("/reports/")
    assert response.status_code == 200
    assert response.content.decode().count("Start the report<span") == rows
    if role == "facilitator":
        with django_assert_max_num_queries(10):
            listing = client.get("/needs-attention/reports-to-draft/")
        assert listing.status_code == 200
        assert listing.content.decode().count("Start it from the reports list") == rows
