"""Referral status changes (domain.md §9): the locked move, submission, hand-made moves and consequences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import (
    can_change_referral_status,
    can_move_as_consequence,
    can_refer,
    may_request_status_change,
    require,
    require_in_area,
    require_person_found,
)
from isotp.errors import DomainConflict
from referrals.models import REASON_CODES, Referral, ReferralStatusChange
from referrals.rules import (
    PARKING_STATUSES,
    STATUSES,
    IllegalTransition,
    ReasonRequired,
    allowed_transitions,
    check_transition,
)
from referrals.rules.transitions import OTHER, ReferralStatus, manual_transitions, reserved_move
from referrals.selectors import missing_for_submission
from referrals.services.auditing import referral_event

if TYPE_CHECKING:
    from accounts.models import User

# Entering the waiting list from these statuses starts the wait; coming back from a parking status or from an
# allocation that fell through keeps the original place in the queue.
STARTS_THE_WAIT = frozenset({ReferralStatus.SUITABLE, ReferralStatus.RESTART_REQUIRED})


def lock_referral(referral: Referral) -> Referral:
    """Every referral service: lock the referral row (and read its person and area) for a state change."""
    return (
        Referral.objects.select_for_update(of=("self",)).select_related("person", "area").get(pk=referral.pk)
    )


def _require_may_move(actor: User, referral: Referral, to_status: str) -> None:
    """403 for a role that may never make this move; 409 (with the moves this user may make now) when the role
    may but the referral's status no longer allows it, e.g. an OM re-posting a submission: as a TM would get."""
    if can_change_referral_status(actor, referral, to_status):
        return
    if may_request_status_change(actor, referral, to_status):
        allowed = frozenset(
            s
            for s in manual_transitions(
                referral.status,
                (referral.returns_to or None) if referral.status in PARKING_STATUSES else None,
            )
            if can_change_referral_status(actor, referral, s)
        )
        exc = IllegalTransition(referral.status, to_status, allowed)
        raise DomainConflict(exc.message, code=exc.code, allowed=list(exc.allowed))
    require(False)


def _move(
    *, actor: User, referral: Referral, to_status: str, reason_code: str = "", reason: str = ""
) -> ReferralStatusChange:
    """Move a LOCKED referral one step: check the rules, keep the history, audit. Callers hold the transaction."""
    current = referral.status
    returns_to = referral.returns_to or None
    try:
        check_transition(
            current,
            to_status,
            returns_to=returns_to if current in PARKING_STATUSES else None,
            reason=reason_code or None,
        )
    except IllegalTransition as exc:
        raise DomainConflict(exc.message, code=exc.code, allowed=list(exc.allowed)) from None
    except ReasonRequired as exc:
        raise ValidationError({"reason_code": [exc.message]}) from None
    if reason_code and reason_code not in REASON_CODES:
        # Issue 12: an unknown code reached the database's check (a 500) through a membership's removal.
        raise ValidationError({"reason_code": ["Choose a reason from the list"]})
    if reason_code == OTHER[0] and not reason.strip():
        raise ValidationError({"reason": ["Give the details of the reason"]})
    now = timezone.now()
    if to_status == ReferralStatus.SUBMITTED:
        if missing := missing_for_submission(referral):
            raise DomainConflict(
                f"The referral is not complete: add {' and '.join(missing)} before submitting it",
                code="REFERRAL_INCOMPLETE",
                missing=missing,
            )
        referral.submitted_at = now
    if to_status in PARKING_STATUSES:
        referral.returns_to = current
    elif current in PARKING_STATUSES:
        referral.returns_to = ""
    if to_status == ReferralStatus.AWAITING_ALLOCATION and (
        current in STARTS_THE_WAIT or referral.awaiting_since is None
    ):
        referral.awaiting_since = now
    referral.status = to_status
    referral.save(update_fields=["status", "returns_to", "submitted_at", "awaiting_since", "updated_at"])
    change = ReferralStatusChange.objects.create(
        referral=referral,
        from_status=current,
        to_status=to_status,
        reason_code=reason_code,
        reason=reason.strip(),
        actor=actor,
    )
    referral_event(
        actor,
        "referral.status_changed",
        referral,
        {"status": {"from": current, "to": to_status}, "reason_code": reason_code},
        reason=reason,
    )
    return change


def _refuse_reserved(actor: User, referral: Referral, to_status: str) -> None:
    """A move the table allows but that is not made by hand (domain.md §9): 409 with its code and the hand-made
    moves this user may make instead. An illegal move is left to `_move` (ILLEGAL_TRANSITION)."""
    returns_to = (referral.returns_to or None) if referral.status in PARKING_STATUSES else None
    manual = manual_transitions(referral.status, returns_to)
    if to_status not in allowed_transitions(referral.status, returns_to):
        # Tester of issue 7, no. 5: the 409 lists only the moves this endpoint accepts (never `allocated`).
        permitted = frozenset(s for s in manual if can_change_referral_status(actor, referral, s))
        exc = IllegalTransition(referral.status, to_status, permitted)
        raise DomainConflict(exc.message, code=exc.code, allowed=list(exc.allowed))
    reserved = reserved_move(referral.status, to_status)
    if reserved and to_status not in manual and to_status in allowed_transitions(referral.status, returns_to):
        code, detail = reserved
        raise DomainConflict(
            detail,
            code=code,
            allowed=sorted(s for s in manual if can_change_referral_status(actor, referral, s)),
        )


def submit_referral(*, actor: User, referral: Referral) -> Referral:
    """The person's OM: submit a complete draft (a conviction and a sentence recorded) for assessment."""
    with transaction.atomic():
        locked = lock_referral(referral)
        require_person_found(actor, locked.person)
        require(can_refer(actor, locked.person), "Only the person's offender manager submits a referral")
        _require_may_move(actor, locked, ReferralStatus.SUBMITTED)
        _move(actor=actor, referral=locked, to_status=ReferralStatus.SUBMITTED)
    return locked


def change_status(
    *, actor: User, referral: Referral, to_status: str, reason_code: str = "", reason: str = ""
) -> Referral:
    """TMs move a referral of their area; the person's OM may submit or withdraw. Locks the referral row.

    Only hand-made moves (`rules.transitions.manual_transitions`): suitability is recorded by the assessment and
    allocation, removal and completion on the group or plan, so those moves are refused here (409 with the code
    of `reserved_move`) even when the transition table allows them.
    """
    if to_status not in STATUSES:
        raise ValidationError({"to_status": [f"{to_status!r} is not a referral status"]})
    with transaction.atomic():
        locked = lock_referral(referral)
        require_person_found(actor, locked.person)
        _require_may_move(actor, locked, to_status)
        _refuse_reserved(actor, locked, to_status)
        _move(actor=actor, referral=locked, to_status=to_status, reason_code=reason_code, reason=reason)
    return locked


def _consequence_refused(referral: Referral, membership: Any, to_status: str) -> str | None:
    """Why `to_status` is not the consequence of `membership`'s state (None when it is; domain.md §9).

    The membership (re-read here, never trusted as passed) must be the referral's latest. `allocated` needs it
    active; `on_programme` needs it active (or its sessions complete) with a session or catch-up attended;
    `restart_required` and `completed` need it ended that way; any other move needs it ended with that status as
    the referral's next one (a removal or a restart going back to the waiting list).
    """
    from sessions.models import ATTENDED_OUTCOMES, Membership, MembershipStatus

    if membership is None:
        return "A referral moves this way only as the consequence of a place on a group or plan"
    latest = Membership.objects.filter(referral=referral).order_by("-pk").first()
    if latest is None or latest.pk != membership.pk:
        return "The place given is not this referral's latest place on a group or plan"
    state = latest.status
    if to_status == "allocated":
        ok = state == MembershipStatus.ACTIVE
    elif to_status == "on_programme":
        ok = state in (MembershipStatus.ACTIVE, MembershipStatus.SESSIONS_COMPLETE) and (
            latest.attendances.filter(outcome__in=ATTENDED_OUTCOMES).exists()
            or latest.catch_ups.filter(outcome__in=ATTENDED_OUTCOMES, cancelled_at__isnull=True).exists()
        )
    elif to_status == "restart_required":
        ok = state == MembershipStatus.RESTART_REQUIRED
    elif to_status == "completed":
        ok = state == MembershipStatus.COMPLETED
    else:
        ok = state not in (MembershipStatus.ACTIVE, MembershipStatus.SESSIONS_COMPLETE) and (
            latest.next_status == to_status
        )
    if ok:
        return None
    return f"The referral's place ({latest.get_status_display().lower()}) does not lead to {to_status.replace('_', ' ')}"


def require_may_move_as_consequence(actor: User, referral: Referral) -> None:
    """`move_as_consequence`'s permission: 404 for another area's referral, 403 for a role that does not deliver
    programmes. Also for a caller that finds, without the move, that there is nothing to move."""
    require_in_area(actor, referral)
    require(can_move_as_consequence(actor), "Only the staff who deliver programmes move a referral this way")


def move_as_consequence(
    *,
    actor: User,
    referral: Referral,
    membership: Any,
    to_status: str,
    only_from: str | None = None,
    reason_code: str = "",
    reason: str = "",
) -> Referral:
    """Delivery services: move a referral as the consequence of what has happened to its place (`membership`).

    Allocation, removal, restart, the first attended session and completion change the referral's status although a
    facilitator may be the one acting. This is no free-form status change (review of issue 7, no. 1): the
    membership's state, read here under the referral's lock, must lead to `to_status` (`_consequence_refused`),
    else 409 NOT_A_CONSEQUENCE; the transition table still decides what is legal. With `only_from`, a referral
    found (under the lock) in any other status is left as it is. Locks the referral row; audited.
    """
    with transaction.atomic():
        locked = lock_referral(referral)
        require_may_move_as_consequence(actor, locked)
        if only_from is not None and locked.status != only_from:
            return locked
        if refused := _consequence_refused(locked, membership, to_status):
            raise DomainConflict(refused, code="NOT_A_CONSEQUENCE")
        _move(actor=actor, referral=locked, to_status=to_status, reason_code=reason_code, reason=reason)
    return locked
