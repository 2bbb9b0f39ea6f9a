"""The load data set generator (issue 11) at a tiny scale: counts, the models' own rules, determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from accounts.models import ProbationArea, Role, User
from assessments.models import Administration, Battery, BatteryVersion, ScaleScore
from audit.models import AccessLog, AuditEvent
from isotp.loadgen import BASE_COUNTS, Context, area_counts, counts_for
from isotp.management.commands.generate_load_data import generate
from notifications.models import Notification
from quality.models import Reoffence, SessionRecording, SupervisionRecord
from referrals.load_data import WAITING_STATUSES
from referrals.models import Person, Referral, ReferralStatusChange
from reports.models import PostProgrammeReport, ReportVersion
from sessions.models import (
    Attendance,
    CatchUp,
    Membership,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionFacilitator,
)
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db
SCALE = 0.02  # some areas with two groups (one running, one completed), the rest at the per-area minimums
TODAY = dt.date(2026, 11, 30)


def _context(seed: int = 7) -> Context:
    return Context(
        scale=SCALE,
        seed=seed,
        today=TODAY,
        rng=random.Random(seed),
        counts=counts_for(SCALE),
        log=lambda _: None,
    )


def _digest(labels: list[str]) -> str:
    """Every generated row's values (surrogate keys of sequence-numbered tables aside), in key order."""
    h = hashlib.sha256()
    for label in sorted(labels):
        model = apps.get_model(label)
        names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        for row in model.objects.order_by("pk").values_list(*names):
            h.update(repr(row).encode())
    return h.hexdigest()


def test_the_counts_follow_the_scale():
    ctx = _context()
    generate(ctx)
    counts = counts_for(SCALE)
    # The 42 areas at every scale, each with its share, at least the per-area minimum.
    assert ProbationArea.objects.count() == counts["areas"] == 42
    assert Person.objects.count() == counts["people"] == 2_000
    assert ProgrammeGroup.objects.count() == counts["groups"] == 64
    assert OneToOnePlan.objects.count() == counts["plans"] == 42
    for role in Role.values:
        assert User.objects.filter(role=role).count() == counts[role]
        for area in ProbationArea.objects.all():
            assert User.objects.filter(role=role, area=area).exists()
    assert counts["referrals"] - 10 <= Referral.objects.count() <= counts["referrals"]
    # Every waiting status in every area, and members who completed, were deselected or must restart.
    for area in ProbationArea.objects.all():
        statuses = set(Referral.objects.filter(area=area).values_list("status", flat=True))
        assert {s for s, _ in WAITING_STATUSES} <= statuses
    assert {"completed", "deselected", "restart_required"} <= set(
        Referral.objects.values_list("status", flat=True)
    )
    # A referral's history ends where the referral is.
    for referral in Referral.objects.all()[:50]:
        assert ReferralStatusChange.objects.filter(referral=referral).order_by(
            "at", "id"
        ).last().to_status == (referral.status)
    assert Attendance.objects.count() > 0
    # Attendance only for delivered sessions and for members who had not left.
    assert not Attendance.objects.exclude(session__status="delivered").exists()
    assert not Attendance.objects.filter(membership__left_on__lt=dt.date(1, 1, 1)).exists()
    # domain.md §6: every missed session was caught up (attended), so no later attendance would be refused.
    missed = Attendance.objects.exclude(outcome__in=["attended", "late"])
    assert missed.exists()
    for attendance in missed:
        assert CatchUp.objects.filter(
            membership=attendance.membership_id, missed_session=attendance.session_id, outcome="attended"
        ).exists()
    for attendance in Attendance.objects.select_related("membership", "session")[:200]:
        left = attendance.membership.left_on
        assert left is None or attendance.session.date <= left


def test_the_later_capabilities_have_their_rows():
    """Psychometrics, reports, notifications, QA, transfers and the audit trail, consistent with the members."""
    ctx = _context()
    generate(ctx)
    started = Membership.objects.filter(joined_on__lte=TODAY)
    # Every member who started was assessed before the programme, and after it once completed (same version).
    assert Administration.objects.filter(kind="pre").count() == started.count() > 0
    for post in Administration.objects.filter(kind="post").select_related("membership"):
        pre = Administration.objects.get(membership=post.membership_id, kind="pre")
        assert post.membership.status == "completed"
        assert post.battery_version_id == pre.battery_version_id
        assert pre.administered_on <= post.membership.joined_on < post.administered_on
    assert Administration.objects.filter(kind="post").exists()
    scales = len(BatteryVersion.objects.first().definition["scales"])
    assert ScaleScore.objects.count() == scales * Administration.objects.count()
    assert Battery.objects.count() == ProbationArea.objects.count()
    # Reports only for members who completed or left (removed, or to restart: an exit report); an issued report
    # has one current version.
    reports = PostProgrammeReport.objects.all()
    assert reports.filter(status="issued").exists()
    assert not reports.exclude(membership__status__in=["completed", "removed", "restart_required"]).exists()
    # The reports panel's stored state (issue 11) is the truth: each membership's group's or plan's area, and
    # `reported` exactly when it has a report.
    for m in Membership.objects.select_related("group", "plan"):
        assert m.delivery_area_id == (m.group or m.plan).area_id
        assert m.reported == reports.filter(membership=m).exists()
    # Each session's stored area is its group's or plan's (the area's session lists read it, issue 11).
    assert not ScheduledSession.objects.exclude(
        delivery_area_id=Coalesce("group__area_id", "plan__area_id")
    ).exists()
    for report in reports.filter(status="issued"):
        assert report.versions.filter(superseded_at__isnull=True).count() == 1
        assert report.approved_by_id != report.drafted_by_id
    assert not ReportVersion.objects.exclude(report__status="issued").exists()
    assert Notification.objects.count() == 3 * counts_for(SCALE)["referrals"]
    assert not Notification.objects.exclude(recipient__area=F("area")).exists()
    transfers = TransferRequest.objects.all()
    assert transfers.exists()
    assert not transfers.filter(status="approved").exclude(person__area=F("to_area")).exists()
    assert not transfers.exclude(status="approved").exclude(person__area=F("from_area")).exists()
    assert SessionRecording.objects.exists() and SupervisionRecord.objects.exists()
    assert not SessionRecording.objects.exclude(session__status="delivered").exists()
    assert Reoffence.objects.exists()
    assert AuditEvent.objects.count() == 5 * Referral.objects.count()
    assert AccessLog.objects.count() == 3 * Person.objects.count()
    assert not AuditEvent.objects.filter(at__date__gt=TODAY).exists()


def test_the_counts_at_scale_1_are_the_issues_and_an_area_shrinks_in_proportion():
    """42 areas, 100,000 people, 60,000 referrals, 4,000 groups and plans, 100 staff an area at scale 1; the
    measured (busiest) area holds 100 times more at a scale than at a hundredth of it, down to the minimums."""
    national = counts_for(1)
    assert national["areas"] == 42
    assert {k: national[k] for k in ("people", "referrals", "groups", "plans")} == {
        "people": 100_000,
        "referrals": 60_000,
        "groups": 3_200,
        "plans": 800,
    }
    assert national["staff"] == 4_200
    assert national == {"areas": 42, "staff": 4_200, **BASE_COUNTS}
    big, small = area_counts(1)[0], area_counts(0.01)[0]
    assert 95 <= big["people"] / small["people"] <= 101
    # Referrals: the small area still fills its one group and plan and shows every waiting status (20 at least).
    assert 70 <= big["referrals"] / small["referrals"] <= 101
    for key in ("area_admin", "treatment_manager", "offender_manager", "groups", "plans"):
        assert small[key] == 1
    assert big["groups"] == 77 and big["offender_manager"] == 68 and big["facilitator"] == 24
    # Enough facilitators for the lanes (two a group lane, one a plan lane) at every scale.
    for scale in (1, 0.1, 0.01, 0.001):
        for counts in area_counts(scale):
            assert counts["facilitator"] >= 2 * counts["group_lanes"] + counts["plan_lanes"]


def test_every_row_passes_the_models_own_validation():
    """COPY already ran the database's constraints (unique, check, foreign keys); the field validators, choices
    and each model's clean() run here on every row at the tiny scale."""
    ctx = _context()
    generate(ctx)
    for label in ctx.written:
        model = apps.get_model(label)
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        for obj in model.objects.order_by("pk").iterator():
            obj.clean_fields(exclude=relations)
            obj.clean()


def test_no_two_sessions_clash_for_a_venue_or_a_facilitator():
    generate(_context())
    live = ScheduledSession.objects.exclude(status="cancelled_by_provider")
    seen = set()
    for venue, day, start in live.values_list("venue", "date", "start"):
        assert (venue, day, start) not in seen
        seen.add((venue, day, start))
    seen = set()
    for user, day, start in live.values_list("facilitators", "date", "start"):
        assert (user, day, start) not in seen
        seen.add((user, day, start))
    # One active membership per referral (the database's constraint holds; nothing was skipped around it).
    assert Membership.objects.filter(status="active").count() == (
        Membership.objects.filter(status="active").values("referral").distinct().count()
    )


def test_the_copied_links_carry_their_session_s_date_and_cancellation():
    """The sessions' facilitator links are COPYed without the copy of the session's date and status: the
    database's trigger fills it (SessionFacilitator, issue 11), so the yearly counts by (user, date) see them."""
    generate(_context())
    links = SessionFacilitator.objects.all()
    assert links.exists()
    assert not links.filter(date__isnull=True).exists()
    assert not links.exclude(date=F("scheduledsession__date")).exists()
    cancelled = Q(scheduledsession__status="cancelled_by_provider")
    assert not links.filter(cancelled, cancelled=False).exists()
    assert not links.filter(~cancelled, cancelled=True).exists()


def test_the_same_seed_gives_the_same_data_set():
    first = _context(seed=11)
    sid = transaction.savepoint()
    generate(first)
    digest = _digest(list(first.written))
    transaction.savepoint_rollback(sid)
    again = _context(seed=11)
    generate(again)
    assert _digest(list(again.written)) == digest
    assert again.written == first.written


def test_the_command_refuses_a_database_with_data():
    call_command(
        "generate_load_data",
        "--scale",
        str(SCALE),
        "--today",
        TODAY.isoformat(),
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="already has probation areas"):
        call_command("generate_load_data", "--scale", str(SCALE))


@pytest.mark.parametrize(
    ("database", "allowed"),
    [
        ("isotp_load_1_0", True),  # the harness's data set
        ("isotp_load_0_01_run", True),  # its copy for a run
        ("review11_load_0_0001", True),
        ("test_isotp_gw0", True),  # a pytest database
        ("isotp", False),  # the product's own database
        ("probation_live", False),
        ("isotp_loader", False),
    ],
)
def test_the_generator_fills_only_a_database_named_for_it(database, allowed):
    from isotp.management.commands.generate_load_data import name_refusal

    reason = name_refusal(database)
    assert (reason is None) is allowed
    if not allowed:
        assert "_load_" in str(reason) and database in str(reason)
