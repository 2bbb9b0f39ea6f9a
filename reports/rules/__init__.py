"""Pure rules of the Post-Programme Report (domain.md §8, seed 003, Probation Circular 09/2007). No Django."""

from reports.rules.attendance import AttendanceFacts, SessionRecord, summarise_attendance
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
    IllegalReportMove,
    ReportStatus,
    check_move,
)

__all__ = [
    "ACTIONS",
    "ISOTP_TARGETS",
    "RATINGS",
    "STATUS_LABELS",
    "AttendanceFacts",
    "CompletionDecision",
    "IllegalReportMove",
    "ReportKind",
    "ReportStatus",
    "SessionRecord",
    "Target",
    "check_move",
    "completion_decision",
    "kind_for_membership",
    "missing_for_approval",
    "sections_for",
    "summarise_attendance",
    "targets_for",
]
