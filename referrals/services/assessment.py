"""The treatment manager's assessment of a submitted referral (domain.md §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.permissions import can_assess, require, require_person_found
from isotp.clock import today as clock_today
from isotp.errors import DomainConflict
from referrals.candidates import decision_for
from referrals.models import AssessmentDecision, AssessmentOutcome, Referral
from referrals.rules import STATUSES
from referrals.rules.eligibility import EligibilityDecision
from referrals.rules.transitions import ASSESSABLE, ReferralStatus
from referrals.services.auditing import referral_event
from referrals.services.status import _move, lock_referral
from referrals.services.validation import (
    has_open_referral,
    open_referral_conflict,
    validate_programme,
)

if TYPE_CHECKING:
    from accounts.models import User


# The outcomes that are a decision on suitability; `on_hold` parks the referral (with its reason) instead.
DECISIONS = frozenset(
    {AssessmentOutcome.SUITABLE, AssessmentOutcome.NOT_SUITABLE, AssessmentOutcome.SUITABLE_NOT_READY}
)


def record_assessment(
    *,
    actor: User,
    referral: Referral,
    outcome: str,
    override: Mapping[str, str | None] | None = None,
    rationale: str = "",
    reason_code: str = "",
    today: dt.date | None = None,
) -> AssessmentDecision:
    """TMs of the referral's area: record the assessment of a submitted referral, snapshotting the computed
    eligibility decision. Locks the referral row; audited.

    `override` ({"programme", "format", "route"}) replaces the recommendation and needs a rationale; so does an
    outcome that goes against the decision for the referral's programme. `suitable` moves the referral to
    the waiting list (suitable → awaiting_allocation); `suitable_not_ready` parks it after `suitable`;
    `not_suitable` closes it with `reason_code` (derived as `eligibility_rules` when the rules refuse it);
    `on_hold` parks it where it is, with `reason_code` (domain.md §9), and takes no override.
    """
    require_person_found(actor, referral.person)
    require(can_assess(actor), "Only treatment managers assess referrals")
    if outcome not in AssessmentOutcome.values:
        raise ValidationError(
            {"outcome": ["Choose suitable, not suitable, suitable but not ready, or on hold"]}
        )
    if outcome == AssessmentOutcome.ON_HOLD and override:
        raise ValidationError(
            {
                "override": [
                    "An override needs a decision: choose suitable, not suitable or suitable but not ready"
                ]
            }
        )
    rationale = (rationale or "").strip()
    today = today or clock_today()
    with transaction.atomic():
        locked = lock_referral(referral)
        require(can_assess(actor, locked), "Only treatment managers assess referrals")
        _check_assessable(locked)
        if locked.status == ReferralStatus.SUBMITTED and outcome != AssessmentOutcome.ON_HOLD:
            _move(actor=actor, referral=locked, to_status=ReferralStatus.ASSESSMENT)
        decision = decision_for(locked, today)
        programme, fmt, route = _chosen(locked, override, rationale)
        chosen = decision.get(programme, fmt)
        reason_code = _check_rationale(
            outcome, rationale, reason_code, eligible=bool(chosen and chosen.eligible)
        )
        assessment = AssessmentDecision.objects.create(
            referral=locked,
            outcome=outcome,
            computed=decision.as_dict(),
            planned_start=locked.planned_start or today,
            referred_programme=locked.programme,
            referred_format=locked.format,
            override_programme=programme if override else "",
            override_format=fmt if override else "",
            override_route=route,
            rationale=rationale,
            actor=actor,
        )
        if (
            override
            and (programme, fmt) != (locked.programme, locked.format)
            and outcome != AssessmentOutcome.NOT_SUITABLE
        ):
            _change_programme(actor, locked, programme, fmt, rationale)
        _audit(actor, locked, outcome, decision, override, rationale)
        _move_for_outcome(actor, locked, outcome, reason_code, rationale)
    return assessment


def _check_assessable(referral: Referral) -> None:
    if referral.status not in ASSESSABLE:
        raise DomainConflict(
            f"Only a referral that is submitted or being assessed can be assessed; this one is "
            f"{STATUSES[referral.status].lower()!r}",
            code="NOT_IN_ASSESSMENT",
            allowed=list(ASSESSABLE),
        )


def _chosen(
    referral: Referral, override: Mapping[str, str | None] | None, rationale: str
) -> tuple[str, str, str]:
    """The programme, format and route the TM decided on: the referral's own, or the override's (with its rationale)."""
    if not override:
        return referral.programme, referral.format, ""
    programme = override.get("programme") or ""
    fmt = override.get("format") or ""
    validate_programme(programme, fmt, area=referral.area)
    if not rationale:
        raise ValidationError({"rationale": ["Give the rationale for the override"]})
    return programme, fmt, override.get("route") or ""


def _check_rationale(outcome: str, rationale: str, reason_code: str, *, eligible: bool) -> str:
    """A decision against the rules needs a rationale; not suitable needs a reason (`eligibility_rules` when the
    rules refuse him). Returns the reason code to record."""
    if outcome not in DECISIONS:
        return reason_code
    not_suitable = outcome == AssessmentOutcome.NOT_SUITABLE
    if not rationale and not_suitable == eligible:
        finding = "find him eligible" if eligible else "do not find him eligible"
        raise ValidationError(
            {"rationale": [f"The rules {finding} for this programme: give the rationale for your decision"]}
        )
    if not_suitable and not reason_code:
        if eligible:
            raise ValidationError({"reason_code": ["Choose the reason he is not suitable"]})
        return "eligibility_rules"
    return reason_code


def _change_programme(actor: User, referral: Referral, programme: str, fmt: str, rationale: str) -> None:
    """An override to another programme or format changes the referral itself (one open referral each)."""
    previous = {"programme": referral.programme, "format": referral.format}
    if programme != previous["programme"] and has_open_referral(referral.person, programme, referral):
        raise open_referral_conflict()
    referral.programme, referral.format = programme, fmt
    try:
        with transaction.atomic():
            referral.save(update_fields=["programme", "format", "updated_at"])
    except IntegrityError:
        raise open_referral_conflict() from None
    referral_event(
        actor,
        "referral.updated",
        referral,
        {
            "programme": {"from": previous["programme"], "to": programme},
            "format": {"from": previous["format"], "to": fmt},
        },
        reason=rationale,
    )


def _audit(
    actor: User,
    referral: Referral,
    outcome: str,
    decision: EligibilityDecision,
    override: Mapping[str, str | None] | None,
    rationale: str,
) -> None:
    referral_event(
        actor,
        "referral.assessed",
        referral,
        {
            "outcome": outcome,
            "recommendation": decision.as_dict()["recommendation"]["programme"],
            "override": dict(override) if override else None,
        },
        reason=rationale,
    )


def _move_for_outcome(
    actor: User, referral: Referral, outcome: str, reason_code: str, rationale: str
) -> None:
    """The status each outcome sets (domain.md §9)."""
    if outcome == AssessmentOutcome.ON_HOLD:
        _move(
            actor=actor,
            referral=referral,
            to_status=ReferralStatus.ON_HOLD,
            reason_code=reason_code,
            reason=rationale,
        )
    elif outcome == AssessmentOutcome.NOT_SUITABLE:
        _move(
            actor=actor,
            referral=referral,
            to_status=ReferralStatus.NOT_SUITABLE,
            reason_code=reason_code,
            reason=rationale,
        )
    else:
        _move(actor=actor, referral=referral, to_status=ReferralStatus.SUITABLE, reason=rationale)
        if outcome == AssessmentOutcome.SUITABLE:
            _move(actor=actor, referral=referral, to_status=ReferralStatus.AWAITING_ALLOCATION)
        else:
            _move(
                actor=actor,
                referral=referral,
                to_status=ReferralStatus.SUITABLE_NOT_READY,
                reason_code=reason_code,
                reason=rationale,
            )
