"""Home page cards for area administrators: staff without a second factor, not signed in for a long time,
facilitators without a current supervisor or with training due (each links to the staff list filtered to exactly
those people), and the closure dates coming up (an attention list of exactly those dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions, selectors
from isotp import clock
from isotp.dates import weekday_date
from isotp.home import AttentionList, AttentionLists, Cell, attention_card, gated_list

SOON_DAYS = 56


def closures_coming_up(user: Any, today: dt.date) -> AttentionList:
    """Administrators: the area's closure dates in the next eight weeks (one query)."""
    soon = selectors.closures_for(user).filter(
        date__gte=today, date__lte=today + dt.timedelta(days=SOON_DAYS)
    )
    return AttentionList(
        key="closures-coming-up",
        title="Closure dates in the next 8 weeks",
        description="Days the area is closed: sessions are not scheduled on them.",
        columns=("Date", "Reason"),
        rows=[(Cell(weekday_date(c.date)), Cell(c.reason)) for c in soon],
        empty="No closure dates in the next eight weeks.",
    )


LISTS: AttentionLists = {"closures-coming-up": (closures_coming_up, permissions.is_area_admin)}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def _staff_card(user: Any, needs: str, title: str, link_text: str, description: str) -> dict[str, Any]:
    return {
        "title": title,
        "count": selectors.staff_for_list(user, needs=needs).count(),
        "url": f"{reverse('accounts:staff_list')}?{urlencode({'needs': needs})}",
        "link_text": link_text,
        "description": description,
    }


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not permissions.is_area_admin(user):
        return []
    closures = closures_coming_up(user, clock.today())
    return [
        _staff_card(
            user,
            "second_factor",
            "Staff without a second factor",
            "See who has not set up an authenticator",
            "They cannot finish signing in until they do.",
        ),
        _staff_card(
            user,
            "inactive",
            "Staff not signed in for 90 days",
            "Review these accounts",
            "Deactivate accounts no longer needed.",
        ),
        _staff_card(
            user,
            "supervisor",
            "Facilitators without a supervisor",
            "See facilitators without a supervisor",
            "Staff deliver under a treatment manager's supervision at all times.",
        ),
        _staff_card(
            user,
            "training",
            "Facilitators with training due",
            "See whose training is due",
            "The assessment centre and a programme's core training come before any delivery.",
        ),
        attention_card(
            closures,
            link_text="View the closure dates coming up",
            description=f"Next: {closures.rows[0][0].text} ({closures.rows[0][1].text})"
            if closures.rows
            else "None coming up.",
        ),
    ]
