"""Values the delivery app adds to a referral's API answer (found by `isotp.hooks.app_hooks`, so referrals does not
import sessions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from referrals.models import Referral
from sessions.models import Membership, MembershipStatus
from sessions.progress import EnforcementView, enforcement_for, session_label


def enforcement_dict(view: EnforcementView) -> dict[str, Any]:
    state = view.state
    return {
        "status": state.status,
        "status_label": state.label,
        "warning_issued_on": state.warning_issued_on,
        "breach_due_by": state.breach_due_by,
        "breach_actioned_on": state.breach_actioned_on,
        "failures": [{"date": f.date, "what": f.what, "session": f.session_id} for f in view.failures],
        "code": state.code,
        "reason": state.reason,
    }


def enforcement(referral: Referral) -> dict[str, Any]:
    """domain.md §6: the referral's enforcement state (`enforcement` on GET referrals/{id}/)."""
    return enforcement_dict(enforcement_for([referral])[referral.pk])


def restarts(referrals: Sequence[Referral]) -> dict[int, dict[str, Any]]:
    """domain.md §6, §9: per referral whose latest place ended `restart_required` (the programme must be started
    again), why: the place, when it ended, the missed session that could no longer be caught up and the reason.
    One query, whatever the number of referrals (the waiting list asks for all of its rows at once)."""
    latest: dict[int, Membership] = {}
    rows = (
        Membership.objects.filter(referral__in=[r.pk for r in referrals])
        .select_related("group", "plan", "restart_session")
        .order_by("referral_id", "joined_on", "id")
    )
    for membership in rows:
        latest[membership.referral_id] = membership  # the last one wins: the referral's latest place
    return {
        referral_id: {
            "place": (m.group or m.plan).reference,  # type: ignore[union-attr]
            "ended_on": m.left_on,
            "missed_session": m.restart_session.public_id if m.restart_session else None,
            "missed_session_label": session_label(m.restart_session) if m.restart_session else "",
            "reason": m.removal_reason,
        }
        for referral_id, m in latest.items()
        if m.status == MembershipStatus.RESTART_REQUIRED
    }


def restart(referral: Referral) -> dict[str, Any] | None:
    """`restarts` for one referral (`restart` on GET referrals/{id}/), or None when it is not a restart."""
    return restarts([referral]).get(referral.pk)
