"""Reads the referrals pages need that `referrals/selectors.py` does not offer (owned by the pages).

Same rules as the selectors: built on their scoped querysets (area first, an OM's own caseload), so nothing here
can widen what a user sees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count

from referrals import selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def waiting_counts(user: User | AnonymousUser) -> dict[tuple[str, str], int]:
    """How many referrals await allocation per (programme, format), in one query (waiting-list tabs, home page)."""
    rows = (
        selectors.referrals_for_list(user, status="awaiting_allocation")
        .order_by()
        .values("programme", "format")
        .annotate(n=Count("id"))
    )
    return {(row["programme"], row["format"]): row["n"] for row in rows}


def status_counts(user: User | AnonymousUser, statuses: list[str]) -> dict[str, int]:
    """How many of the user's referrals are in each of `statuses`, in one query (home page cards)."""
    rows = (
        selectors.referrals_for_list(user, status=statuses)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(statuses, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
