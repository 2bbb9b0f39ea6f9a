"""Values the delivery app adds to a referral's API answer (found by `isotp.hooks.app_hooks`, so referrals does not
import sessions)."""

from __future__ import annotations

from typing import Any

from referrals.models import Referral
from sessions.progress import EnforcementView, enforcement_for


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
