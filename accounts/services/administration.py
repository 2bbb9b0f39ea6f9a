"""The area administrator's writes (issue 13): invite staff, change a role, deactivate and reactivate an account,
add, edit and retire venues, remove a training record, and check a closure date against the sessions it hits.

Each is atomic, writes its audit event in the same transaction, and answers 404 for another area's record
(`require_in_area`) and 403 for anyone but an administrator of the area (`can_manage_area`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import FacilitatorTraining, Role, User, Venue
from accounts.permissions import can_manage_area, holds_role, require, require_in_area
from accounts.services import _revoke_all_credentials
from audit.services import diff, record_event
from isotp import clock
from isotp.dates import long_date
from isotp.errors import DomainConflict
from isotp.hooks import app_hooks


class _InvitationTokens(PasswordResetTokenGenerator):
    """One-time links: the token covers the password hash and last sign-in, so setting the password (or
    signing in) spends it; it expires after PASSWORD_RESET_TIMEOUT (3 days by default)."""

    key_salt = "accounts.services.administration.invitation"


invitation_tokens = _InvitationTokens()


def _require_admin(actor: User, obj: Any = None) -> None:
    if obj is not None:
        require_in_area(actor, obj)
    require(can_manage_area(actor), "Only area administrators manage staff accounts, venues and closures")


# --- Staff ---------------------------------------------------------------------------------------------------


def invite_staff(*, actor: User, email: str, full_name: str, role: str) -> User:
    """Area administrators: create an account in their own area and email a one-time link to set a password;
    the new member enrols their authenticator at their first sign-in. The email names the service, not the role."""
    _require_admin(actor)
    if role not in Role.values:
        raise DomainConflict("Choose a role from the list", code="INVALID_ROLE")
    email = email.strip().lower()
    try:
        with transaction.atomic():
            member = User.objects.create_user(
                email=email, password=None, full_name=full_name.strip(), role=role, area_id=actor.area_id
            )
            record_event(
                actor=actor, action="staff.invited", obj=member, changes={"role": role, "email": email}
            )
    except IntegrityError:
        raise DomainConflict(f"{email} already has an account", code="EMAIL_TAKEN") from None
    link = invitation_link(member)
    transaction.on_commit(
        lambda: send_mail(
            subject="Set up your account",
            message=(
                f"Hello {member.get_short_name()},\n\n{actor.full_name} has set up your account on "
                f"{settings.SERVICE_NAME}.\n\nChoose a password here (the link works once and expires in "
                f"{settings.PASSWORD_RESET_TIMEOUT // 86400} days):\n{link}\n\nYou will then set up an "
                "authenticator app on your phone for the second step of signing in.\n"
            ),
            from_email=None,
            recipient_list=[member.email],
        )
    )
    return member


def invitation_link(member: User) -> str:
    """The absolute one-time link for a new member (also used when an administrator resends it)."""
    uid = urlsafe_base64_encode(member.public_id.bytes)
    path = reverse(
        "accounts:invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(member)}
    )
    return settings.SERVICE_URL.rstrip("/") + path


def invited_member(uidb64: str, token: str) -> User | None:
    """The account a one-time link is for, or None when the link is wrong, spent or expired."""
    try:
        public_id = uuid.UUID(bytes=urlsafe_base64_decode(uidb64))
    except (TypeError, ValueError):
        return None
    member = User.objects.filter(public_id=public_id, is_active=True).first()
    if member is None or not invitation_tokens.check_token(member, token):
        return None
    return member


def accept_invitation(*, member: User, token: str, password: str) -> None:
    """The invited member, holding a valid link: set their password (which spends the link)."""
    if not invitation_tokens.check_token(member, token):
        raise DomainConflict("This link has expired or has already been used", code="INVITATION_INVALID")
    with transaction.atomic():
        member.set_password(password)
        member.save(update_fields=["password"])
        record_event(actor=member, action="invitation.accepted", obj=member)


def change_role(*, actor: User, member: User, role: str) -> User:
    """Area administrators: change a colleague's role (never their own, so an area keeps an administrator).
    The new role applies from the member's next page."""
    _require_admin(actor, member)
    if member.pk == actor.pk:
        raise DomainConflict("You cannot change your own role", code="OWN_ACCOUNT")
    if role not in Role.values:
        raise DomainConflict("Choose a role from the list", code="INVALID_ROLE")
    if holds_role(member, role):
        raise DomainConflict(
            f"{member.full_name} is already a {member.get_role_display().lower()}", code="NO_CHANGE"
        )
    with transaction.atomic():
        before = member.role
        User.objects.filter(pk=member.pk).update(role=role)
        record_event(
            actor=actor,
            action="staff.role_changed",
            obj=member,
            changes={"role": {"from": before, "to": role}},
        )
    member.refresh_from_db()
    return member


def set_active(*, actor: User, member: User, active: bool) -> User:
    """Area administrators: deactivate a colleague (they cannot sign in; every session ends and every API token
    and calendar feed token is revoked) or reactivate them. Never their own account."""
    _require_admin(actor, member)
    if member.pk == actor.pk:
        raise DomainConflict("You cannot deactivate your own account", code="OWN_ACCOUNT")
    if member.is_active == active:
        raise DomainConflict(
            f"{member.full_name}'s account is already {'active' if active else 'deactivated'}",
            code="NO_CHANGE",
        )
    with transaction.atomic():
        User.objects.filter(pk=member.pk).update(is_active=active, security_stamp=uuid.uuid4())
        revoked = {} if active else _revoke_all_credentials(actor=actor, user=member)
        record_event(
            actor=actor,
            action="staff.reactivated" if active else "staff.deactivated",
            obj=member,
            changes={"is_active": {"from": not active, "to": active}, **revoked},
        )
    member.refresh_from_db()
    return member


def remove_training_record(*, actor: User, record: FacilitatorTraining) -> None:
    """Area administrators: remove a training record entered in error (the facilitator's area only)."""
    _require_admin(actor, record.facilitator)
    with transaction.atomic():
        record_event(
            actor=actor,
            action="training.removed",
            obj=record.facilitator,
            changes={
                "kind": record.kind,
                "programme": record.programme,
                "date_passed": record.date_passed,
            },
        )
        record.delete()


# --- Venues --------------------------------------------------------------------------------------------------

VENUE_FIELDS = ("name", "address", "postcode", "capacity", "step_free_access")


def add_venue(*, actor: User, **values: Any) -> Venue:
    """Area administrators: a new venue in their own area."""
    _require_admin(actor)
    data = {k: values[k] for k in VENUE_FIELDS if k in values}
    try:
        with transaction.atomic():
            venue = Venue.objects.create(area_id=actor.area_id, **data)  # type: ignore[misc]
            record_event(actor=actor, action="venue.added", obj=venue, changes=data)
    except IntegrityError:
        raise DomainConflict(
            f"There is already a venue called {data.get('name')}", code="VENUE_EXISTS"
        ) from None
    return venue


def update_venue(*, actor: User, venue: Venue, **values: Any) -> Venue:
    """Area administrators: correct a venue's details (sessions already booked there keep it)."""
    _require_admin(actor, venue)
    changes = diff(venue, VENUE_FIELDS, values)
    if not changes:
        return venue
    try:
        with transaction.atomic():
            for field in changes:
                setattr(venue, field, values[field])
            venue.save(update_fields=list(changes))
            record_event(actor=actor, action="venue.changed", obj=venue, changes=changes)
    except IntegrityError:
        raise DomainConflict(
            f"There is already a venue called {values.get('name')}", code="VENUE_EXISTS"
        ) from None
    return venue


def set_venue_active(*, actor: User, venue: Venue, active: bool) -> Venue:
    """Area administrators: retire a venue (no new group or session may use it) or bring it back. A venue with
    sessions still to come is refused, naming them, until they are moved."""
    _require_admin(actor, venue)
    if not active:
        upcoming = [
            line for hook in app_hooks("closures", "sessions_at_venue") for line in hook(venue, clock.today())
        ]
        if upcoming:
            raise DomainConflict(
                f"{venue.name} has {len(upcoming)} session{'s' if len(upcoming) != 1 else ''} still to come: "
                + "; ".join(upcoming[:5])
                + (" and more" if len(upcoming) > 5 else "")
                + ". Move them to another venue first.",
                code="VENUE_IN_USE",
            )
    with transaction.atomic():
        Venue.objects.filter(pk=venue.pk).update(active=active)
        record_event(
            actor=actor,
            action="venue.reinstated" if active else "venue.retired",
            obj=venue,
            changes={"active": {"from": not active, "to": active}},
        )
    venue.refresh_from_db()
    return venue


# --- Closure dates -------------------------------------------------------------------------------------------


def check_closure_date(*, actor: User, date: dt.date) -> list[str]:
    """Area administrators, before adding a closure: refuse a past date; answer the sessions of the area the
    date would hit (each as "session 6 of CHE-ISOTP-2026-01 (Tue 3 Mar 2026 18:00)"), to be named on screen."""
    _require_admin(actor)
    if date < clock.today():
        raise DomainConflict(
            f"{long_date(date)} has passed: a closure date must be today or in the future",
            code="CLOSURE_IN_PAST",
        )
    return [line for hook in app_hooks("closures", "sessions_on_date") for line in hook(actor.area_id, date)]
