"""The waiting list per programme and format (TMs and area administrators): oldest first, with the age at the
planned start, how long each has waited, the end of supervision and how soon each must start to finish within it
(rules.waiting). Tabs are plain links, so the page works without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from accounts import permissions
from accounts.permissions import require
from audit.services import record_search
from isotp.clock import today
from referrals import selectors

if TYPE_CHECKING:
    from accounts.models import ProbationArea, User

PAGE_SIZE = 50
# The urgency levels (rules.waiting) of people who must start soon: within 8 weeks, or can no longer finish.
URGENT_LEVELS = ("overdue", "start_soon")


def waiting_list_url(programme: str, fmt: str, *, soon_only: bool = False) -> str:
    """The waiting list filtered to one programme and format (and, if asked, to who must start soon)."""
    from django.urls import reverse

    query = {"programme": programme, "format": fmt, **({"urgency": "soon"} if soon_only else {})}
    return f"{reverse('referrals:waiting_list')}?{urlencode(query)}"


@dataclass(frozen=True)
class Tab:
    programme: str
    format: str
    label: str


TABS = (
    Tab("isotp", "group", "i-SOTP group"),
    Tab("isotp", "one_to_one", "i-SOTP one-to-one"),
    Tab("nsogp", "group", "N-SOGP"),
)
LIHI_TABS = (Tab("li", "group", "Low Intensity (LI)"), Tab("hi", "group", "High Intensity (HI)"))


@login_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    """TMs and admins: one programme and format's waiting list (`?programme=&format=`), oldest first."""
    require(permissions.can_view_waiting_list(request.user))
    user = cast("User", request.user)
    area = cast("ProbationArea", user.area)
    tabs = TABS + (LIHI_TABS if area.lihi_enabled else ())
    programme, fmt = request.GET.get("programme", ""), request.GET.get("format", "")
    tab = next((t for t in tabs if (t.programme, t.format) == (programme, fmt)), tabs[0])
    counts = selectors.waiting_counts(user)
    restarts_only = request.GET.get("restart") == "yes"
    rows = selectors.waiting_list(
        user, programme=tab.programme, format=tab.format, today=today(), restarts_only=restarts_only
    )
    overdue = sum(row.urgency.level == "overdue" for row in rows)
    soon = sum(row.urgency.level == "start_soon" for row in rows)
    # `?urgency=soon`: exactly the people the home page's "must start soon" counts (within 8 weeks, or too late).
    soon_only = request.GET.get("urgency") == "soon"
    if soon_only:
        rows = [row for row in rows if row.urgency.level in URGENT_LEVELS]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record_search(actor=user, list_name="waiting_list", query=request.GET.dict())
    return render(
        request,
        "referrals/waiting_list.html",
        {
            "tabs": [
                (
                    t,
                    counts.get((t.programme, t.format), 0),
                    t == tab,
                    urlencode({"programme": t.programme, "format": t.format}),
                )
                for t in tabs
            ],
            "tab": tab,
            "page": page,
            "query": urlencode(
                {
                    "programme": tab.programme,
                    "format": tab.format,
                    **({"restart": "yes"} if restarts_only else {}),
                    **({"urgency": "soon"} if soon_only else {}),
                }
            ),
            "restarts_only": restarts_only,
            "soon_only": soon_only,
            "overdue": overdue,
            "soon": soon,
            "today": today(),
        },
    )
