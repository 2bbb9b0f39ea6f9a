"""Home page cards for quality assurance and background work, each linking to an attention list of exactly the rows
it counts (`isotp.home.AttentionList`), each costing a fixed number of queries:

- treatment managers: recordings not yet monitored, facilitators below the monitoring target;
- facilitators: the sessions they delivered and have not marked as recorded;
- area administrators: failed background tasks (report renders and audit packs of their area that failed, and work
  the outbox could not hand to the task queue).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from isotp import clock
from isotp.dates import long_date, weekday_date
from isotp.home import AttentionList, Cell, QueryRows, attention_card, gated_list
from isotp.models import OutboxMessage
from quality import selectors
from quality.models import AuditPack, AuditPackStatus, MonitoringForm
from reports.models import PostProgrammeReport
from reports.rules import ReportStatus

SHARE_DAYS = 365


def _session_text(session: Any) -> str:
    owner = session.group or session.plan
    return f"{owner.reference if owner else ''} session {session.number}, {weekday_date(session.date)}"


def recordings_to_monitor(user: Any, today: dt.date) -> AttentionList:
    """TMs: recordings with no monitoring form yet. The home card counts them (one COUNT); the attention page
    builds one page of rows (the COUNT and one query with its prefetch)."""
    unmonitored = ~Exists(MonitoringForm.objects.filter(recording=OuterRef("pk")))
    qs = selectors.recordings_for_user(user).filter(unmonitored).order_by("session__date", "id")

    def row(r: Any) -> tuple[Cell, ...]:
        return (
            Cell(_session_text(r.session)),
            Cell(", ".join(f.full_name for f in r.session.facilitators.all())),
            Cell("Monitor", reverse("quality:monitoring_form", args=[r.public_id])),
        )

    # Counted, or built a page at a time (the attention page's paginator slices it): an area's unmonitored
    # recordings grow with its history.
    rows = QueryRows(qs, row, prepare=selectors.with_facilitators)
    return AttentionList(
        key="recordings-to-monitor",
        title="Recordings not yet monitored",
        description="Sessions facilitators marked as recorded with no monitoring form yet.",
        columns=("Session", "Facilitators", ""),
        rows=rows,
        empty="Every recording has a monitoring form.",
    )


def facilitators_below_target(user: Any, today: dt.date) -> AttentionList:
    """TMs: facilitators whose monitored share of the last year's sessions is below the area's target."""
    below = [
        row
        for row in selectors.monitoring_shares(user, since=today - dt.timedelta(days=SHARE_DAYS), today=today)
        if not row.share.meets_target
    ]
    rows = [
        (
            Cell(
                row.facilitator.full_name,
                reverse("quality:facilitator_record", args=[row.facilitator.public_id]),
            ),
            Cell(str(row.share.delivered)),
            Cell(str(row.share.monitored)),
            Cell(row.share.reason),
        )
        for row in below
    ]
    return AttentionList(
        key="facilitators-below-target",
        title="Facilitators below the monitoring target",
        description="Each facilitator's share of the last year's sessions monitored, against the area's target.",
        columns=("Facilitator", "Sessions delivered", "Monitored", "Share"),
        rows=rows,
        empty="Everyone is on target.",
    )


def sessions_to_mark(user: Any, today: dt.date) -> AttentionList:
    """Facilitators: their delivered sessions of the last 8 weeks not yet marked as recorded (one query)."""
    rows = [
        (Cell(_session_text(s)), Cell("Mark as recorded", reverse("quality:recordings")))
        for s in selectors.recordable_sessions(user, today)
    ]
    return AttentionList(
        key="sessions-to-mark-recorded",
        title="Sessions to mark as recorded",
        description="Sessions you delivered in the last 8 weeks and have not marked as recorded.",
        columns=("Session", ""),
        rows=rows,
        empty="Nothing to mark.",
    )


def failed_tasks(user: Any, today: dt.date) -> AttentionList:
    """Administrators: background work that failed. Report renders and audit packs of their area that failed,
    and, to a superuser or a national reader only (permissions.can_see_service_wide_tasks), outbox messages not
    handed to the task queue after an error (the outbox is service-wide, with no area). No error text is shown,
    since it could hold personal data: a plain category only (review of issue 14). Three queries at most."""
    area_id = user.area_id
    rows: list[tuple[Cell, ...]] = []
    for report in PostProgrammeReport.objects.filter(area_id=area_id, status=ReportStatus.FAILED).order_by(
        "-updated_at", "-id"
    ):
        when = timezone.localtime(report.updated_at)
        rows.append(
            (
                Cell("Report render"),
                Cell(f"{long_date(when)} {when:%H:%M}"),
                Cell("The PDF could not be produced."),
                Cell("A treatment manager can retry it from the reports list."),
            )
        )
    for pack in AuditPack.objects.filter(area_id=area_id, status=AuditPackStatus.FAILED).order_by(
        "-requested_at"
    ):
        when = timezone.localtime(pack.finished_at or pack.requested_at)
        rows.append(
            (
                Cell("Statistics audit pack"),
                Cell(f"{long_date(when)} {when:%H:%M}"),
                Cell("The PDF could not be produced."),
                Cell("Request the pack again from the statistics page."),
            )
        )
    service_wide = (
        OutboxMessage.objects.filter(dispatched_at__isnull=True).exclude(last_error="").order_by("created_at")
        if permissions.can_see_service_wide_tasks(user)
        else OutboxMessage.objects.none()
    )
    for message in service_wide:
        when = timezone.localtime(message.created_at)
        rows.append(
            (
                Cell(f"Queued task: {message.task_name}"),
                Cell(f"{long_date(when)} {when:%H:%M}"),
                Cell(f"Not yet handed to the task queue after {message.attempts} attempt(s)."),
                Cell("Sent again automatically every minute once the queue is back."),
            )
        )
    return AttentionList(
        key="failed-tasks",
        title="Failed background tasks",
        description="Report renders and audit packs that failed, and queued work waiting after an error.",
        columns=("Task", "When", "What happened", "What to do"),
        rows=rows,
        empty="No background task has failed.",
    )


LISTS = {
    "recordings-to-monitor": (recordings_to_monitor, permissions.can_monitor_sessions),
    "facilitators-below-target": (facilitators_below_target, permissions.can_monitor_sessions),
    "sessions-to-mark-recorded": (sessions_to_mark, permissions.is_facilitator),
    "failed-tasks": (failed_tasks, permissions.is_area_admin),
}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    today = clock.today()
    if permissions.can_monitor_sessions(user):
        below = facilitators_below_target(user, today)
        return [
            attention_card(recordings_to_monitor(user, today), link_text="Sample a recording"),
            attention_card(
                below,
                link_text="See each facilitator's share",
                description=", ".join(row[0].text for row in below.rows[:3]) or "Everyone is on target.",
            ),
        ]
    if permissions.is_facilitator(user):
        return [attention_card(sessions_to_mark(user, today), link_text="Mark recorded sessions")]
    if permissions.is_area_admin(user):
        return [attention_card(failed_tasks(user, today), link_text="See what failed")]
    return []
