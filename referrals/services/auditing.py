"""The audit events the referral services write, labelled with the person's CRN (never their name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from audit.services import record_event

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Person, Referral


def person_event(
    actor: User, action: str, person: Person, changes: Mapping[str, Any] | None = None, reason: str = ""
) -> None:
    record_event(
        actor=actor, action=action, obj=person, object_label=person.crn, changes=changes, reason=reason
    )


def referral_event(
    actor: User, action: str, referral: Referral, changes: Mapping[str, Any] | None = None, reason: str = ""
) -> None:
    record_event(
        actor=actor,
        action=action,
        obj=referral,
        object_label=referral.person.crn,
        changes=changes,
        reason=reason,
    )
