"""Load data set (issue 11): Post-Programme Reports and exit reports, with their issued versions.

A member who completed more than a month ago has an issued Post-Programme Report (one in twenty amended once, so
version 1 is superseded by version 2); one who left early (removed, or to restart the programme) has an issued
exit report, so the "ready for a report" list holds only the recent ones, as in an area that writes its reports. Members who completed in the
last month are part way: a third have no report yet (the "ready for a report" list), a third a draft, a third one
awaiting approval. The facilitator drafts and the treatment manager approves (separation of duties).

Versions are metadata only: every one names the same small placeholder PDF (`PLACEHOLDER_PDF`, its SHA-256 and
size), which `manage.py loadtest_fixture` writes into the reports storage for the versions the load test
downloads; rendering 20,000 PDFs is the worker's benchmark (bench/report_render.py), not the data set's.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from isotp.loadgen import Context, Rows
from reports.models import PostProgrammeReport, ReportVersion
from sessions.models import GroupFacilitator, Membership

PLACEHOLDER_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PLACEHOLDER_SHA256 = hashlib.sha256(PLACEHOLDER_PDF).hexdigest()
SNAPSHOT = {"facts": {}, "content": {}, "signoff": {}, "load_data": True}


def version_name(report_public_id: object, number: int) -> str:
    """The storage name `reports.models.version_path` gives a version."""
    return f"reports/{report_public_id}/v{number}.pdf"


def generate(ctx: Context) -> None:
    """Reports for members who completed or left early; issued versions for those more than a month past."""
    first_facilitator: dict[int, int] = {}
    for group_id, facilitator_id in GroupFacilitator.objects.order_by(
        "group_id", "facilitator_id"
    ).values_list("group_id", "facilitator_id"):
        first_facilitator.setdefault(group_id, facilitator_id)
    rows = (
        Membership.objects.filter(status__in=["completed", "removed", "restart_required"], left_on__isnull=False)
        .order_by("id")
        .values_list("id", "status", "left_on", "referral_id", "group_id", "group__area_id", "plan__area_id",
                     "group__treatment_manager_id", "plan__treatment_manager_id", "plan__facilitator_id")
    )  # fmt: skip
    reports: Rows = []
    versions: Rows = []
    month_ago = ctx.today - dt.timedelta(days=30)
    for membership, status, left, referral, group, g_area, p_area, g_tm, p_tm, p_fac in rows:
        if left is None or left > ctx.today:
            continue
        area_id, tm = g_area or p_area, g_tm or p_tm
        writer = first_facilitator.get(group, tm) if group else p_fac
        kind = "post_programme" if status == "completed" else "exit"
        state = ctx.rng.choice(["none", "draft", "awaiting_approval"]) if left > month_ago else "issued"
        if state == "none":
            continue
        (report_id,) = ctx.new_ids(PostProgrammeReport, 1)
        public_id = ctx.uuid()
        created = ctx.at(left + dt.timedelta(days=1), 9)
        submitted = ctx.at(left + dt.timedelta(days=5), 15) if state != "draft" else None
        approved = ctx.at(left + dt.timedelta(days=8), 11) if state == "issued" else None
        amended = state == "issued" and ctx.rng.random() < 0.05
        updated = approved or submitted or created
        reports.append((report_id, public_id, area_id, membership, referral, kind, state, {},
                        SNAPSHOT if state == "issued" else {}, "Corrected dates" if amended else "",
                        writer, submitted, tm if approved else None, approved, created, updated, tm))  # fmt: skip
        if state != "issued":
            continue
        issued = ctx.at(left + dt.timedelta(days=8), 11, 30)
        later = ctx.at(left + dt.timedelta(days=15), 11, 30) if amended else None
        (version_id,) = ctx.new_ids(ReportVersion, 1)
        versions.append((version_id, ctx.uuid(), report_id, 1, version_name(public_id, 1), PLACEHOLDER_SHA256,
                         len(PLACEHOLDER_PDF), 1, issued, tm, "", SNAPSHOT, later))  # fmt: skip
        if amended:
            (version_id,) = ctx.new_ids(ReportVersion, 1)
            versions.append((version_id, ctx.uuid(), report_id, 2, version_name(public_id, 2), PLACEHOLDER_SHA256,
                             len(PLACEHOLDER_PDF), 1, later, tm, "Corrected dates", SNAPSHOT, None))  # fmt: skip
    ctx.copy(
        PostProgrammeReport,
        ["id", "public_id", "area_id", "membership_id", "referral_id", "kind", "status", "content",
         "approved_snapshot", "amendment_reason", "drafted_by_id", "submitted_at", "approved_by_id", "approved_at",
         "created_at", "updated_at", "created_by_id"],
        reports,
    )  # fmt: skip
    # The members with a report leave the "ready for a report" candidates, as reports.services.open_report does.
    reported = [row[3] for row in reports]
    for start in range(0, len(reported), 5000):
        Membership.objects.filter(pk__in=reported[start : start + 5000]).update(reported=True)
    ctx.copy(
        ReportVersion,
        ["id", "public_id", "report_id", "number", "file", "sha256", "size", "pages", "issued_at", "approved_by_id",
         "amendment_reason", "snapshot", "superseded_at"],
        versions,
    )  # fmt: skip
