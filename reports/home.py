"""Home page cards for reports (found by isotp.home through the `home_widgets` hook): TMs see reports awaiting
their approval and failed renders, facilitators the members ready for a report and drafts returned to them, OMs
the reports issued for their caseload. Each count is the Reports list filtered to exactly those reports; each card
costs one query (the TM's two counts one query together)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions
from isotp.home import AttentionList, AttentionLists, Cell, attention_card, gated_list
from reports import selectors
from reports.rules import ReportStatus
from sessions.selectors.groups import MEMBER_ROW_FIELDS


def _list(status: str) -> str:
    return f"{reverse('reports:report_list')}?{urlencode({'status': status})}"


def reports_to_draft(user: Any) -> AttentionList:
    """Facilitators (their members) and TMs (the area's): members ready for a report with none yet (one query)."""
    rows = []
    # Only what a row shows: a few columns of the member, the person and the group or plan (issue 11).
    for m in selectors.memberships_ready_for_report(user).only(*MEMBER_ROW_FIELDS):
        person = m.referral.person
        owner = m.group or m.plan
        rows.append(
            (
                Cell(f"{person.first_name} {person.last_name} ({person.crn})"),
                Cell(owner.reference if owner else ""),
                Cell(m.get_status_display()),
                Cell("Start it from the reports list", reverse("reports:report_list")),
            )
        )
    return AttentionList(
        key="reports-to-draft",
        title="Reports to draft",
        description="Members whose sessions are over (or who left early) with no report yet.",
        columns=("Member", "Group or plan", "Membership", ""),
        rows=rows,
        empty="No reports to start.",
    )


LISTS: AttentionLists = {
    "reports-to-draft": (lambda user, _today: reports_to_draft(user), permissions.is_facilitator)
}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not permissions.can_view_reports(user):
        return []
    if permissions.is_treatment_manager(user):
        counts = selectors.status_counts(user, [ReportStatus.AWAITING_APPROVAL, ReportStatus.FAILED])
        return [
            {
                "title": "Reports awaiting approval",
                "count": counts[ReportStatus.AWAITING_APPROVAL],
                "url": _list(ReportStatus.AWAITING_APPROVAL),
                "link_text": "Approve reports",
                "description": "Drafts facilitators have sent you.",
            },
            {
                "title": "Failed report renders",
                "count": counts[ReportStatus.FAILED],
                "url": _list(ReportStatus.FAILED),
                "link_text": "Retry failed renders",
                "description": "Approved reports whose PDF could not be produced.",
            },
        ]
    if permissions.is_facilitator(user):
        return [
            attention_card(reports_to_draft(user), link_text="Start the reports"),
            {
                "title": "Drafts in progress",
                "count": selectors.reports_for_list(user, status=[ReportStatus.DRAFT]).count(),
                "url": _list(ReportStatus.DRAFT),
                "link_text": "Finish your drafts",
                "description": "Including any your treatment manager returned with comments.",
            },
        ]
    return [
        {
            "title": "Reports issued",
            "count": selectors.new_reports_for(user).count(),
            "url": f"{reverse('reports:report_list')}?{urlencode({'new': 'yes'})}",
            "link_text": "Read and download new reports",
            "description": "New Post-Programme and exit reports for people on your caseload: issued since you "
            "last downloaded them.",
        }
    ]
