"""Home page cards for quality assurance: TMs see recordings not yet monitored and facilitators below the
monitoring target; facilitators the sessions they delivered and have not marked as recorded. Each links to the QA
page that lists exactly those; each card costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from isotp import clock
from quality import selectors


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    today = clock.today()
    url = reverse("quality:recordings")
    if permissions.can_monitor_sessions(user):
        below = [
            row
            for row in selectors.monitoring_shares(user, since=today - dt.timedelta(days=365), today=today)
            if not row.share.meets_target
        ]
        return [
            {
                "title": "Recordings not yet monitored",
                "count": selectors.recordings_for_user(user).filter(monitoring_forms__isnull=True).count(),
                "url": url,
                "link_text": "Sample a recording",
                "description": "Sessions facilitators marked as recorded with no monitoring form yet.",
            },
            {
                "title": "Facilitators below the monitoring target",
                "count": len(below),
                "url": url,
                "link_text": "See each facilitator's share",
                "description": ", ".join(row.facilitator.full_name for row in below[:3])
                or "Everyone is on target.",
            },
        ]
    if permissions.is_facilitator(user):
        return [
            {
                "title": "Sessions to mark as recorded",
                "count": selectors.recordable_sessions(user, today).count(),
                "url": url,
                "link_text": "Mark recorded sessions",
                "description": "Sessions you delivered in the last 8 weeks.",
            }
        ]
    return []
