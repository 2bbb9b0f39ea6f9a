"""Every write of the delivery app (domain.md §2, §5, §6). Keyword-only, the acting user passed in, atomic,
row locks on state changes, and an audit event in the same transaction.

Bad input raises Django's ValidationError (field errors: 400 in the API, form errors on the pages); a domain rule
refusing a change raises `isotp.errors.DomainConflict` (409 with its `code`).
"""

from .attendance import RegisterEntry, TakenRegister, record_attendance, take_register
from .catalogue import create_programme_version
from .catch_ups import (
    book_catch_up,
    cancel_catch_up,
    grant_catch_up_exception,
    record_catch_up_outcome,
)
from .completion import close_group, close_plan, complete_finished
from .enforcement import record_breach, record_warning
from .feeds import issue_feed_token, revoke_feed_token
from .groups import check_facilitators, create_group, preview_schedule, schedule_for
from .memberships import REMOVAL_NEXT_STATUSES, allocate, allocate_several, remove_member
from .plans import check_plan, create_one_to_one_plan, parse_plan
from .scheduling import cancel_session_by_provider, reschedule_session

__all__ = [
    "REMOVAL_NEXT_STATUSES",
    "RegisterEntry",
    "TakenRegister",
    "allocate",
    "allocate_several",
    "book_catch_up",
    "cancel_catch_up",
    "cancel_session_by_provider",
    "check_facilitators",
    "check_plan",
    "close_group",
    "close_plan",
    "complete_finished",
    "create_group",
    "create_one_to_one_plan",
    "create_programme_version",
    "grant_catch_up_exception",
    "issue_feed_token",
    "parse_plan",
    "preview_schedule",
    "record_attendance",
    "record_breach",
    "record_catch_up_outcome",
    "record_warning",
    "remove_member",
    "reschedule_session",
    "revoke_feed_token",
    "schedule_for",
    "take_register",
]
