"""The report services for the service matrix: the member's facilitators and the area's TMs draft, TMs approve,
readers (TMs, the member's facilitators, the person's OM) open an issued version."""

from __future__ import annotations

from typing import Any

from reports import services
from tests.reports.factories import full_content, quick_membership, quick_report
from tests.service_matrix import NotAService, Service

TM, FAC, OM = "treatment_manager", "facilitator", "offender_manager"
DRAFTERS = frozenset({TM, FAC})
ONLY_TM = frozenset({TM})


def _report(status: str = "draft", issued: bool = False, **extra: Any):
    def build(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
        return {"report": quick_report(area, personas, status=status, issued=issued), **extra}

    return build


def _draft_content(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    report = quick_report(area, personas)
    return {"report": report, "content": full_content(report)}


def _version(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    report = quick_report(area, personas, status="issued", issued=True)
    return {"version": report.versions.get(number=1), "via": "page"}


SERVICES = [
    Service(
        services.open_report,
        roles=DRAFTERS,
        kwargs=lambda a, p: {"membership": quick_membership(a, p, finished=True)},
        scoped=True,
    ),
    Service(services.save_draft, roles=DRAFTERS, kwargs=_draft_content, scoped=True),
    Service(services.submit_for_approval, roles=DRAFTERS, kwargs=_report(), scoped=True),
    Service(
        services.approve,
        roles=ONLY_TM,
        kwargs=_report("awaiting_approval"),
        scoped=True,
    ),
    Service(
        services.return_report,
        roles=ONLY_TM,
        kwargs=_report("awaiting_approval", comments="Add the risk section"),
        scoped=True,
    ),
    Service(
        services.amend,
        roles=ONLY_TM,
        kwargs=_report("issued", True, reason="Wrong date"),
        scoped=True,
    ),
    Service(services.retry_render, roles=ONLY_TM, kwargs=_report("failed"), scoped=True),
    Service(
        services.record_completion,
        roles=ONLY_TM,
        kwargs=_report("issued", True),
        scoped=True,
    ),
    Service(services.preview_pdf, roles=DRAFTERS, kwargs=_report(), scoped=True),
    Service(
        services.open_version,
        roles=frozenset({TM, FAC, OM}),
        kwargs=_version,
        scoped=True,
    ),
]

NOT_SERVICES = [
    NotAService(
        services.claim_render, "the Celery worker's claim of work a gated approval queued (takes an id)"
    ),
    NotAService(services.render_claimed, "the Celery worker renders a claimed report (takes an id)"),
    NotAService(services.issue_rendered, "the Celery worker stores the rendered PDF (takes an id)"),
    NotAService(services.requeue_render, "the Celery worker's retry after a transient error (takes an id)"),
    NotAService(services.record_render_failure, "the Celery worker records a failed render (takes an id)"),
    NotAService(services.completion_for, "reads the completion decision for a page or endpoint; no write"),
    NotAService(services.approval_refusal, "reads whether the TM wrote the version (separation of duties)"),
    NotAService(services.may_approve, "reads whether the page offers the approve button; approve() decides"),
]
