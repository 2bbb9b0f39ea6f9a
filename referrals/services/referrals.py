"""Referrals before they are submitted: the OM's draft and its answers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.permissions import can_refer, require, require_person_found
from audit.services import diff
from isotp.clock import today
from isotp.errors import DomainConflict
from referrals.models import Person, Referral, ReferralStatusChange
from referrals.rules.transitions import ReferralStatus
from referrals.selectors import new_referral_refusal
from referrals.services.auditing import referral_event
from referrals.services.status import lock_referral
from referrals.services.validation import (
    full_clean,
    has_open_referral,
    open_referral_conflict,
    validate_programme,
)

if TYPE_CHECKING:
    from accounts.models import User

REFERRAL_FIELDS = (
    "programme",
    "format",
    "planned_start",
    "active_appeal",
    "maintains_innocence",
    "completed_prison_sotp",
    "notes",
)


def create_referral(
    *,
    actor: User,
    person: Person,
    programme: str,
    format: str,
    planned_start: dt.date | None = None,
    active_appeal: bool = False,
    maintains_innocence: bool = False,
    completed_prison_sotp: bool = False,
    notes: str = "",
) -> Referral:
    """OMs: start a draft referral for a person on their own caseload."""
    require_person_found(actor, person)
    require(can_refer(actor, person), "You can only refer people on your own caseload")
    validate_programme(programme, format, area=person.area)
    if planned_start is not None and planned_start < today():
        raise ValidationError({"planned_start": ["The planned start must be today or in the future"]})
    referral = Referral(
        person=person,
        area_id=person.area_id,
        programme=programme,
        format=format,
        planned_start=planned_start,
        active_appeal=active_appeal,
        maintains_innocence=maintains_innocence,
        completed_prison_sotp=completed_prison_sotp,
        notes=notes,
        referred_by=actor,
    )
    if has_open_referral(person, programme):
        raise open_referral_conflict()
    refusal = new_referral_refusal(person)  # issue 13: the same answer the person page gives
    if refusal is not None:
        raise ValidationError(
            {"programme": [f"{refusal}: a new referral cannot be made while that one is open"]}
        )
    full_clean(referral)
    try:
        with transaction.atomic():
            referral.save()
            ReferralStatusChange.objects.create(
                referral=referral, from_status="", to_status=ReferralStatus.DRAFT, actor=actor
            )
            referral_event(
                actor,
                "referral.created",
                referral,
                {f: getattr(referral, f) for f in REFERRAL_FIELDS if f != "notes"}
                | {"person": str(person.public_id)},
            )
    except IntegrityError:
        raise open_referral_conflict() from None
    return referral


def update_referral(*, actor: User, referral: Referral, **changes: Any) -> Referral:
    """The person's OM: change a draft referral (REFERRAL_FIELDS); a submitted one cannot be edited."""
    if unknown := sorted(set(changes) - set(REFERRAL_FIELDS)):
        raise TypeError(f"update_referral() cannot change {', '.join(unknown)}")
    try:
        with transaction.atomic():
            locked = lock_referral(referral)
            require_person_found(actor, locked.person)
            require(can_refer(actor, locked.person), "Only the person's offender manager changes a referral")
            if locked.status != ReferralStatus.DRAFT:
                raise DomainConflict("Only a draft referral can be changed", code="REFERRAL_NOT_DRAFT")
            new_programme = changes.get("programme", locked.programme)
            validate_programme(
                new_programme,
                changes.get("format", locked.format),
                area=locked.area if new_programme != locked.programme else None,
            )
            start = changes.get("planned_start")
            if start is not None and start != locked.planned_start and start < today():
                raise ValidationError({"planned_start": ["The planned start must be today or in the future"]})
            changed = diff(locked, REFERRAL_FIELDS, changes)
            if not changed:
                return locked
            if "programme" in changed and has_open_referral(locked.person, changes["programme"], locked):
                raise open_referral_conflict()
            for field, value in changes.items():
                setattr(locked, field, value)
            full_clean(locked)
            locked.save()
            referral_event(actor, "referral.updated", locked, changed)
    except IntegrityError:
        raise open_referral_conflict() from None
    return locked


def answer_other_information(*, actor: User, referral: Referral, **answers: Any) -> Referral:
    """The person's OM: the appeal, innocence, prison SOTP and notes answers of a draft; marks the task answered."""
    with transaction.atomic():
        updated = update_referral(actor=actor, referral=referral, **answers)
        if updated.other_information_answered_at is None:
            updated.other_information_answered_at = timezone.now()
            updated.save(update_fields=["other_information_answered_at", "updated_at"])
            referral_event(
                actor,
                "referral.other_information_answered",
                updated,
                {k: v for k, v in answers.items() if k != "notes"},
            )
    return updated
