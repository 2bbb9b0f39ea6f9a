"""Every report page and API route for the permission matrix (tests/matrix.py explains the rules).

Per-record routes build a report in the home area for a member of a group delivered by `personas["facilitator"]`
and on `personas["offender_manager"]`'s caseload, at the status the route acts on; another area's users get 404.
"""

from __future__ import annotations

from tests.matrix import Route

TM, FAC, OM = "treatment_manager", "facilitator", "offender_manager"
READERS = frozenset({TM, FAC, OM})
DRAFTERS = frozenset({TM, FAC})
ONLY_TM = frozenset({TM})


def _report(area, personas, status="draft", issued=False):
    from tests.reports.factories import quick_report

    return quick_report(area, personas, status=status, issued=issued)


def _id(status="draft", issued=False):
    return lambda area, personas: {"public_id": _report(area, personas, status, issued).public_id}


def _version(area, personas):
    report = _report(area, personas, "issued", True)
    return {"public_id": report.public_id, "number": 1}


def _finished_membership(area, personas):
    from tests.reports.factories import quick_membership

    return {"membership_id": quick_membership(area, personas, finished=True).public_id}


ROUTES = [
    # Pages.
    Route("reports:report_list", roles=READERS),
    Route("reports:report_open", roles=DRAFTERS, method="post", kwargs=_finished_membership, scoped=True),
    Route("reports:report_detail", roles=READERS, kwargs=_id(), scoped=True),
    Route("reports:report_status", roles=READERS, kwargs=_id("rendering"), scoped=True),
    Route("reports:report_edit", roles=DRAFTERS, kwargs=_id(), scoped=True),
    Route("reports:report_preview", roles=DRAFTERS, kwargs=_id(), scoped=True),
    Route(
        "reports:report_approve", roles=ONLY_TM, method="post", kwargs=_id("awaiting_approval"), scoped=True
    ),
    Route("reports:report_return", roles=ONLY_TM, kwargs=_id("awaiting_approval"), scoped=True),
    Route("reports:report_amend", roles=ONLY_TM, kwargs=_id("issued", True), scoped=True),
    Route("reports:report_retry", roles=ONLY_TM, method="post", kwargs=_id("failed"), scoped=True),
    Route("reports:report_complete", roles=ONLY_TM, method="post", kwargs=_id("issued", True), scoped=True),
    Route("reports:version_download", roles=READERS, kwargs=_version, scoped=True),
    # API.
    Route("api-report-list", roles=READERS, api=True),
    Route("api-report-detail", roles=READERS, api=True, kwargs=_id(), scoped=True),
    Route(
        "api-report-approve",
        roles=ONLY_TM,
        method="post",
        api=True,
        kwargs=_id("awaiting_approval"),
        scoped=True,
    ),
    Route(
        "api-report-return",
        roles=ONLY_TM,
        method="post",
        api=True,
        kwargs=_id("awaiting_approval"),
        scoped=True,
    ),
    Route(
        "api-report-amend", roles=ONLY_TM, method="post", api=True, kwargs=_id("issued", True), scoped=True
    ),
    Route("api-report-pdf", roles=READERS, api=True, kwargs=_version, scoped=True),
]
