"""CSV exports of a group's schedule and of a session's register (issue 13), through the shared writer
(formula injection neutralised). Each export is audited: who took which schedule or register out of the service
and, for a register, whose attendance it held (membership ids, never names)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from accounts.permissions import can_view_groups, require, require_in_area
from audit.services import record_event
from isotp.csv_export import csv_text
from sessions.models import SessionStatus
from sessions.selectors.groups import group_for_user
from sessions.services.attendance import check_can_take_register

if TYPE_CHECKING:
    from accounts.models import User
    from sessions.models import ProgrammeGroup, ScheduledSession
    from sessions.progress import RegisterLine

SCHEDULE_HEADINGS = ("Session", "Module", "Block", "Date", "Start", "End", "Venue", "Status", "Moved from")
REGISTER_HEADINGS = (
    "Name",
    "CRN",
    "Attendance",
    "Sent home for an acceptable reason",
    "Homework done",
    "Personal work presented",
)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


@transaction.atomic
def export_group_schedule(*, actor: User, group: ProgrammeGroup, sessions: Sequence[ScheduledSession]) -> str:
    """Anyone who may see the group (the selector has scoped it): its whole schedule, cancelled sessions
    included (unnumbered, as on the page) and moved ones with the date they moved from."""
    require_in_area(actor, group)
    require(can_view_groups(actor), "You cannot see this group")
    group_for_user(actor, group.public_id)  # a facilitator sees only the groups they deliver (404)
    record_event(
        actor=actor,
        action="group.schedule_exported",
        obj=group,
        object_label=group.reference,
        changes={"sessions": len(sessions)},
    )
    return csv_text(
        SCHEDULE_HEADINGS,
        (
            (
                "" if s.status == SessionStatus.CANCELLED_BY_PROVIDER else s.number,
                f"{s.module}. {s.module_title}",
                s.block or "",
                s.date.isoformat(),
                f"{s.start:%H:%M}",
                f"{s.end:%H:%M}",
                s.venue.name,
                s.get_status_display(),
                s.moved_from.isoformat() if s.moved_from else "",
            )
            for s in sessions
        ),
    )


@transaction.atomic
def export_register(*, actor: User, session: ScheduledSession, lines: Sequence[RegisterLine]) -> str:
    """The session's facilitators and TMs (the selector has scoped the session): its register, one row per
    member, as recorded so far (blank where nothing is recorded yet). Free-text notes stay in the service."""
    check_can_take_register(actor, session)
    owner = session.group or session.plan
    record_event(
        actor=actor,
        action="session.register_exported",
        obj=session,
        object_label=f"{owner.reference} session {session.number}" if owner else f"session {session.number}",
        area_id=getattr(owner, "area_id", None),
        changes={"people": len(lines), "memberships": [str(line.membership.public_id) for line in lines]},
    )
    return csv_text(
        REGISTER_HEADINGS,
        (
            (
                line.membership.referral.person.full_name,
                line.membership.referral.person.crn,
                line.record.get_outcome_display() if line.record else "Not recorded",
                _yes_no(line.record.sent_home_acceptable) if line.record else "",
                _yes_no(line.record.homework_done) if line.record else "",
                _yes_no(line.record.personal_work) if line.record else "",
            )
            for line in lines
        ),
    )
