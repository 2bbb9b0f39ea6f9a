"""Writes to staff, training and area records. Each is atomic and writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AreaClosure, FacilitatorTraining, Role, Supervision, User
from audit.services import record_event
from isotp.errors import DomainConflict


def add_closure(*, actor: User, date: dt.date, reason: str) -> AreaClosure:
    """Area administrators: add a closure date for their own area (schedules generated later skip it)."""
    try:
        with transaction.atomic():
            closure = AreaClosure.objects.create(area_id=actor.area_id, date=date, reason=reason)  # type: ignore[misc]
            record_event(
                actor=actor, action="closure.added", obj=closure, changes={"date": date, "reason": reason}
            )
    except IntegrityError:
        raise DomainConflict(f"{date:%d %B %Y} is already a closure date", code="CLOSURE_EXISTS") from None
    return closure


def remove_closure(*, actor: User, closure: AreaClosure) -> None:
    """Area administrators: remove a closure date of their own area."""
    with transaction.atomic():
        record_event(actor=actor, action="closure.removed", obj=closure, changes={"date": closure.date})
        closure.delete()


def add_training_record(
    *, actor: User, facilitator: User, kind: str, programme: str, date_passed: dt.date
) -> FacilitatorTraining:
    """Area administrators: record a training milestone a facilitator of their area has passed."""
    if facilitator.role != Role.FACILITATOR:
        raise DomainConflict("Training records are kept for facilitators only", code="NOT_A_FACILITATOR")
    try:
        with transaction.atomic():
            record = FacilitatorTraining.objects.create(
                facilitator=facilitator,
                kind=kind,
                programme=programme,
                date_passed=date_passed,
                recorded_by=actor,
            )
            record_event(
                actor=actor,
                action="training.recorded",
                obj=facilitator,
                changes={"kind": kind, "programme": programme, "date_passed": date_passed},
            )
    except IntegrityError:
        raise DomainConflict("This training is already recorded", code="TRAINING_EXISTS") from None
    return record


def start_supervision(
    *, actor: User, treatment_manager: User, facilitator: User, started_on: dt.date
) -> Supervision:
    """Managers: a TM of the area takes over supervising a facilitator; the previous supervision ends."""
    if treatment_manager.role != Role.TREATMENT_MANAGER or facilitator.role != Role.FACILITATOR:
        raise DomainConflict("A treatment manager supervises a facilitator", code="INVALID_SUPERVISION")
    if not (treatment_manager.area_id == facilitator.area_id == actor.area_id):
        raise DomainConflict("Supervision stays within one probation area", code="INVALID_SUPERVISION")
    with transaction.atomic():
        current = Supervision.objects.select_for_update().filter(
            facilitator=facilitator, ended_on__isnull=True
        )
        current.update(ended_on=started_on)
        supervision = Supervision.objects.create(
            treatment_manager=treatment_manager, facilitator=facilitator, started_on=started_on
        )
        record_event(
            actor=actor,
            action="supervision.started",
            object_type="accounts.user",
            object_id=str(facilitator.public_id),
            area_id=facilitator.area_id,
            changes={"treatment_manager": str(treatment_manager.public_id), "started_on": started_on},
        )
    return supervision


def confirm_totp_device(*, user: User, device: TOTPDevice) -> None:
    """The user proved their new authenticator works: confirm it and drop any other unconfirmed ones."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        record_event(actor=user, action="second_factor.enrolled", obj=user)


def reset_second_factor(*, actor: User, member: User) -> None:
    """Area administrators: remove a colleague's authenticator and lockout so they enrol again at next sign-in."""
    from axes.utils import reset as axes_reset

    if actor.area_id != member.area_id:
        raise DomainConflict("Staff of another area cannot be changed", code="OTHER_AREA")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=member).delete()
        record_event(
            actor=actor,
            action="second_factor.reset",
            obj=member,
            changes={"devices_removed": removed},
        )
    axes_reset(username=member.email)
