"""Every write to a report (domain.md §8): drafting, approval, return, amendment, rendering, issue, downloads.

Permission checks use `accounts.permissions`; each write locks the report row, checks the move against
`reports.rules` (an illegal one is a 409 with its code and the allowed actions), writes the audit event in the same
transaction and records side effects (the render, the OM's email) in the outbox in that same transaction
(`isotp.outbox.enqueue`), published after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.permissions import (
    can_approve_report,
    can_draft_report,
    can_open_report,
    can_view_reports,
    require_in_area,
)
from audit.services import record_access, record_event
from isotp import clock
from isotp.errors import DomainConflict
from referrals.rules.transitions import ReferralStatus
from reports import facts as report_facts
from reports.models import PostProgrammeReport, ReportVersion
from reports.pdf import RenderedPdf, render_pdf
from reports.rules import (
    RATINGS,
    ApprovalRefusal,
    IllegalReportMove,
    ReportKind,
    ReportStatus,
    check_move,
    completion_decision,
    kind_for_membership,
    missing_for_approval,
    sections_for,
    separation_of_duties,
    targets_for,
)
from sessions.models import Membership, MembershipStatus

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _lock(report: PostProgrammeReport | int, actor: User | None = None) -> PostProgrammeReport:
    """Lock the report row. With an `actor`, the report is looked up in the actor's area only: another area's
    report is not found (404), whatever the role (the worker, which has no actor, reads it by id)."""
    pk = report if isinstance(report, int) else report.pk
    qs = PostProgrammeReport.objects.select_for_update(of=("self",)).select_related(
        "membership__group", "membership__plan", "referral__person"
    )
    if actor is not None:
        qs = qs.filter(area_id=getattr(actor, "area_id", None))
    try:
        return qs.get(pk=pk)
    except PostProgrammeReport.DoesNotExist:
        raise Http404 from None


def _move(report: PostProgrammeReport, action: str) -> str:
    try:
        return check_move(report.status, action)
    except IllegalReportMove as exc:
        raise DomainConflict(exc.message, code=exc.code, allowed=list(exc.allowed)) from None


def _event(
    actor: User | None, action: str, report: PostProgrammeReport, reason: str = "", **changes: Any
) -> None:
    record_event(
        actor=actor,
        action=action,
        obj=report,
        object_label=report.referral.person.crn,
        changes=changes,
        reason=reason,
    )


def _targets(report: PostProgrammeReport) -> list[Any]:
    owner = report.membership.group or report.membership.plan
    return list(targets_for(owner.programme.programme, owner.programme.modules))  # type: ignore[union-attr]


# --- drafting -----------------------------------------------------------------------------------------------


def open_report(*, actor: User, membership: Membership) -> PostProgrammeReport:
    """The member's facilitators and TMs: open the report once the sessions are over (a Post-Programme Report)
    or the member has left early (an exit report). Returns the existing report if one is open. Locks the
    membership; audited. An exit report's reasons start from the reason the membership was ended with."""
    require_in_area(actor, membership)
    _require(can_open_report(actor, membership))
    with transaction.atomic():
        locked = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("group", "plan", "referral__person")
            .get(pk=membership.pk)
        )
        existing = PostProgrammeReport.objects.filter(membership=locked).first()
        if existing is not None:
            return existing
        kind = kind_for_membership(
            locked.status,
            report_facts.sessions_remaining(locked),
            started=locked.attendances.exists(),
        )
        if kind is None:
            raise DomainConflict(
                "The member still has sessions to attend: the report opens when the sessions are complete.",
                code="SESSIONS_NOT_COMPLETE",
            )
        owner = locked.group or locked.plan
        report = PostProgrammeReport.objects.create(
            area_id=owner.area_id,  # type: ignore[union-attr]
            membership=locked,
            referral=locked.referral,
            kind=kind,
            # Issue 10: the exit report states the reasons; the TM gave them when ending the membership.
            content={"exit_reasons": locked.removal_reason} if kind == ReportKind.EXIT else {},
            created_by=actor,
        )
        # The membership leaves the "ready for a report" candidates (membership_report_due_idx) with the report.
        Membership.objects.filter(pk=locked.pk).update(reported=True)
        _event(actor, "report.opened", report, kind=kind)
    return report


def _clean_content(report: PostProgrammeReport, content: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the fields this report has; refuse unknown ratings and over-long text (400 on the field)."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"targets": {}}

    def text(field: str, value: Any) -> str:
        value = str(value or "").strip()
        if len(value) > MAX_TEXT:
            errors[field] = [f"Use {MAX_TEXT:,} characters or fewer"]
        return value

    if report.kind == ReportKind.POST_PROGRAMME:
        given = content.get("targets") or {}
        for target in _targets(report):
            entry = given.get(target.code) or {}
            rating = str(entry.get("rating") or "")
            if rating and rating not in RATINGS:
                errors[f"{target.code}_rating"] = ["Choose a rating from the list"]
            clean["targets"][target.code] = {
                "rating": rating,
                "evidence": text(f"{target.code}_evidence", entry.get("evidence")),
                "evidence_outside": text(f"{target.code}_evidence_outside", entry.get("evidence_outside")),
            }
    for field in sections_for(report.kind):
        clean[field] = text(field, content.get(field))
    if errors:
        raise ValidationError(errors)
    return clean


def save_draft(
    *, actor: User, report: PostProgrammeReport, content: Mapping[str, Any]
) -> PostProgrammeReport:
    """The member's facilitators and TMs: save the writing of a draft at any time. Locks the report; audited
    (field names only: the writing itself is in the report, not copied into the audit trail)."""
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_draft_report(actor, locked))
        if locked.status != ReportStatus.DRAFT:
            raise DomainConflict(
                "Only a draft can be changed; ask the treatment manager to return or amend the report.",
                code="NOT_A_DRAFT",
            )
        clean = _clean_content(locked, content)
        changed = sorted(k for k in clean if clean[k] != locked.content.get(k))
        locked.content = clean
        locked.drafted_by = actor
        locked.save(update_fields=["content", "drafted_by", "updated_at"])
        _event(actor, "report.draft_saved", locked, fields=changed)
    return locked


def submit_for_approval(*, actor: User, report: PostProgrammeReport) -> PostProgrammeReport:
    """The member's facilitators and TMs: send a complete draft to the TM (409 REPORT_INCOMPLETE with the
    missing fields otherwise). Locks the report; audited."""
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_draft_report(actor, locked))
        target = _move(locked, "submit")
        missing = missing_for_approval(locked.kind, locked.content, _targets(locked))
        if missing:
            raise DomainConflict(
                "The report is not complete: " + "; ".join(missing.values()) + ".",
                code="REPORT_INCOMPLETE",
                missing=sorted(missing),
            )
        locked.status = target
        locked.submitted_at = timezone.now()
        locked.return_comments = ""
        locked.save(update_fields=["status", "submitted_at", "return_comments", "updated_at"])
        _event(actor, "report.submitted", locked, status=target)
    return locked


# --- the treatment manager's decisions ----------------------------------------------------------------------


def _snapshot(report: PostProgrammeReport, approver: User) -> dict[str, Any]:
    return {
        "facts": report_facts.report_facts(report.membership, report.kind),
        "content": report.content,
        "signoff": {
            "drafted_by": report.drafted_by.full_name if report.drafted_by else "",
            "approved_by": approver.full_name,
            "approved_on": clock.today().isoformat(),
            "amendment_reason": report.amendment_reason,
        },
    }


def _queue_render(report_id: int) -> None:
    """In the caller's transaction: record the render task in the outbox; it is published after the commit (or by
    the outbox sweep if the broker is down or the process dies first). The task claims the report, so a second
    delivery issues nothing: one issued version."""
    from isotp.outbox import enqueue

    enqueue("reports.tasks.render_report", report_id)


def approve(*, actor: User, report: PostProgrammeReport) -> PostProgrammeReport:
    """TMs of the area: approve a report awaiting approval; the facts and writing are frozen and the PDF is
    rendered in the background (409 ALREADY_ISSUED when there is nothing to approve; 409 AUTHOR_CANNOT_APPROVE
    for the TM who wrote the version submitted). Locks the report; audited; the render is recorded in the outbox
    and published after the commit."""
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_approve_report(actor, locked))
        target = _move(locked, "approve")
        refusal = approval_refusal(actor=actor, report=locked)
        if refusal is not None:
            raise DomainConflict(refusal.message, code=refusal.code)
        locked.approved_snapshot = _snapshot(locked, actor)
        locked.status = target
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.render_attempts = 0
        locked.failure_reason = ""
        locked.save(
            update_fields=[
                "approved_snapshot",
                "status",
                "approved_by",
                "approved_at",
                "render_attempts",
                "failure_reason",
                "updated_at",
            ]
        )
        _event(actor, "report.approved", locked, status=target)
        _queue_render(locked.pk)
    return locked


def approval_refusal(*, actor: User, report: PostProgrammeReport) -> ApprovalRefusal | None:
    """Why `actor` may not approve `report` though a TM of its area: they wrote the version submitted."""
    return separation_of_duties(approver_id=actor.pk, author_id=report.drafted_by_id)


def may_approve(actor: User, report: PostProgrammeReport) -> bool:
    """Whether the page offers `actor` the approve button: what `approve` would let through now."""
    return (
        can_approve_report(actor, report)
        and report.status == ReportStatus.AWAITING_APPROVAL
        and approval_refusal(actor=actor, report=report) is None
    )


def return_report(*, actor: User, report: PostProgrammeReport, comments: str) -> PostProgrammeReport:
    """TMs of the area: return a report awaiting approval to the facilitator with comments. Audited."""
    if not comments.strip():
        raise ValidationError({"comments": ["Say what needs to change before the report can be approved"]})
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_approve_report(actor, locked))
        target = _move(locked, "return")
        locked.status = target
        locked.return_comments = comments.strip()[:MAX_TEXT]
        locked.save(update_fields=["status", "return_comments", "updated_at"])
        _event(actor, "report.returned", locked, reason=comments.strip(), status=target)
    return locked


def amend(*, actor: User, report: PostProgrammeReport, reason: str) -> PostProgrammeReport:
    """TMs of the area: reopen an issued report as a draft for an amendment with its reason. The issued version
    stays readable; the next approval issues a new version and marks the old one superseded. Audited."""
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the issued report is being amended"]})
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_approve_report(actor, locked))
        target = _move(locked, "amend")
        locked.status = target
        locked.amendment_reason = reason.strip()[:MAX_TEXT]
        locked.return_comments = ""
        locked.save(update_fields=["status", "amendment_reason", "return_comments", "updated_at"])
        _event(actor, "report.amendment_started", locked, reason=reason.strip(), status=target)
    return locked


def retry_render(*, actor: User, report: PostProgrammeReport) -> PostProgrammeReport:
    """TMs of the area: queue a failed render again (the "Try again" button). Audited; the render is recorded in
    the outbox and published after the commit."""
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_approve_report(actor, locked))
        target = _move(locked, "retry")
        locked.status = target
        locked.render_attempts = 0
        locked.failure_reason = ""
        locked.save(update_fields=["status", "render_attempts", "failure_reason", "updated_at"])
        _event(actor, "report.render_retried", locked, status=target)
        _queue_render(locked.pk)
    return locked


# --- the worker ---------------------------------------------------------------------------------------------


def claim_render(report_id: int, *, stale_after: dt.timedelta) -> bool:
    """The worker: claim a queued report with one conditional update (or one whose render was abandoned by a
    dead worker more than `stale_after` ago). False when someone else has it or it is done: safe to run twice."""
    now = timezone.now()
    claimed = PostProgrammeReport.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RENDERING, render_started_at=now
    )
    if not claimed:
        claimed = PostProgrammeReport.objects.filter(
            pk=report_id, status=ReportStatus.RENDERING, render_started_at__lt=now - stale_after
        ).update(render_started_at=now)
    if claimed:
        PostProgrammeReport.objects.filter(pk=report_id).update(render_attempts=_attempts(report_id) + 1)
    return bool(claimed)


def _attempts(report_id: int) -> int:
    return PostProgrammeReport.objects.values_list("render_attempts", flat=True).get(pk=report_id)


def render_claimed(report_id: int) -> RenderedPdf:
    """The worker: render the approved snapshot of a claimed report (outside any transaction: it is slow)."""
    report = PostProgrammeReport.objects.get(pk=report_id)
    number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return render_pdf(report.approved_snapshot, version=number)


def issue_rendered(report_id: int, rendered: RenderedPdf) -> ReportVersion | None:
    """The worker: store the PDF with its SHA-256 as the next version, mark the previous one superseded, issue
    the report, tell the OM (a link, never the PDF) and count the completion when PC 09/2007 allows. Locks the
    report; a report no longer being rendered is left alone (None). Audited."""
    with transaction.atomic():
        locked = _lock(report_id)
        if locked.status != ReportStatus.RENDERING:
            return None
        target = _move(locked, "issue")
        now = timezone.now()
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        approver = locked.approved_by
        assert approver is not None  # approval sets it
        # An issued version is immutable: the old one is only marked superseded (the trigger allows just that).
        locked.versions.filter(superseded_at__isnull=True).update(superseded_at=now)
        version = ReportVersion(
            report=locked,
            number=number,
            sha256=rendered.sha256,
            size=len(rendered.content),
            pages=rendered.pages,
            issued_at=now,
            approved_by=approver,
            amendment_reason=locked.amendment_reason if number > 1 else "",
            snapshot=locked.approved_snapshot,
        )
        version.file.save(f"v{number}.pdf", ContentFile(rendered.content), save=False)
        version.save()
        locked.status = target
        locked.amendment_reason = ""
        locked.failure_reason = ""
        locked.save(update_fields=["status", "amendment_reason", "failure_reason", "updated_at"])
        _event(approver, "report.issued", locked, version=number, sha256=rendered.sha256)
        _tell_offender_manager(locked, version)
        _count_completion(approver, locked)
    return version


def requeue_render(report_id: int, reason: str) -> None:
    """The worker: a transient error; the report goes back to the queue for the retry with backoff."""
    PostProgrammeReport.objects.filter(pk=report_id, status=ReportStatus.RENDERING).update(
        status=ReportStatus.QUEUED, failure_reason=reason[:500]
    )


def record_render_failure(report_id: int, reason: str) -> None:
    """The worker: the render failed for good (or ran out of retries); the page shows it with a retry button."""
    with transaction.atomic():
        locked = _lock(report_id)
        if locked.status not in (ReportStatus.QUEUED, ReportStatus.RENDERING):
            return
        locked.status = _move(locked, "fail")
        locked.failure_reason = reason[:500]
        locked.save(update_fields=["status", "failure_reason", "updated_at"])
        _event(None, "report.render_failed", locked, reason=reason[:500])


def _tell_offender_manager(report: PostProgrammeReport, version: ReportVersion) -> None:
    """On issue the OM is told with a link to the report page (never the PDF, never an offence in the subject)."""
    try:
        from notifications.services import notify
    except ImportError:  # issue 8's notifications app not installed yet
        return
    person = report.referral.person
    notify(
        recipients=[person.offender_manager],
        kind="report",
        subject=f"Report issued for {person.crn}",
        body=(
            f"Version {version.number} of the {'exit report' if report.kind == ReportKind.EXIT else 'Post-Programme Report'} "
            f"for {person.crn} has been issued. Sign in to read and download it."
        ),
        link=reverse("reports:report_detail", args=[report.public_id]),
        dedupe_key=f"report-issued-{report.public_id}-{version.number}",
        person=person,
    )


# --- completion (PC 09/2007) --------------------------------------------------------------------------------


def completion_for(report: PostProgrammeReport) -> Any:
    """The completion decision for a report now (rule codes and reasons for the page and the API)."""
    return completion_decision(
        kind=report.kind,
        post_psychometrics_done=report_facts.post_psychometrics_done(report.membership),
        issued_to_om=report.status == ReportStatus.ISSUED,
    )


def _count_completion(actor: User, report: PostProgrammeReport) -> bool:
    """Inside the issuing transaction: when the completion counts, the membership completes and the referral
    moves to `completed` through the referrals status service."""
    if report.completion_recorded_at is not None or not completion_for(report).counts:
        return False
    from referrals.services.status import move_as_consequence

    Membership.objects.filter(
        pk=report.membership_id, status__in=[MembershipStatus.ACTIVE, "sessions_complete"]
    ).update(status=MembershipStatus.COMPLETED, left_on=_completed_on(report.membership))
    move_as_consequence(
        actor=actor,
        referral=report.referral,
        membership=report.membership,
        to_status=ReferralStatus.COMPLETED,
        only_from=ReferralStatus.ON_PROGRAMME,
        reason="Post-Programme Report issued to the offender manager; post-programme psychometrics recorded",
    )
    report.completion_recorded_at = timezone.now()
    report.save(update_fields=["completion_recorded_at", "updated_at"])
    _event(actor, "report.completion_counted", report)
    return True


def _completed_on(membership: Membership) -> dt.date:
    """The day the programme was completed, from the records: the last session or catch-up attended (never the
    day a report happened to be issued, so an amendment issued later cannot move it)."""
    last = report_facts.attendance_facts(membership)["last_attended"]
    day = dt.date.fromisoformat(last) if last else clock.today()
    return max(day, membership.joined_on)


def record_completion(*, actor: User, report: PostProgrammeReport) -> PostProgrammeReport:
    """TMs of the area: count the completion of an issued report whose post-programme psychometrics were
    recorded after the issue (409 COMPLETION_NOT_DUE with the reasons otherwise). Locks the report; audited."""
    with transaction.atomic():
        locked = _lock(report, actor)
        _require(can_approve_report(actor, locked))
        decision = completion_for(locked)
        if locked.completion_recorded_at is not None:
            raise DomainConflict("The completion has already been counted.", code="COMPLETION_RECORDED")
        if not decision.counts:
            raise DomainConflict(
                " ".join(message for _, message in decision.reasons),
                code="COMPLETION_NOT_DUE",
                reasons=[code for code, _ in decision.reasons],
            )
        _count_completion(actor, locked)
    return locked


# --- reading ------------------------------------------------------------------------------------------------


def preview_pdf(*, actor: User, report: PostProgrammeReport) -> RenderedPdf:
    """Anyone who may draft the report: a PDF preview of the current writing, marked DRAFT, never stored.
    Logged as an access to the person's record. Another area's report is not found."""
    require_in_area(actor, report)
    _require(can_draft_report(actor, report) or can_approve_report(actor, report))
    snapshot = _snapshot(report, actor)
    snapshot["signoff"]["approved_by"] = ""
    record_access(actor=actor, obj=report, via="page", object_label=report.referral.person.crn)
    return render_pdf(snapshot, draft=True)


def open_version(*, actor: User, version: ReportVersion, via: str) -> Any:
    """Anyone who can read the report (the selector has scoped it): open the stored PDF. Every download is
    audited (who, when, which version) and logged as an access to the person's record. A report outside the
    actor's reach (another area, another OM's caseload) is not found."""
    from reports.selectors import reports_for_user

    _require(can_view_reports(actor))
    report = version.report
    if not reports_for_user(actor).filter(pk=report.pk).exists():
        raise Http404
    with transaction.atomic():
        record_access(actor=actor, obj=report, via="download", object_label=report.referral.person.crn)
        record_event(
            actor=actor,
            action="report.downloaded",
            obj=report,
            object_label=report.referral.person.crn,
            changes={"version": version.number, "sha256": version.sha256, "via": via},
        )
    return version.file.open("rb")
