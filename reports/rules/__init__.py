"""Pure rules of the Post-Programme Report (domain.md §8, seed 003, Probation Circular 09/2007). No Django."""

from reports.rules.attendance import (
    AttendanceFacts,
    SessionRecord,
    before_leaving,
    last_attended,
    summarise_attendance,
)
from reports.rules.completion import CompletionDecision, completion_decision
from reports.rules.content import (
    ISOTP_TARGETS,
    RATINGS,
    ReportKind,
    Target,
    kind_for_membership,
    missing_for_approval,
    sections_for,
    targets_for,
)
from reports.rules.statuses import (
    ACTIONS,
    STATUS_LABELS,
    WORKER_ACTIONS,
    ApprovalRefusal,
    IllegalReportMove,
    ReportStatus,
    allowed_actions,
    check_move,
    separation_of_duties,
)

__all__ = [
    "ACTIONS",
    "ISOTP_TARGETS",
    "RATINGS",
    "STATUS_LABELS",
    "WORKER_ACTIONS",
    "ApprovalRefusal",
    "AttendanceFacts",
    "CompletionDecision",
    "IllegalReportMove",
    "ReportKind",
    "ReportStatus",
    "SessionRecord",
    "Target",
    "allowed_actions",
    "before_leaving",
    "check_move",
    "completion_decision",
    "kind_for_membership",
    "last_attended",
    "missing_for_approval",
    "sections_for",
    "separation_of_duties",
    "summarise_attendance",
    "targets_for",
]
