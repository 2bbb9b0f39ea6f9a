"""Transfers between areas (issue 12): request, approve, refuse. Atomic; each audited in both areas.

Moving: the person (area and offender manager) and their open referral (its status history hangs from it and
moves with it). Closed referrals stay with the area that delivered them, so its statistics do not change. A
person with a place on a group or one-to-one plan (allocated, on programme, restart required) is not moved: the
holding area ends the place first.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_decide_transfer, can_request_transfer, manages_caseload, require_found
from audit.services import record_event
from isotp.errors import DomainConflict
from transfers.models import TransferRequest, TransferStatus

PLACED = frozenset({"allocated", "on_programme", "restart_required"})


def _audit_both(*, actor: User, action: str, transfer: TransferRequest, **changes: Any) -> None:
    for area_id in (transfer.from_area_id, transfer.to_area_id):
        record_event(
            actor=actor,
            action=action,
            object_type="referrals.person",
            object_id=str(transfer.person.public_id),
            area_id=area_id,
            changes={"transfer": str(transfer.public_id), **changes},
        )


def request_transfer(*, actor: User, crn: str, offender_manager: User | None, reason: str) -> TransferRequest:
    """Treatment managers of the receiving area: ask the area holding the person with `crn` to transfer them, to
    `offender_manager` (an active OM of the actor's area). 400 for an unknown CRN or a wrong OM; 409 when the
    person is already in the actor's area or a transfer is already waiting."""
    from referrals.models import Person

    if not can_request_transfer(actor):
        raise PermissionDenied
    crn = (crn or "").strip().upper()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the person should move to your area"]})
    if (
        offender_manager is None
        or not manages_caseload(offender_manager)
        or offender_manager.area_id != actor.area_id
        or not offender_manager.is_active
    ):
        raise ValidationError({"offender_manager": ["Choose an offender manager of your probation area"]})
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(crn=crn).first()
        if person is None:
            raise ValidationError({"crn": ["No person with this CRN is held by any probation area"]})
        if person.area_id == actor.area_id:
            raise DomainConflict("This person is already held by your area", code="TRANSFER_SAME_AREA")
        if TransferRequest.objects.filter(person=person, status=TransferStatus.PENDING).exists():
            raise DomainConflict(
                "A transfer of this person is already waiting for the holding area", code="TRANSFER_PENDING"
            )
        transfer = TransferRequest.objects.create(
            person=person,
            from_area_id=person.area_id,
            to_area_id=actor.area_id,  # type: ignore[misc]  # a TM always has an area
            offender_manager=offender_manager,
            reason=reason,
            requested_by=actor,
        )
        _audit_both(actor=actor, action="person.transfer_requested", transfer=transfer)
    return transfer


def _pending(actor: User, transfer: TransferRequest) -> TransferRequest:
    # Only the holding area sees a transfer to decide: anyone else finds nothing (404).
    require_found(actor.area_id == transfer.from_area_id)
    if not can_decide_transfer(actor, transfer):
        raise PermissionDenied
    locked = TransferRequest.objects.select_for_update().select_related("person").get(pk=transfer.pk)
    if locked.status != TransferStatus.PENDING:
        raise DomainConflict(
            f"This transfer has already been {locked.get_status_display().split(':')[0].lower()}",
            code="TRANSFER_DECIDED",
        )
    return locked


def approve_transfer(*, actor: User, transfer: TransferRequest) -> TransferRequest:
    """The holding area's TM or administrator: move the person and their open referral to the requesting area.
    409 when already decided, when the person has a programme place, or when they have left the holding area."""
    from referrals.models import Person, Referral
    from referrals.rules import OPEN_STATUSES

    with transaction.atomic():
        locked = _pending(actor, transfer)
        person = Person.objects.select_for_update().get(pk=locked.person_id)
        if person.area_id != locked.from_area_id:
            raise DomainConflict("The person is no longer held by your area", code="TRANSFER_STALE")
        open_referrals = Referral.objects.select_for_update().filter(person=person, status__in=OPEN_STATUSES)
        if any(r.status in PLACED for r in open_referrals):
            raise DomainConflict(
                "The person has a place on a group or one-to-one plan here: end the place before the transfer",
                code="TRANSFER_ON_PROGRAMME",
            )
        moved = [str(r.public_id) for r in open_referrals]
        open_referrals.update(area_id=locked.to_area_id)
        Person.objects.filter(pk=person.pk).update(
            area_id=locked.to_area_id, offender_manager_id=locked.offender_manager_id
        )
        locked.status, locked.decided_by, locked.decided_at = TransferStatus.APPROVED, actor, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        _audit_both(actor=actor, action="person.transferred", transfer=locked, referrals_moved=moved)
    return locked


def refuse_transfer(*, actor: User, transfer: TransferRequest, reason: str) -> TransferRequest:
    """The holding area's TM or administrator: refuse, with a reason the requesting area sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the transfer is refused"]})
    with transaction.atomic():
        locked = _pending(actor, transfer)
        locked.status, locked.decided_by, locked.decided_at = TransferStatus.REFUSED, actor, timezone.now()
        locked.decision_reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        _audit_both(actor=actor, action="person.transfer_refused", transfer=locked)
    return locked
