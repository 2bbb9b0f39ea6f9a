"""CSV exports of the waiting list (issue 13): the rows the page shows (every page of them, in its order and
with its search and filters), through the shared writer (formula injection neutralised), and audited: an export
takes people's details out of the service, so who exported which list, and whose referrals were in it, is
recorded (the referrals' ids, never names)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from accounts.permissions import can_view_waiting_list, require
from audit.services import record_event, record_search
from isotp.csv_export import csv_text
from referrals.templatetags.referral_pages import urgency_label

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.selectors import WaitingRow

WAITING_HEADINGS = (
    "Place",
    "Name",
    "CRN",
    "Offender manager",
    "Planned start",
    "Age at planned start",
    "Waiting since",
    "Supervision ends",
    "Must start by",
    "Urgency",
    "Restart",
)


@transaction.atomic
def export_waiting_list(
    *, actor: User, rows: Sequence[WaitingRow], list_label: str, filters: Mapping[str, str]
) -> str:
    """TMs and administrators: the waiting list as CSV (the rows come from `selectors.waiting_list`, scoped
    to the actor's area). Writes one audit event and one search-log row."""
    require(can_view_waiting_list(actor), "Only managers export the waiting list")
    record_event(
        actor=actor,
        action="waiting_list.exported",
        object_type="waiting_list",
        object_id=list_label,
        object_label=list_label,
        area_id=actor.area_id,
        changes={
            "people": len(rows),
            "filters": {("search" if k == "q" else k): v for k, v in filters.items() if v},
            "referrals": [str(row.referral.public_id) for row in rows],
        },
    )
    record_search(actor=actor, list_name="waiting_list", query={**filters, "export": "csv"})
    return csv_text(
        WAITING_HEADINGS,
        (
            (
                row.position,
                row.person.full_name,
                row.person.crn,
                row.person.offender_manager.full_name if row.person.offender_manager else "",
                row.planned_start.isoformat(),
                row.age_at_start,
                timezone.localtime(row.awaiting_since).date().isoformat(),
                row.supervision_end.isoformat() if row.supervision_end else "Not recorded",
                row.urgency.latest_start.isoformat() if row.urgency.latest_start else "",
                urgency_label(row.urgency.level),
                "Yes" if row.restart else "No",
            )
            for row in rows
        ),
    )
