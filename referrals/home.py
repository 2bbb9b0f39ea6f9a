"""Home page cards for the referrals app (found by isotp.home through the `home_widgets` hook).

OMs: their caseload, draft referrals to finish, referrals that need them (on hold, restart). TMs: referrals
awaiting assessment, the waiting list by programme, and who must start soon to finish within supervision.
Each card costs a fixed number of queries, whatever the numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions
from isotp import clock
from isotp.dates import long_date
from isotp.home import AttentionList, AttentionLists, Cell, attention_url, gated_list
from referrals import selectors
from referrals.programme_terms import AreaCatalogue, catalogue_for
from referrals.rules.transitions import ReferralStatus
from referrals.rules.waiting import DEFAULT_WARNING_WEEKS
from referrals.views.waiting_list import LIHI_TABS, TABS, URGENT_LEVELS, waiting_list_url

# Referrals an OM has to act on: a draft to finish, or one parked or sent back that needs their information.
OM_ACTION: list[str] = [ReferralStatus.DRAFT, ReferralStatus.ON_HOLD, ReferralStatus.RESTART_REQUIRED]


def _list_url(name: str, **query: str | list[str]) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    """Cards for the signed-in user's role (none for roles that do not work with referrals)."""
    user = request.user
    if permissions.is_offender_manager(user):
        return _offender_manager(user)
    if permissions.is_treatment_manager(user):
        return _treatment_manager(user)
    return []


# The caseload's programme status card: every status a referral can be in after it is sent, in domain.md §9 order.
CASELOAD_STATUSES: list[str] = [s for s in ReferralStatus if s != ReferralStatus.DRAFT]


def caseload_programme_status(user: Any) -> dict[str, Any]:
    """OMs: how many of their caseload's referrals are in each status (one query), each count linking to the
    referrals list filtered to exactly that status."""
    counts = selectors.status_counts(user, CASELOAD_STATUSES)
    return {
        "title": "My caseload's programme status",
        "count": sum(counts.values()),
        "url": _list_url("referrals:referral_list"),
        "link_text": "View all their referrals",
        "description": "Referrals sent for people on your caseload, by status:"
        if any(counts.values())
        else "No referrals sent yet.",
        "links": [
            {
                "text": f"{ReferralStatus(status).label}: {n}",
                "url": _list_url("referrals:referral_list", status=status),
            }
            for status, n in counts.items()
            if n
        ],
    }


def _offender_manager(user: Any) -> list[dict[str, Any]]:
    counts = selectors.status_counts(user, OM_ACTION)
    return [
        caseload_programme_status(user),
        {
            "title": "My caseload",
            "count": selectors.people_for_list(user).count(),
            "url": reverse("referrals:person_list"),
            "link_text": "View my caseload",
            "description": "People you manage. Add someone or refer them for a programme.",
        },
        {
            "title": "Draft referrals",
            "count": counts[ReferralStatus.DRAFT],
            "url": _list_url("referrals:referral_list", status=ReferralStatus.DRAFT),
            "link_text": "Finish your drafts",
            "description": "Referrals you have started but not submitted.",
        },
        {
            "title": "Referrals needing action",
            "count": counts[ReferralStatus.ON_HOLD] + counts[ReferralStatus.RESTART_REQUIRED],
            "url": _list_url(
                "referrals:referral_list", status=[ReferralStatus.ON_HOLD, ReferralStatus.RESTART_REQUIRED]
            ),
            "link_text": "View referrals needing action",
            "description": "On hold waiting for information, or needing a restart.",
        },
    ]


def _urgent_ends_before(
    catalogue: AreaCatalogue, keys: list[tuple[str, str]], today: dt.date
) -> dict[tuple[str, str], dt.date]:
    """Per list, the supervision end before which a waiting person is urgent (overdue or must start within the
    warning weeks, rules.waiting.urgency): their "must start by" is before today + the warning weeks + 1 day
    exactly when their supervision ends before the catalogue's `ends_needing_a_start_before` that day (the same
    schedule as `latest_start`). A list whose programme is not offered has no "must start by", so no one urgent.
    Everyone later is left in the database, never built nor scheduled."""
    last_start = today + dt.timedelta(days=DEFAULT_WARNING_WEEKS * 7 + 1)
    bounds = {
        key: catalogue.ends_needing_a_start_before(key[0], key[1], last_start, on=today) for key in keys
    }
    return {key: bound for key, bound in bounds.items() if bound is not None}


SOON_KEY = "waiting-must-start-soon"
SOON_TITLE = "Must start soon"
SOON_DESCRIPTION = (
    "Waiting people who must start within 8 weeks, or can no longer finish, before their supervision ends."
)


def must_start_soon(user: Any, waiting: dict[tuple[str, str], int] | None = None) -> AttentionList:
    """TMs: waiting people who must start within 8 weeks, or can no longer finish, before their supervision ends
    (the waiting lists of every programme and format in a fixed number of queries, never per row or per
    programme)."""
    waiting = selectors.waiting_counts(user) if waiting is None else waiting
    tabs = TABS + (LIHI_TABS if user.area.lihi_enabled else ())
    today = clock.today()
    keys = [(t.programme, t.format) for t in tabs if waiting.get((t.programme, t.format))]
    catalogue = catalogue_for(user.area) if keys else None  # loaded once, only when anyone is waiting
    lists = selectors.waiting_lists(
        user,
        keys=keys,
        today=today,
        supervision_ends_before=_urgent_ends_before(catalogue, keys, today) if catalogue else {},
        catalogue=catalogue,
    )
    rows = []
    for tab in tabs:
        for row in lists.get((tab.programme, tab.format), ()):
            if row.urgency.level in URGENT_LEVELS:
                person = row.person
                rows.append(
                    (
                        Cell(
                            f"{person.first_name} {person.last_name} ({person.crn})",
                            reverse("referrals:referral_detail", args=[row.referral.public_id]),
                        ),
                        Cell(tab.label),
                        Cell(long_date(row.urgency.latest_start) if row.urgency.latest_start else ""),
                        Cell(row.urgency.message),
                    )
                )
    return AttentionList(
        key=SOON_KEY,
        title=SOON_TITLE,
        description=SOON_DESCRIPTION,
        columns=("Person", "Programme", "Latest start", "Why"),
        rows=rows,
        empty="No one on the waiting list must start soon.",
    )


def must_start_soon_counts(
    user: Any, waiting: dict[tuple[str, str], int] | None = None
) -> dict[tuple[str, str], int]:
    """How many rows `must_start_soon` lists per (programme, format), counted in SQL (one query, no row built:
    the home card shows only the counts; issue 11, 162 urgent rows built and scheduled at national scale). The
    same people: `must_start_soon` keeps exactly those whose supervision ends before their list's bound
    (`_urgent_ends_before`), and every one of them the rule calls overdue or start soon (perf9, exact)."""
    waiting = selectors.waiting_counts(user) if waiting is None else waiting
    tabs = TABS + (LIHI_TABS if user.area.lihi_enabled else ())
    keys = [(t.programme, t.format) for t in tabs if waiting.get((t.programme, t.format))]
    if not keys:
        return {}
    bounds = _urgent_ends_before(catalogue_for(user.area), keys, clock.today())
    return selectors.waiting_counts_ending_before(user, bounds)


LISTS: AttentionLists = {
    SOON_KEY: (lambda user, _today: must_start_soon(user), permissions.is_treatment_manager)
}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def _treatment_manager(user: Any) -> list[dict[str, Any]]:
    counts, waiting = selectors.status_and_waiting_counts(
        user, [ReferralStatus.SUBMITTED, ReferralStatus.ASSESSMENT]
    )
    tabs = TABS + (LIHI_TABS if user.area.lihi_enabled else ())
    soon = must_start_soon_counts(user, waiting)  # the card shows counts only: no row built (issue 11)
    soon_by_tab = {t.label: soon.get((t.programme, t.format), 0) for t in tabs}
    # Each count links to the waiting list filtered to exactly the people it counts (issue 14).
    waiting_links = [
        {
            "text": f"{t.label}: {waiting.get((t.programme, t.format), 0)} waiting",
            "url": waiting_list_url(t.programme, t.format),
        }
        for t in tabs
    ]
    soon_links = [
        {
            "text": f"{t.label}: {soon_by_tab[t.label]} must start soon",
            "url": waiting_list_url(t.programme, t.format, soon_only=True),
        }
        for t in tabs
        if soon_by_tab[t.label]
    ]
    return [
        {
            "title": "Referrals awaiting assessment",
            "count": counts[ReferralStatus.SUBMITTED] + counts[ReferralStatus.ASSESSMENT],
            "url": _list_url(
                "referrals:referral_list", status=[ReferralStatus.SUBMITTED, ReferralStatus.ASSESSMENT]
            ),
            "link_text": "View referrals awaiting assessment",
            "description": f"{counts['assessment']} already being assessed.",
        },
        {
            "title": "Waiting list",
            "count": sum(waiting.values()),
            "url": reverse("referrals:waiting_list"),
            "link_text": "View the waiting list",
            "description": "By programme and format:",
            "links": waiting_links,
        },
        {
            # As `attention_card(must_start_soon(user))` would make it, from the counts alone.
            "title": SOON_TITLE,
            "count": sum(soon_by_tab.values()),
            "url": attention_url(SOON_KEY),
            "link_text": "See who must start soon",
            "description": SOON_DESCRIPTION,
            "named": [],
            "links": soon_links,
        },
    ]
