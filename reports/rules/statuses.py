"""The report's statuses and the moves between them, as data (domain.md §8 workflow).

003 / domain.md §8: "facilitator drafts → TM approves → rendered to PDF in the background → issued (immutable; an
amendment is a new version with a reason)". The background steps are `queued` → `rendering` → `issued` | `failed`;
a failure is retried by a TM (`retry`), a transient error puts the work back in the queue (`requeue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ReportStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    QUEUED = "queued"
    RENDERING = "rendering"
    ISSUED = "issued"
    FAILED = "failed"


STATUS_LABELS: dict[str, str] = {
    ReportStatus.DRAFT: "Draft",
    ReportStatus.AWAITING_APPROVAL: "Awaiting approval",
    ReportStatus.QUEUED: "Queued",
    ReportStatus.RENDERING: "Rendering",
    ReportStatus.ISSUED: "Issued",
    ReportStatus.FAILED: "Failed",
}

S = ReportStatus

# action -> (statuses it may start from, status it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT}), S.AWAITING_APPROVAL),  # the facilitator asks the TM to approve
    "return": (frozenset({S.AWAITING_APPROVAL}), S.DRAFT),  # the TM returns it with comments
    "approve": (frozenset({S.AWAITING_APPROVAL}), S.QUEUED),  # domain.md §8: TM approves -> background render
    "claim": (frozenset({S.QUEUED}), S.RENDERING),  # a worker takes the job (conditional update)
    "issue": (frozenset({S.RENDERING}), S.ISSUED),
    "fail": (frozenset({S.QUEUED, S.RENDERING}), S.FAILED),
    "requeue": (frozenset({S.RENDERING}), S.QUEUED),  # a transient error: back in the queue with backoff
    "retry": (frozenset({S.FAILED}), S.QUEUED),  # a TM presses "Try again"
    "amend": (frozenset({S.ISSUED}), S.DRAFT),  # domain.md §8: an amendment is a new version with a reason
}

# Codes for a refused move, so the API's 409 and the page say the same thing.
_REFUSALS: dict[str, tuple[str, str]] = {
    "submit": ("NOT_A_DRAFT", "Only a draft can be sent for approval."),
    "return": ("NOT_AWAITING_APPROVAL", "Only a report awaiting approval can be returned."),
    "approve": ("NOT_AWAITING_APPROVAL", "Only a report awaiting approval can be approved."),
    "claim": ("NOT_QUEUED", "The report is not waiting to be rendered."),
    "issue": ("NOT_RENDERING", "The report is not being rendered."),
    "fail": ("NOT_RENDERING", "The report is not being rendered."),
    "requeue": ("NOT_RENDERING", "The report is not being rendered."),
    "retry": ("NOT_FAILED", "Only a report whose rendering failed can be tried again."),
    "amend": ("NOT_ISSUED", "Only an issued report can be amended."),
}
# The background worker's moves: never offered to a person in a refusal's `allowed` list.
WORKER_ACTIONS = frozenset({"claim", "issue", "fail", "requeue"})
# Once approved there is nothing left to approve (api: 409 ALREADY_ISSUED).
_ALREADY_APPROVED = frozenset({S.QUEUED, S.RENDERING, S.ISSUED})


@dataclass(frozen=True)
class IllegalReportMove(Exception):
    code: str
    message: str
    allowed: tuple[str, ...]


def allowed_actions(status: str) -> tuple[str, ...]:
    """The actions a person may take on a report in `status`, in table order (the worker's moves are not
    theirs to make: a report being rendered offers nothing until the worker is done)."""
    return tuple(
        action
        for action, (sources, _) in ACTIONS.items()
        if status in sources and action not in WORKER_ACTIONS
    )


def check_move(status: str, action: str) -> str:
    """The status `action` leads to from `status`, or IllegalReportMove with a code and the actions a person
    may take instead."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown report action {action!r}")
    sources, target = ACTIONS[action]
    if status in sources:
        return target
    code, message = _REFUSALS[action]
    if action == "approve" and status in _ALREADY_APPROVED:
        code = "ALREADY_ISSUED"
        message = "There is nothing to approve: this version has already been approved" + (
            " and issued." if status == S.ISSUED else " and is being rendered."
        )
    raise IllegalReportMove(code, message, allowed_actions(status))


@dataclass(frozen=True)
class ApprovalRefusal:
    code: str
    message: str


def separation_of_duties(*, approver_id: int | None, author_id: int | None) -> ApprovalRefusal | None:
    """domain.md §8 ("facilitator drafts → TM approves"): the approval is a second person's check, so whoever
    wrote the version submitted may not approve it, even a treatment manager who drafted it themselves."""
    if approver_id is not None and approver_id == author_id:
        return ApprovalRefusal(
            "AUTHOR_CANNOT_APPROVE",
            "You wrote this version of the report, so another treatment manager must approve it.",
        )
    return None
