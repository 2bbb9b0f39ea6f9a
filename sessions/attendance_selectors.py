"""Scoped reads for attendance pages and the API (issue 8): catch-ups, a member's progress, a facilitator's
catch-ups for their calendar and feed. Scoped to the user's area and role first; another area is not found."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Role, User
from accounts.permissions import can_deliver_catch_up, is_facilitator, is_offender_manager, is_staff_member
from audit.services import record_access
from sessions.models import CatchUp, Membership, ScheduledSession, SessionStatus
from sessions.selectors.groups import memberships_for_user
from sessions.selectors.schedule import sessions_for_user

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def session_in_area(user: User | AnonymousUser, public_id: Any) -> ScheduledSession:
    """A session of the user's area that they may see (404 otherwise): the missed session a catch-up is for."""
    if is_facilitator(user):
        # A facilitator sees every session of the groups and plans they deliver, not only the ones they ran.
        area_id = user.area_id  # type: ignore[union-attr]
        qs = ScheduledSession.objects.filter(delivery_area_id=area_id).filter(
            Q(group__facilitator_links__facilitator_id=user.pk) | Q(plan__facilitator_id=user.pk)
        )
        return get_object_or_404(qs.select_related("group", "plan").distinct(), public_id=public_id)
    return get_object_or_404(sessions_for_user(user), public_id=public_id)


def memberships_with_progress_for(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Memberships whose progress page the user may open: delivery staff as `memberships_for_user`; an OM the
    memberships of the people on their caseload."""
    if not is_staff_member(user):
        return Membership.objects.none()
    if is_offender_manager(user):
        area_id = user.area_id  # type: ignore[union-attr]
        return Membership.objects.filter(
            Q(group__area_id=area_id) | Q(plan__area_id=area_id),
            referral__person__offender_manager_id=user.pk,
        ).select_related("group", "plan", "referral", "referral__person")
    if is_facilitator(user):
        return _with_booked(user, memberships_for_user(user))
    return memberships_for_user(user)


def _with_booked(user: User | AnonymousUser, own: QuerySet[Membership]) -> QuerySet[Membership]:
    """A facilitator's memberships plus those with a catch-up booked with them (in their area): the booked
    facilitator opens the member's progress and records the outcome (review of issue 8, no. 6)."""
    area_id = user.area_id  # type: ignore[union-attr]
    booked = CatchUp.objects.filter(facilitator_id=user.pk).filter(
        Q(membership__group__area_id=area_id) | Q(membership__plan__area_id=area_id)
    )
    return Membership.objects.filter(
        Q(pk__in=own.values("pk")) | Q(pk__in=booked.values("membership_id"))
    ).select_related("group", "plan", "referral", "referral__person")


def membership_with_progress(user: User | AnonymousUser, public_id: Any) -> Membership:
    """One membership for its progress page, with its group or plan and programme (404 otherwise)."""
    qs = memberships_with_progress_for(user).select_related(
        "group__programme",
        "plan__programme",
        "group__treatment_manager",
        "plan__treatment_manager",
        "referral__area",
        "referral__person__offender_manager",
    )
    return get_object_or_404(qs.distinct(), public_id=public_id)


def membership_progress_record_for(user: User | AnonymousUser, public_id: Any) -> Membership:
    """`membership_with_progress`, for the progress page: it shows a person's record, so the view is logged (the
    CRN as label, never the name)."""
    membership = membership_with_progress(user, public_id)
    record_access(actor=cast("User", user), obj=membership, object_label=membership.referral.person.crn)
    return membership


def catch_ups_for_user(user: User | AnonymousUser) -> QuerySet[CatchUp]:
    """Catch-ups of the memberships the user may see."""
    ids = memberships_for_user(user).values("pk")
    mine = Q(membership_id__in=ids)
    if is_facilitator(user):  # and those booked with them (review of issue 8, no. 6)
        area_id = user.area_id  # type: ignore[union-attr]
        mine |= Q(facilitator_id=user.pk) & (
            Q(membership__group__area_id=area_id) | Q(membership__plan__area_id=area_id)
        )
    return CatchUp.objects.filter(mine).select_related(
        "membership", "membership__group", "membership__plan", "missed_session", "venue", "facilitator"
    )


def catch_up_for_user(user: User | AnonymousUser, public_id: Any) -> CatchUp:
    """One catch-up the user may see (404 otherwise)."""
    return get_object_or_404(catch_ups_for_user(user), public_id=public_id)


def catch_ups_for_facilitator(user: User, start: dt.date, end: dt.date) -> QuerySet[CatchUp]:
    """A facilitator's catch-ups between two dates (inclusive), for their calendar and iCalendar feed."""
    return (
        CatchUp.objects.filter(facilitator=user, date__gte=start, date__lte=end, cancelled_at__isnull=True)
        .exclude(missed_session__status=SessionStatus.CANCELLED_BY_PROVIDER)
        .select_related(
            "membership__group",
            "membership__plan",
            "membership__referral__person",
            "missed_session__group",
            "missed_session__plan",
            "venue",
        )
        .order_by("date", "start", "id")
    )


def facilitators_for_catch_up(user: User, membership: Membership) -> QuerySet[User]:
    """Active facilitators of the user's area who may deliver a catch-up: the member's own first."""
    from django.db.models import Case, IntegerField, When

    own = [f.pk for f in (membership.group.facilitators.all() if membership.group else [])]
    if membership.plan is not None:
        own.append(membership.plan.facilitator_id)
    return (
        User.objects.filter(area_id=user.area_id, role=Role.FACILITATOR, is_active=True)
        .annotate(own=Case(When(pk__in=own, then=0), default=1, output_field=IntegerField()))
        .order_by("own", "full_name")
    )


def suggested_catch_up_facilitator(user: User) -> User | None:
    """Who a new catch-up form proposes to deliver it: the user, when they deliver catch-ups themselves."""
    return user if can_deliver_catch_up(user) else None


def venues_for_catch_up(user: User) -> QuerySet[Any]:
    """The user's area's active venues."""
    from accounts.models import Venue

    return Venue.objects.filter(area_id=user.area_id, active=True).order_by("name")
