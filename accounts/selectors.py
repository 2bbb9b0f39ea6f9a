"""Reads for the accounts pages and API: always scoped to the user's area first."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import (
    ApiToken,
    AreaClosure,
    FacilitatorTraining,
    Role,
    Supervision,
    TrainingKind,
    User,
    Venue,
)
from accounts.permissions import (
    can_add_training,
    can_manage_area,
    can_manage_member,
    can_view_staff,
    delivers_programmes,
    is_staff_member,
    require,
    scope_to_area,
)
from accounts.rules import TrainingDecision, TrainingRecord, training_for
from audit.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# The home page's "needs attention" filters of the staff list (issue 14): each count links to exactly these.
STAFF_NEEDS = {
    "second_factor": "Without a second factor",
    "supervisor": "Facilitators without a current supervisor",
    "training": "Facilitators with training due",
    "inactive": "Not signed in for 90 days",
}
INACTIVE_DAYS = 90  # an account unused this long should be reviewed (and deactivated if no longer needed)


def staff_needing(qs: QuerySet[User], needs: str) -> QuerySet[User]:
    """Narrow a staff queryset to those without a confirmed authenticator, or facilitators with no current
    supervisor (subqueries: no extra query per row)."""
    from django.db.models import Exists, OuterRef
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if needs == "second_factor":
        return qs.exclude(Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
    if needs == "supervisor":
        current = Supervision.objects.filter(facilitator=OuterRef("pk"), ended_on__isnull=True)
        return qs.filter(role=Role.FACILITATOR).exclude(Exists(current))
    if needs == "training":
        # 000: the assessment centre, then a programme's core training, before delivering anything.
        records = FacilitatorTraining.objects.filter(facilitator=OuterRef("pk"))
        passed = Exists(records.filter(kind=TrainingKind.ASSESSMENT_CENTRE))
        core = Exists(records.filter(kind=TrainingKind.CORE_PROGRAMME))
        return qs.filter(role="facilitator").exclude(passed & core)
    if needs == "inactive":
        cutoff = timezone.now() - dt.timedelta(days=INACTIVE_DAYS)
        return qs.filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
    return qs


def staff_for_list(user: User | AnonymousUser, role: str = "", needs: str = "") -> QuerySet[User]:
    """Managers: their area's active staff, with training records and current supervisor preloaded."""
    qs = scope_to_area(User.objects.filter(is_active=True), user).order_by("full_name", "id")
    if role:
        qs = qs.filter(role=role)
    qs = staff_needing(qs, needs)
    return qs.prefetch_related(
        "training_records",
        Prefetch(
            "supervisions",
            queryset=Supervision.objects.filter(ended_on__isnull=True).select_related("treatment_manager"),
            to_attr="current_supervisions",
        ),
    )


def staff_member(user: User | AnonymousUser, public_id: str) -> User:
    """One member of staff in the user's area (404 otherwise)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(staff_for_list(user), public_id=public_id)


# The programmes a facilitator's staff page shows a training decision for (000: training records).
TRAINED_PROGRAMMES = (("isotp", "i-SOTP"), ("nsogp", "N-SOGP"))


@dataclass(frozen=True)
class StaffPage:
    """One member of staff as a manager's page shows them, with what the page may offer the reader."""

    member: User
    delivers_programmes: bool
    decisions: list[tuple[str, TrainingDecision]]
    can_add_training: bool
    can_manage_member: bool
    api_tokens: list[ApiToken]


def staff_page(user: User | AnonymousUser, public_id: str, *, adding_training: bool = False) -> StaffPage:
    """Managers (403 otherwise): one member of their area's staff (404 outside it), their training decisions and
    what the reader may do on the page; `adding_training` asks for the right to add a record (403 otherwise)."""
    require(can_view_staff(user))
    member = staff_member(user, public_id)
    may_add = can_add_training(user, member)
    require(may_add or not adding_training, "Only area administrators record training")
    delivers = delivers_programmes(member)
    return StaffPage(
        member=member,
        delivers_programmes=delivers,
        decisions=[(name, training_decision(member, code)) for code, name in TRAINED_PROGRAMMES]
        if delivers
        else [],
        can_add_training=may_add,
        can_manage_member=can_manage_member(user, member),
        api_tokens=list(api_tokens_of(user, member)) if can_manage_area(user) else [],
    )


def facilitators_trained_for(user: User | AnonymousUser, programme: str) -> list[User]:
    """The area's facilitators who may deliver `programme` (000: training records)."""
    return [f for f in staff_for_list(user, Role.FACILITATOR) if training_decision(f, programme).trained]


def training_decision(facilitator: User, programme: str) -> TrainingDecision:
    """Whether `facilitator` may deliver `programme`; uses prefetched training records when present."""
    records = [TrainingRecord(kind=r.kind, programme=r.programme) for r in facilitator.training_records.all()]
    return training_for(programme, records)


def venues_for(user: User | AnonymousUser) -> QuerySet[Venue]:
    """The user's area's venues."""
    return scope_to_area(Venue.objects.all(), user).order_by("name", "id")


def closures_for(user: User | AnonymousUser) -> QuerySet[AreaClosure]:
    """The user's area's closure dates."""
    return scope_to_area(AreaClosure.objects.all(), user).order_by("date")


def api_tokens_of(user: User | AnonymousUser, owner: User) -> QuerySet[ApiToken]:
    """A member of staff's own tokens; an area administrator also sees those of their area's staff (none else)."""
    if not is_staff_member(user):
        return ApiToken.objects.none()
    if owner.pk != user.pk and not (can_manage_area(user) and owner.area_id == user.area_id):  # type: ignore[union-attr]
        return ApiToken.objects.none()
    return (
        ApiToken.objects.filter(user=owner)
        .select_related("user", "revoked_by")
        .order_by("-created_at", "-id")
    )


def api_token(user: User | AnonymousUser, public_id: str) -> ApiToken:
    """One token the user may see and revoke: their own, or (administrators) one of their area's staff's (404)."""
    from django.shortcuts import get_object_or_404

    if not is_staff_member(user):
        from django.http import Http404

        raise Http404
    qs = ApiToken.objects.select_related("user")
    # Administrators reach their area's staff's tokens; everyone else only their own.
    area_wide = can_manage_area(user)
    qs = qs.filter(user__area_id=user.area_id) if area_wide else qs.filter(user_id=user.pk)  # type: ignore[union-attr,misc]
    return get_object_or_404(qs, public_id=public_id)


def sign_ins_of(user: User, limit: int = 20) -> list[AuditEvent]:
    """The user's own recent sign-in attempts (time, browser, outcome), newest first, for their account page."""
    return list(
        AuditEvent.objects.filter(
            object_type="accounts.user",
            object_id=str(user.public_id),
            action__in=["signed_in", "sign_in.refused"],
        ).order_by("-at", "-id")[:limit]
    )


def staff_member_any_status(user: User | AnonymousUser, public_id: str) -> User:
    """One member of staff in the user's area, deactivated or not (404 otherwise): for reactivation."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(scope_to_area(User.objects.all(), user), public_id=public_id)


def deactivated_staff(user: User | AnonymousUser) -> QuerySet[User]:
    """The user's area's deactivated accounts, by name."""
    return scope_to_area(User.objects.filter(is_active=False), user).order_by("full_name", "id")


@dataclass(frozen=True)
class SignInLock:
    """Why django-axes refuses a sign-in now (issue 12, tester no. 4): the account (too many failures for the
    email address) or the client address (too many failures from it, whatever the accounts), and for how many
    more seconds (the cool-off counted from the lock's latest failure)."""

    on_account: bool
    seconds_left: int


def sign_in_lock(*, username: str, ip_address: str | None, now: dt.datetime) -> SignInLock:
    """The lock in force for a sign-in from `ip_address` as `username`, read as django-axes counts (its database
    handler, AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]: each locks on its own). A lock holds while
    the failures recorded within the cool-off add up to the limit, so it ends when the newest failures that still
    reach the limit grow older than the cool-off."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings

    cool_off = get_cool_off() or dt.timedelta(0)
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off).order_by("-attempt_time")
    limit = int(settings.AXES_FAILURE_LIMIT)

    def ends(**match: object) -> dt.datetime | None:
        counted = 0
        for at, failures in recent.filter(**match).values_list("attempt_time", "failures_since_start"):
            counted += failures
            if counted >= limit:
                return at + cool_off
        return None

    account_ends = ends(username=username) if username else None
    address_ends = ends(ip_address=ip_address) if ip_address else None
    on_account = account_ends is not None or address_ends is None
    until = (account_ends if on_account else address_ends) or now + cool_off
    return SignInLock(on_account=on_account, seconds_left=max(1, math.ceil((until - now).total_seconds())))
