"""The treatment manager's assessment of a submitted referral (domain.md §3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.permissions import can_assess
from isotp.clock import today as clock_today
from isotp.errors import DomainConflict
from referrals.candidates import decision_for
from referrals.models import AssessmentDecision, AssessmentOutcome, Referral
from referrals.rules import STATUSES
from referrals.services.auditing import referral_event
from referrals.services.status import _move, lock_referral
from referrals.services.validation import (
    has_open_referral,
    open_referral_conflict,
    require,
    validate_programme,
)

if TYPE_CHECKING:
    from accounts.models import User


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
    """TMs: record the assessment of a submitted referral, snapshotting the computed eligibility decision.

    `override` ({"programme", "format", "route"}) replaces the recommendation and needs a rationale; so does an
    outcome that goes against the decision for the referral's programme. `suitable` moves the referral to
    the waiting list (suitable → awaiting_allocation); `suitable_not_ready` parks it after `suitable`;
    `not_suitable` closes it with `reason_code` (derived as `eligibility_rules` when the rules refuse it).
    """
    if outcome not in AssessmentOutcome.values:
        raise ValidationError({"outcome": ["Choose suitable, not suitable, or suitable but not ready"]})
    rationale = (rationale or "").strip()
    today = today or clock_today()
    with transaction.atomic():
        locked = lock_referral(referral)
        require(can_assess(actor, locked), "Only treatment managers assess referrals")
        if locked.status == "submitted":
            _move(actor=actor, referral=locked, to_status="assessment")
        if locked.status != "assessment":
            raise DomainConflict(
                f"Only a referral that is submitted or being assessed can be assessed; this one is "
                f"{STATUSES[locked.status].lower()!r}",
                code="NOT_IN_ASSESSMENT",
                allowed=["submitted", "assessment"],
            )
        decision = decision_for(locked, today)
        programme, fmt, route = locked.programme, locked.format, ""
        if override:
            programme = override.get("programme") or ""
            fmt = override.get("format") or ""
            route = override.get("route") or ""
            validate_programme(programme, fmt, area=locked.area)
            if not rationale:
                raise ValidationError({"rationale": ["Give the rationale for the override"]})
        chosen = decision.get(programme, fmt)
        eligible = bool(chosen and chosen.eligible)
        if not rationale and outcome != AssessmentOutcome.NOT_SUITABLE and not eligible:
            raise ValidationError(
                {
                    "rationale": [
                        "The rules do not find him eligible for this programme: give the rationale for your decision"
                    ]
                }
            )
        if not rationale and outcome == AssessmentOutcome.NOT_SUITABLE and eligible:
            raise ValidationError(
                {
                    "rationale": [
                        "The rules find him eligible for this programme: give the rationale for your decision"
                    ]
                }
            )
        if outcome == AssessmentOutcome.NOT_SUITABLE and not reason_code:
            if eligible:
                raise ValidationError({"reason_code": ["Choose the reason he is not suitable"]})
            reason_code = "eligibility_rules"
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
        if override and (programme, fmt) != (locked.programme, locked.format) and outcome != "not_suitable":
            previous = {"programme": locked.programme, "format": locked.format}
            if programme != previous["programme"] and has_open_referral(locked.person, programme, locked):
                raise open_referral_conflict()
            locked.programme, locked.format = programme, fmt
            try:
                with transaction.atomic():
                    locked.save(update_fields=["programme", "format", "updated_at"])
            except IntegrityError:
                raise open_referral_conflict() from None
            referral_event(
                actor,
                "referral.updated",
                locked,
                {
                    "programme": {"from": previous["programme"], "to": programme},
                    "format": {"from": previous["format"], "to": fmt},
                },
                reason=rationale,
            )
        referral_event(
            actor,
            "referral.assessed",
            locked,
            {
                "outcome": outcome,
                "recommendation": decision.as_dict()["recommendation"]["programme"],
                "override": dict(override) if override else None,
            },
            reason=rationale,
        )
        if outcome == AssessmentOutcome.NOT_SUITABLE:
            _move(
                actor=actor,
                referral=locked,
                to_status="not_suitable",
                reason_code=reason_code,
                reason=rationale,
            )
        else:
            _move(actor=actor, referral=locked, to_status="suitable", reason=rationale)
            if outcome == AssessmentOutcome.SUITABLE:
                _move(actor=actor, referral=locked, to_status="awaiting_allocation")
            else:
                _move(
                    actor=actor,
                    referral=locked,
                    to_status="suitable_not_ready",
                    reason_code=reason_code,
                    reason=rationale,
                )
    return assessment
