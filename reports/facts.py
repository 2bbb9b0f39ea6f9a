"""The facts a report states, read from the records (identification, attendance, psychometrics), as plain data.

Approval freezes them into the report's snapshot, so the PDF shows exactly what the TM approved and a later
change to the records never alters an issued version.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from isotp import clock
from reports.rules import (
    SessionRecord,
    before_leaving,
    last_attended,
    sections_for,
    summarise_attendance,
    targets_for,
)
from reports.rules.content import ENDED_EARLY
from sessions.models import Attendance, AttendanceOutcome, Membership, ScheduledSession, SessionStatus

OUTCOME_LABELS = dict(AttendanceOutcome.choices)


def _owner(membership: Membership) -> Any:
    return membership.group or membership.plan


def left_early(membership: Membership) -> bool:
    """The membership ended before the programme did (removed, or to restart): its facts stop where he left."""
    return membership.status in ENDED_EARLY and membership.left_on is not None


def _left_at(membership: Membership) -> dt.datetime | None:
    """The local moment the membership ended (the sessions service's audited `membership.ended` event): the
    leaving point within the leaving day. None when the records do not say."""
    from audit.models import AuditEvent

    at = (
        AuditEvent.objects.filter(action="membership.ended", object_id=str(membership.public_id))
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localtime(at).replace(tzinfo=None) if at else None


def _sessions(membership: Membership) -> list[ScheduledSession]:
    """The sessions of the member's group or plan from his joining; for someone who left early, only those before
    the leaving point (a session later on the leaving day is not his)."""
    owner = _owner(membership)
    qs = ScheduledSession.objects.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER).filter(
        date__gte=membership.joined_on
    )
    qs = qs.filter(group=owner) if membership.group_id else qs.filter(plan=owner)
    sessions = list(qs.order_by("date", "start", "number"))
    left_on = membership.left_on
    if left_on is None or not left_early(membership):
        return sessions
    left_at = _left_at(membership)
    recorded = set(
        Attendance.objects.filter(membership=membership, session__date=left_on).values_list(
            "session_id", flat=True
        )
    )
    return [
        s
        for s in sessions
        if before_leaving(s.date, s.start, left_on=left_on, left_at=left_at, recorded=s.pk in recorded)
    ]


def sessions_remaining(membership: Membership, today: dt.date | None = None) -> int:
    """Sessions of the member's group or plan still to take place (provider cancellations excluded)."""
    today = today or clock.today()
    return sum(1 for s in _sessions(membership) if s.date > today)


def _catch_ups(membership: Membership) -> dict[int, dt.date]:
    """Session id -> the date its catch-up was attended (issue 8's catch-ups, when that app provides them)."""
    try:
        from sessions.models import CatchUp
    except ImportError:
        return {}
    rows = CatchUp.objects.filter(membership=membership, outcome__in=("attended", "late")).values_list(
        "missed_session_id", "date"
    )
    return dict(rows)


def _records(membership: Membership, sessions: list[ScheduledSession]) -> list[SessionRecord]:
    """The member's register at `sessions` (his sessions, before the leaving point when he left early)."""
    caught = _catch_ups(membership)
    ids = {s.pk for s in sessions}
    return [
        SessionRecord(
            number=a.session.number,
            date=a.session.date,
            outcome=a.outcome,
            caught_up_on=caught.get(a.session_id),
        )
        for a in Attendance.objects.filter(membership=membership).select_related("session")
        if a.session_id in ids
    ]


def attendance_facts(
    membership: Membership, sessions: list[ScheduledSession] | None = None
) -> dict[str, Any]:
    """domain.md §8: sessions attended, catch-ups with dates, absences with dates and outcome."""
    records = _records(membership, _sessions(membership) if sessions is None else sessions)
    summary = summarise_attendance(records)
    last = last_attended(records)
    return {
        "last_attended": last.isoformat() if last else None,
        "sessions_recorded": summary.sessions_delivered,
        "attended": summary.attended,
        "missed": summary.missed,
        "caught_up": summary.caught_up,
        "completed": summary.completed,
        "absences": [
            {
                "number": r.number,
                "date": r.date.isoformat(),
                "outcome": r.outcome,
                "outcome_label": OUTCOME_LABELS.get(r.outcome, r.outcome),
                "caught_up_on": r.caught_up_on.isoformat() if r.caught_up_on else None,
            }
            for r in summary.absences
        ],
    }


def psychometrics(membership: Membership) -> dict[str, Any] | None:
    """The member's pre and post results with norms, RCI and classification, and the chart's SVG (issue 9's
    selector and pure chart function), as JSON-safe data; None when nothing has been recorded."""
    from assessments.selectors import results_for_report

    data = results_for_report(membership)
    if data is None:
        return None
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def post_psychometrics_done(membership: Membership) -> bool:
    """PC 09/2007 (domain.md §8): the post-programme battery is recorded."""
    from assessments.models import Administration

    return Administration.objects.filter(membership=membership, kind="post").exists()


def report_facts(membership: Membership, kind: str) -> dict[str, Any]:
    """Everything the report states that the facilitator does not write, as JSON-safe data."""
    owner = _owner(membership)
    programme = owner.programme
    person = membership.referral.person
    sessions = _sessions(membership)
    if membership.group_id:
        facilitators = [
            link.facilitator.full_name for link in owner.facilitator_links.select_related("facilitator")
        ]
    else:
        facilitators = [owner.facilitator.full_name]
    attendance = attendance_facts(membership, sessions)
    early = left_early(membership) and membership.left_on is not None
    return {
        "kind": kind,
        "programme": {
            "name": programme.name,
            "code": programme.code,
            "programme": programme.programme,
            "format": programme.format,
            "version": programme.version,
        },
        "reference": owner.reference,
        "person": {
            "full_name": person.full_name,
            "crn": person.crn,
            "date_of_birth": person.date_of_birth.isoformat(),
        },
        "dates": {
            "joined_on": membership.joined_on.isoformat(),
            # Left early: the day the membership ended. Otherwise the completion date, which is the last session
            # (or catch-up) attended, from the records: the same in every version, whenever it is issued.
            "left_on": (
                membership.left_on.isoformat()
                if early and membership.left_on
                else attendance["last_attended"]
            ),
            "left_early": early,
            "first_session": sessions[0].date.isoformat() if sessions else None,
            "last_session": sessions[-1].date.isoformat() if sessions else None,
            "sessions_scheduled": len(sessions),
        },
        "offender_manager": person.offender_manager.full_name if person.offender_manager_id else "",
        "facilitators": facilitators,
        "treatment_manager": owner.treatment_manager.full_name,
        "attendance": attendance,
        "psychometrics": psychometrics(membership),
        "removal_reason": membership.removal_reason,
        "targets": [
            {"code": t.code, "title": t.title} for t in targets_for(programme.programme, programme.modules)
        ],
        "sections": sections_for(kind),
    }
