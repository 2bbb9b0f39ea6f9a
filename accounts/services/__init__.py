"""Writes to staff, training and area records. Each is atomic and writes its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import permissions
from accounts.models import ApiToken, AreaClosure, FacilitatorTraining, Supervision, User
from accounts.permissions import (
    can_assign_supervisor,
    can_manage_area,
    require,
    require_found,
    require_in_area,
)
from accounts.rules import browser_summary, token_digest
from audit.services import record_event
from isotp import clock
from isotp.dates import long_date
from isotp.errors import DomainConflict


def add_closure(*, actor: User, date: dt.date, reason: str) -> AreaClosure:
    """Area administrators: add a closure date for their own area (schedules generated later skip it)."""
    require(can_manage_area(actor), "Only area administrators manage closure dates")
    if date < clock.today():
        raise DomainConflict(
            f"{long_date(date)} has passed: a closure date must be today or in the future",
            code="CLOSURE_IN_PAST",
        )
    try:
        with transaction.atomic():
            closure = AreaClosure.objects.create(area_id=actor.area_id, date=date, reason=reason)  # type: ignore[misc]
            record_event(
                actor=actor, action="closure.added", obj=closure, changes={"date": date, "reason": reason}
            )
    except IntegrityError:
        raise DomainConflict(f"{long_date(date)} is already a closure date", code="CLOSURE_EXISTS") from None
    return closure


def remove_closure(*, actor: User, closure: AreaClosure) -> None:
    """Area administrators: remove a closure date of their own area."""
    require_in_area(actor, closure)
    require(can_manage_area(actor), "Only area administrators manage closure dates")
    with transaction.atomic():
        record_event(actor=actor, action="closure.removed", obj=closure, changes={"date": closure.date})
        closure.delete()


def add_training_record(
    *, actor: User, facilitator: User, kind: str, programme: str, date_passed: dt.date
) -> FacilitatorTraining:
    """Area administrators: record a training milestone a facilitator of their area has passed."""
    require_in_area(actor, facilitator)
    require(can_manage_area(actor), "Only area administrators record training")
    if not permissions.delivers_programmes(facilitator):
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
    require_in_area(actor, facilitator)
    require(can_assign_supervisor(actor), "Only managers assign supervisors")
    if not (
        permissions.supervises_facilitators(treatment_manager)
        and permissions.delivers_programmes(facilitator)
    ):
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


def end_supervision(*, actor: User, facilitator: User, ended_on: dt.date) -> Supervision:
    """Managers: end a facilitator's current supervision on `ended_on` (the last day supervised), with no successor;
    until a new one starts he cannot be allocated to a group (FACILITATOR_UNSUPERVISED). Refusals: 409
    NO_CURRENT_SUPERVISION; 400 on `ended_on` before the supervision started. Audited."""
    require_in_area(actor, facilitator)
    require(can_assign_supervisor(actor), "Only managers end a supervision")
    with transaction.atomic():
        current = (
            Supervision.objects.select_for_update()
            .filter(facilitator=facilitator, ended_on__isnull=True)
            .order_by("-started_on", "-pk")
            .first()
        )
        if current is None:
            raise DomainConflict(
                f"{facilitator.full_name} has no current supervision to end", code="NO_CURRENT_SUPERVISION"
            )
        if ended_on < current.started_on:
            raise ValidationError(
                {"ended_on": [f"The end date must be on or after the start, {long_date(current.started_on)}"]}
            )
        current.ended_on = ended_on
        current.save(update_fields=["ended_on"])
        record_event(
            actor=actor,
            action="supervision.ended",
            object_type="accounts.user",
            object_id=str(facilitator.public_id),
            area_id=facilitator.area_id,
            changes={"treatment_manager": str(current.treatment_manager.public_id), "ended_on": ended_on},
        )
    return current


def confirm_totp_device(*, actor: User, device: TOTPDevice) -> None:
    """The signed-in user only, for their own device: they proved their new authenticator works; confirm it and
    drop any other unconfirmed ones."""
    require_found(device.user_id == actor.pk)
    user = actor
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
        record_event(actor=user, action="second_factor.enrolled", obj=user)


def reset_second_factor(*, actor: User, member: User) -> None:
    """Area administrators: remove a colleague's authenticator and lockout so they enrol again at next sign-in.

    The reset also ends every session of the account and revokes its API tokens: whoever held them (the
    reason for a reset is often a lost or stolen phone) is out at once.
    """
    from axes.utils import reset as axes_reset

    require_in_area(actor, member)
    require(can_manage_area(actor), "Only area administrators reset a second factor")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=member).delete()
        User.objects.filter(pk=member.pk).update(security_stamp=uuid.uuid4())
        revoked = _revoke_all_credentials(actor=actor, user=member)
        record_event(
            actor=actor,
            action="second_factor.reset",
            obj=member,
            changes={"devices_removed": removed, "sessions_ended": True, **revoked},
        )
    axes_reset(username=member.email)


# --- Passwords, sessions and API tokens ---------------------------------------------------------------------


def change_password(*, actor: User, new_password: str) -> int:
    """Any signed-in member of staff, for their own account only (the form has checked the current password and
    the new one's strength).

    A new password ends every other session of the account (Django's session hash covers the password; the
    view keeps the current one) and revokes every API token and calendar feed token. Answers how many API
    tokens were revoked.
    """
    require(permissions.can_change_own_password(actor))
    with transaction.atomic():
        actor.set_password(new_password)
        actor.save(update_fields=["password"])
        revoked = _revoke_all_credentials(actor=actor, user=actor)
        record_event(
            actor=actor,
            action="password.changed",
            obj=actor,
            changes={"other_sessions_ended": True, **revoked},
        )
    return revoked["api_tokens_revoked"]


def _revoke_all_api_tokens(*, actor: User, user: User) -> int:
    """Revoke every live API token of `user` (inside the caller's transaction)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )


def _revoke_all_credentials(*, actor: User, user: User) -> dict[str, int]:
    """Revoke every live API token and calendar (iCal) feed token of `user`, inside the caller's transaction:
    a feed URL is a bearer secret too, so whoever held the account's secrets loses all of them. Answers the
    counts for the audit event."""
    from sessions.models import FeedToken  # sessions builds on accounts; imported here, not at module level

    feeds = FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return {
        "api_tokens_revoked": _revoke_all_api_tokens(actor=actor, user=user),
        "calendar_feeds_revoked": feeds,
    }


def issue_api_token(*, actor: User, name: str, lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """Any member of staff, for themselves only: a named token expiring after `lifetime_days` (at most the
    configured API_TOKEN_LIFETIME_DAYS). Answers the token and its key, which is never shown again."""
    if not permissions.is_staff_member(actor):
        raise PermissionDenied
    longest = settings.API_TOKEN_LIFETIME_DAYS
    days = longest if lifetime_days is None else lifetime_days
    if not 1 <= days <= longest:
        raise ValidationError(
            {
                "lifetime_days": ValidationError(
                    f"A token lasts between 1 and {longest} days", code="max_value"
                )
            }
        )
    key = secrets.token_hex(20)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name.strip(),
            key_digest=token_digest(key),
            prefix=key[:8],
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        record_event(
            actor=actor,
            action="api_token.issued",
            obj=actor,
            changes={"token": str(token.public_id), "name": token.name, "expires_at": token.expires_at},
        )
    return token, key


def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """The token's owner, or an administrator of the owner's area; another area's token is not found."""
    require_found(token.user_id == actor.pk or permissions.in_area(actor, token.user))
    if not permissions.can_revoke_api_token(actor, token):
        raise PermissionDenied
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise DomainConflict("This token has already been revoked", code="TOKEN_ALREADY_REVOKED")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record_event(
            actor=actor,
            action="api_token.revoked",
            obj=locked.user,
            changes={"token": str(locked.public_id), "name": locked.name},
        )
    return locked


SIGN_IN_OUTCOMES = {
    "signed_in": "Signed in",
    "wrong_password": "Wrong password",
    "wrong_code": "Wrong security code",
    "locked_out": "Refused: locked after repeated failures",
}


def record_sign_in(*, user: User, outcome: str, user_agent: str) -> None:
    """The sign-in pages: one audit event per attempt on a real account (time, browser, outcome).

    The account's owner sees these on their account page. Attempts on unknown emails are not recorded here
    (django-axes counts them); the email tried is never logged.
    """
    assert outcome in SIGN_IN_OUTCOMES
    record_event(
        actor=user,
        action="signed_in" if outcome == "signed_in" else "sign_in.refused",
        obj=user,
        changes={"outcome": outcome, "browser": browser_summary(user_agent)},
    )
