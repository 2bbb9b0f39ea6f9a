"""Issue 13: after a provider cancellation the schedule showed two sessions numbered 6, and a moved session did not
say it moved. Each number now appears once among the live sessions; the cancelled row says which session was due,
and every moved session says from when to when (the page, and `moved_from` in the API)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import SessionStatus
from tests.sessions.factories import make_group

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = dt.date


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _numbers_shown(html: str) -> list[str]:
    table = html.split("app-schedule-table", 1)[1]
    body = table.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return re.findall(
        r'<tr class="govuk-table__row[^"]*">\s*<td[^>]*class="govuk-table__cell"[^>]*>([^<]*)</td>', body
    )


def test_a_provider_cancellation_leaves_one_session_of_each_number(area, tm, login):
    group = make_group(area, actor=tm)
    sixth = group.sessions.get(number=6)
    was_on = sixth.date
    replacement = services.cancel_session_by_provider(actor=tm, session=sixth, reason="Venue flooded")
    assert replacement.moved_from == was_on
    seventh = group.sessions.get(number=7, status=SessionStatus.SCHEDULED)
    assert seventh.moved_from is not None and seventh.date > seventh.moved_from

    html = login(tm).get(reverse("programme_sessions:group_detail", kwargs={"public_id": group.public_id}))
    html = html.content.decode()
    shown = [n for n in _numbers_shown(html) if n.strip()]
    assert shown.count("6") == 1, shown
    assert len(shown) == len(set(shown))
    assert "Session 6 was due on this date" in html
    assert f"Moved from {was_on:%a} {was_on.day} {was_on:%b %Y} to" in html


def test_a_reschedule_says_it_moved_and_moving_back_clears_it(area, tm, api):
    group = make_group(area, actor=tm)
    third = group.sessions.get(number=3)
    planned = third.date
    [moved] = services.reschedule_session(
        actor=tm, session=third, new_date=planned + dt.timedelta(days=1), cascade=False
    )
    assert moved.moved_from == planned
    again = services.reschedule_session(actor=tm, session=moved, new_date=planned, cascade=False)
    assert again[0].moved_from is None

    services.reschedule_session(
        actor=tm, session=again[0], new_date=planned + dt.timedelta(days=1), cascade=False
    )
    body = api(tm).get(f"/api/v1/groups/{group.public_id}/sessions/").json()
    rows = body["results"] if isinstance(body, dict) else body
    third_row = next(r for r in rows if r["number"] == 3)
    assert third_row["moved_from"] == planned.isoformat()
