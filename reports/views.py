"""The report pages: the Reports list, a report's page with its live status, the draft form with a PDF preview,
the TM's approve / return / amend / retry, and the permission-checked, audited download of an issued version.

Views are thin: a selector scopes the read (another area's report is 404), a service makes every write and every
permission check, and refusals are shown in the GOV.UK error summary.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import User
from accounts.permissions import require
from audit.services import record_search
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from isotp.sorting import Column, Sortable, query_with_sort
from reports import selectors, services
from reports.forms import AmendForm, DraftForm, ReturnForm
from reports.models import PostProgrammeReport
from reports.rules import STATUS_LABELS, ReportStatus, Target, sections_for
from sessions.selectors import groups as delivery_selectors

PAGE_SIZE = 25

# Issue 13: sorted on the server across every page (isotp.sorting says why not in the browser).
REPORT_SORT = Sortable(
    (
        Column("person", "Name and CRN", ("referral__person__last_name", "referral__person__first_name")),
        Column("report", "Report", ("kind",)),
        Column("status", "Status", ("status",)),
        Column("updated", "Updated", ("updated_at",)),
    ),
    default="-updated",
)
POLLING = (ReportStatus.QUEUED, ReportStatus.RENDERING)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _targets(report: PostProgrammeReport) -> list[Target]:
    from reports.rules import targets_for

    owner = report.membership.group or report.membership.plan
    return list(targets_for(owner.programme.programme, owner.programme.modules))  # type: ignore[union-attr]


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """TMs: the area's reports; facilitators: the members they deliver to; OMs: their caseload's, newest first.
    Also the members ready for a report (TMs and facilitators). Paginated; the query count does not grow."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    status = request.GET.get("status", "")
    status = status if status in STATUS_LABELS else ""
    # `?new=yes`: issued reports not downloaded by the user since they were issued (the OM home's count).
    new_only = request.GET.get("new") == "yes"
    reports = (
        selectors.new_reports_for(user)
        if new_only
        else selectors.reports_for_list(user, status=[status] if status else None)
    )
    sort = REPORT_SORT.parse(request.GET.get("sort"))
    page = Paginator(REPORT_SORT.order_queryset(reports, sort, tiebreak="-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    record_search(actor=user, list_name="reports", query=request.GET)
    # Members ready for a report have none yet: shown only on the unfiltered list, never beside a filter they
    # have nothing to do with (issue 14).
    ready = [] if status or new_only else list(selectors.memberships_ready_for_report(user)[:50])
    filters = [("new", "yes")] if new_only else [("status", status)]
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "status": status,
            "statuses": list(STATUS_LABELS.items()),
            "ready": ready,
            "new_only": new_only,
            "query": query_with_sort(filters, sort, REPORT_SORT.default),
            "headers": REPORT_SORT.headers(sort, filters, [c.key for c in REPORT_SORT.columns]),
        },
    )


@login_required
@require_POST
def report_open(request: HttpRequest, membership_id: str) -> HttpResponse:
    """The member's facilitators and TMs: start the report of a member whose sessions are over."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    membership = delivery_selectors.membership_for_user(user, membership_id)
    try:
        report = services.open_report(actor=user, membership=membership)
    except DomainConflict as exc:
        messages.error(request, exc.detail)
        return redirect("reports:report_list")
    return redirect("reports:report_edit", report.public_id)


def _detail_context(user: User, report: PostProgrammeReport) -> dict[str, Any]:
    versions = list(report.versions.all())
    can_approve = permissions.can_approve_report(user, report)
    can_draft = permissions.can_draft_report(user, report)
    author_refusal = services.approval_refusal(actor=user, report=report) if can_approve else None
    return {
        "report": report,
        "person": report.referral.person,
        "versions": versions,
        "can_draft": can_draft and report.status == ReportStatus.DRAFT,
        "can_approve": services.may_approve(user, report),
        # A TM who wrote the version submitted is told why they cannot approve it (separation of duties).
        "author_refusal": author_refusal if report.status == ReportStatus.AWAITING_APPROVAL else None,
        "can_amend": can_approve and report.status == ReportStatus.ISSUED,
        "can_retry": can_approve and report.status == ReportStatus.FAILED,
        "completion": services.completion_for(report),
        "can_record_completion": can_approve
        and report.status == ReportStatus.ISSUED
        and report.completion_recorded_at is None
        and report.kind == "post_programme",
        "polling": report.status in POLLING,
    }


@login_required
def report_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A report's page: who it is about, its status (live while rendering), its versions and the actions."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_record_for(user, public_id)
    return render(request, "reports/detail.html", _detail_context(user, report))


@login_required
def report_status(request: HttpRequest, public_id: str) -> HttpResponse:
    """The polled status fragment: queued / rendering / issued / failed, with a link when issued."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_for_user(user, public_id)
    return render(request, "reports/_status.html", _detail_context(user, report))


@login_required
def report_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """The draft: a rating and evidence per treatment target, then the sections; save at any time, or save
    and send to the treatment manager."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_record_for(user, public_id)
    require(permissions.can_draft_report(user, report))
    if report.status != ReportStatus.DRAFT:
        return redirect("reports:report_detail", report.public_id)
    targets = _targets(report) if report.kind == "post_programme" else []
    sections = sections_for(report.kind)
    if request.method == "POST":
        form = DraftForm(request.POST, targets=targets, sections=sections)
        if form.is_valid():
            try:
                services.save_draft(actor=user, report=report, content=form.content())
                if "submit" in request.POST:
                    services.submit_for_approval(actor=user, report=report)
                    messages.success(
                        request, "The report has been sent to the treatment manager for approval."
                    )
                    return redirect("reports:report_detail", report.public_id)
                messages.success(request, "Draft saved.")
                return redirect("reports:report_edit", report.public_id)
            except DomainConflict as exc:
                missing = set(exc.extra.get("missing") or [])
                for field in form.fields:  # the form's order, so the error summary reads top to bottom
                    if field in missing:
                        form.add_error(field, _missing_message(field, report))
                if not missing:
                    form.add_error(None, exc.detail)
            except ValidationError as exc:
                add_refusal(form, exc)
    else:
        form = DraftForm(initial=DraftForm.initial_from(report.content), targets=targets, sections=sections)
    return render(
        request,
        "reports/edit.html",
        {
            "report": report,
            "person": report.referral.person,
            "form": form,
            # The facts the report will state, read-only above the writing (from the records now).
            **selectors.facts_for_page(report),
        },
    )


def _missing_message(field: str, report: PostProgrammeReport) -> str:
    from reports.rules import missing_for_approval

    return missing_for_approval(report.kind, {}, _targets(report)).get(field, "Answer this question")


@login_required
def report_preview(request: HttpRequest, public_id: str) -> HttpResponse:
    """A PDF preview of the draft as it stands (marked DRAFT, never stored)."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_for_user(user, public_id)
    rendered = services.preview_pdf(actor=user, report=report)
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{report.public_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _decision(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_for_user(user, public_id)
    try:
        # No success banner for approve and retry: the outcome is the render's, which the status area (updated
        # by itself) reports, so a quick failure is never shown under a green "Success".
        if action == "approve":
            services.approve(actor=user, report=report)
        elif action == "retry":
            services.retry_render(actor=user, report=report)
        elif action == "complete":
            services.record_completion(actor=user, report=report)
            messages.success(request, "The completion has been counted and the referral is completed.")
    except DomainConflict as exc:
        messages.error(request, exc.detail)
    return redirect("reports:report_detail", report.public_id)


@login_required
@require_POST
def report_approve(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decision(request, public_id, "approve")


@login_required
@require_POST
def report_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decision(request, public_id, "retry")


@login_required
@require_POST
def report_complete(request: HttpRequest, public_id: str) -> HttpResponse:
    return _decision(request, public_id, "complete")


def _reason_page(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    user = _user(request)
    require(permissions.can_view_reports(user))
    report = selectors.report_for_user(user, public_id)
    require(permissions.can_approve_report(user, report))
    form_class = ReturnForm if action == "return" else AmendForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "return":
                services.return_report(actor=user, report=report, comments=form.cleaned_data["comments"])
                messages.success(request, "The report has been returned to the facilitator.")
            else:
                services.amend(actor=user, report=report, reason=form.cleaned_data["reason"])
                messages.success(request, "The report is a draft again; the issued version stays readable.")
            return redirect("reports:report_detail", report.public_id)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
    return render(
        request,
        "reports/reason.html",
        {"report": report, "person": report.referral.person, "form": form, "action": action},
    )


@login_required
def report_return(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs: return a report awaiting approval with comments."""
    return _reason_page(request, public_id, "return")


@login_required
def report_amend(request: HttpRequest, public_id: str) -> HttpResponse:
    """TMs: amend an issued report (a new version with a reason)."""
    return _reason_page(request, public_id, "amend")


@login_required
def version_download(request: HttpRequest, public_id: str, number: int) -> FileResponse:
    """An issued version's PDF, only through this permission-checked view; every download is audited."""
    user = _user(request)
    require(permissions.can_view_reports(user))
    version = selectors.version_for_user(user, public_id, number)
    handle = services.open_version(actor=user, version=version, via="page")
    response = FileResponse(
        handle,
        content_type="application/pdf",
        as_attachment=True,
        filename=f"report-{version.report.referral.person.crn}-v{number}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
