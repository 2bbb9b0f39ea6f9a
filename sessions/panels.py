"""Panels the delivery app adds to other apps' pages (`{% panels %}`): the enforcement state of a person's
referrals on the person page, and what is due on the OM's caseload (issue 8; domain.md §6)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from accounts.permissions import (
    can_record_enforcement,
    can_record_enforcement_for,
    is_staff_member,
)
from sessions.models import Membership
from sessions.progress import enforcement_due_for, enforcement_for
from sessions.rules.enforcement import BREACH_DUE, NONE, WARNING_DUE


def person_detail(request: HttpRequest, person: Any) -> str:
    """Each referral with an enforcement history or a membership: its state, what is due and by when."""
    referrals = list(getattr(person, "referral_list", None) or [])
    if not referrals or not is_staff_member(request.user):
        return ""
    for r in referrals:
        r.area = person.area if hasattr(person, "area") else r.area
    views = enforcement_for(referrals)
    memberships = {
        m.referral_id: m
        for m in Membership.objects.filter(referral__in=referrals).order_by("joined_on", "id")
    }
    rows = [
        {"referral": r, "view": views[r.pk], "membership": memberships.get(r.pk)}
        for r in referrals
        if views[r.pk].state.status != NONE or r.pk in memberships
    ]
    if not rows:
        return ""
    user = request.user
    may_record = can_record_enforcement_for(user, person)
    return render_to_string(
        "sessions/attendance/_enforcement_panel.html",
        {"rows": rows, "may_record": may_record, "WARNING_DUE": WARNING_DUE, "BREACH_DUE": BREACH_DUE},
        request=request,
    )


def caseload(request: HttpRequest, page: Any) -> str:
    """The OM's caseload (or a TM's people list): who has a warning or breach action due, and by when. Reads the
    user's whole caseload in a fixed number of queries."""
    user = request.user
    if not can_record_enforcement(user):
        return ""
    # The open referrals with a failure to comply, as the home page's "Enforcement due" reads them (perf, issue
    # 11: reading every referral of the area with a membership, ten years of them, cost 50 ms at national scale).
    pairs = enforcement_due_for(user)  # type: ignore[arg-type]
    # Breach action first (soonest due first), then warnings.
    pairs.sort(
        key=lambda p: (p[1].state.status != BREACH_DUE, p[1].state.breach_due_by or p[1].state.failures[-1])
    )
    due = [{"referral": r, "view": v} for r, v in pairs]
    if not due:
        return ""
    return render_to_string("sessions/attendance/_enforcement_due.html", {"due": due}, request=request)
