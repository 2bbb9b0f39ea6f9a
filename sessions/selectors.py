"""Reads for the delivery pages and API: scoped to the user's area and role FIRST, related rows preloaded.

A facilitator sees only the groups (and one-to-ones) they deliver; an offender manager sees none here (their
view of delivery comes through their referrals). Another area's record is not found (404), never forbidden.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Case, Count, Max, Min, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import ProbationArea, Role, User
from accounts.permissions import is_staff_member, scope_to_area
from sessions.models import (
    FeedToken,
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    PlanStatus,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# --- catalogue ----------------------------------------------------------------------------------------------


def _current_versions(area: ProbationArea, on: dt.date) -> dict[str, Programme]:
    """Per code, the version in force on `on`: the area's own version if it has one, else the national one."""
    rows = (
        Programme.objects.filter(Q(area__isnull=True) | Q(area=area), valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("code", "-version")
    )
    chosen: dict[str, Programme] = {}
    for row in rows:
        held = chosen.get(row.code)
        if held is None or (held.area_id is None and row.area_id is not None):
            chosen[row.code] = row
    if not area.lihi_enabled:  # domain.md §2.5: the LI/HI suite is offered only where the area switches it on
        chosen = {code: p for code, p in chosen.items() if not p.optional_suite}
    return chosen


def programme_for_area(area: ProbationArea, code: str, *, on: dt.date | None = None) -> Programme | None:
    """The version of programme `code` an area uses on `on` (default today), or None if it is not offered."""
    return _current_versions(area, on or timezone.localdate()).get(code)


def programme_by_programme_format(
    area: ProbationArea, programme: str, format: str, *, on: dt.date | None = None
) -> Programme | None:
    """The area's current version for a programme family and format (e.g. isotp + group)."""
    for version in _current_versions(area, on or timezone.localdate()).values():
        if version.programme == programme and version.format == format:
            return version
    return None


def programme_for_preview(user: User | AnonymousUser, programme: str, format: str = "") -> Programme | None:
    """The user's area's current version by family + format (`isotp`, `group`) or by catalogue code alone."""
    if not is_staff_member(user):
        return None
    area = user.area  # type: ignore[union-attr]
    assert area is not None
    if not format:
        return programme_for_area(area, programme)
    return programme_by_programme_format(area, programme, format)


def programmes_for_area(user: User | AnonymousUser, *, on: dt.date | None = None) -> QuerySet[Programme]:
    """Any staff member: the catalogue versions in force in their area today (LI/HI only if switched on)."""
    if not is_staff_member(user):
        return Programme.objects.none()
    ids = [p.pk for p in _current_versions(user.area, on or timezone.localdate()).values()]  # type: ignore[union-attr, arg-type]
    return Programme.objects.filter(pk__in=ids).order_by("programme", "name")


def programme_for_user(user: User | AnonymousUser, code: str) -> Programme:
    """The current version of one programme in the user's area (404 if not offered there)."""
    found = programme_for_area(user.area, code) if is_staff_member(user) else None  # type: ignore[union-attr, arg-type]
    if found is None:
        from django.http import Http404

        raise Http404("No such programme")
    return found


def programme_versions(user: User | AnonymousUser, code: str) -> QuerySet[Programme]:
    """Every version of a programme visible to the user's area (national and their own), newest first."""
    if not is_staff_member(user):
        return Programme.objects.none()
    return (
        Programme.objects.filter(code=code)
        .filter(Q(area__isnull=True) | Q(area_id=user.area_id))  # type: ignore[union-attr]
        .select_related("created_by")
        .order_by("-version")
    )


# --- groups -------------------------------------------------------------------------------------------------


def _group_base() -> QuerySet[ProgrammeGroup]:
    today = timezone.localdate()
    live = ~Q(sessions__status=SessionStatus.CANCELLED_BY_PROVIDER)
    return (
        ProgrammeGroup.objects.select_related("programme", "venue", "treatment_manager", "area")
        .prefetch_related("slots", Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .annotate(
            session_count=Count("sessions", filter=live, distinct=True),
            member_count=Count(
                "memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE), distinct=True
            ),
            next_session_date=Min(
                "sessions__date",
                filter=Q(sessions__status=SessionStatus.SCHEDULED, sessions__date__gte=today),
            ),
            first_session_date=Min("sessions__date", filter=live),
            last_session_date=Max("sessions__date", filter=live),
        )
    )


def groups_for_list(user: User | AnonymousUser) -> QuerySet[ProgrammeGroup]:
    """Managers: their area's groups; facilitators: only the groups they deliver; anyone else: none.

    Counts and the next session date are annotations, so the list costs the same queries for 3 rows or 300.
    """
    qs = scope_to_area(_group_base(), user)
    role = getattr(user, "role", "")
    if role == Role.FACILITATOR:
        qs = qs.filter(facilitator_links__facilitator_id=user.pk)
    elif role not in (Role.TREATMENT_MANAGER, Role.AREA_ADMIN):
        return qs.none()
    return qs.order_by("start_date", "reference", "id")


def group_for_user(user: User | AnonymousUser, public_id: object) -> ProgrammeGroup:
    """One group the user may see (404 otherwise)."""
    return get_object_or_404(groups_for_list(user), public_id=public_id)


def schedule_for_group(group: ProgrammeGroup) -> QuerySet[ScheduledSession]:
    """Every session of a group in date order, cancelled ones included (they show what happened)."""
    return (
        ScheduledSession.objects.filter(group=group)
        .select_related("venue")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .order_by("date", "start", "number", "id")
    )


def _sessions_base() -> QuerySet[ScheduledSession]:
    return ScheduledSession.objects.select_related(
        "group", "group__programme", "plan", "plan__programme", "venue"
    ).prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))


def sessions_for_user(user: User | AnonymousUser) -> QuerySet[ScheduledSession]:
    """Sessions the user may see: managers their area's; facilitators the ones they deliver."""
    if not is_staff_member(user):
        return ScheduledSession.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    qs = _sessions_base().filter(Q(group__area_id=area_id) | Q(plan__area_id=area_id))
    role = getattr(user, "role", "")
    if role == Role.FACILITATOR:
        return qs.filter(facilitators__id=user.pk)  # type: ignore[misc]
    if role in (Role.TREATMENT_MANAGER, Role.AREA_ADMIN):
        return qs
    return qs.none()


def session_for_user(user: User | AnonymousUser, public_id: object) -> ScheduledSession:
    """One session the user may see (404 otherwise)."""
    return get_object_or_404(sessions_for_user(user), public_id=public_id)


def sessions_for_facilitator(user: User, start: dt.date, end: dt.date) -> QuerySet[ScheduledSession]:
    """A facilitator's own sessions between two dates (inclusive) for their calendar and feed, live ones only."""
    return (
        _sessions_base()
        .filter(facilitators=user, date__gte=start, date__lte=end)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .exclude(group__status=GroupStatus.CANCELLED)
        .exclude(plan__status=PlanStatus.CANCELLED)
        .order_by("date", "start", "id")
    )


def members_for_group(group: ProgrammeGroup, *, include_ended: bool = True) -> QuerySet[Membership]:
    """A group's memberships (active first), with the referral and person preloaded for the members table."""
    qs = Membership.objects.filter(group=group).select_related(
        "group",
        "plan",
        "referral",
        "referral__person",
        "referral__person__offender_manager",
        "allocated_by",
        "removed_by",
    )
    if not include_ended:
        qs = qs.filter(status=MembershipStatus.ACTIVE)
    return qs.order_by(
        # active members first, then by when they joined
        Case(When(status=MembershipStatus.ACTIVE, then=0), default=1),
        "joined_on",
        "id",
    )


def memberships_for_user(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Memberships the user may see: managers their area's; facilitators those of groups and plans they deliver."""
    if not is_staff_member(user):
        return Membership.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    qs = Membership.objects.filter(Q(group__area_id=area_id) | Q(plan__area_id=area_id)).select_related(
        "group", "plan", "referral", "referral__person"
    )
    role = getattr(user, "role", "")
    if role == Role.FACILITATOR:
        return qs.filter(
            Q(group__facilitator_links__facilitator_id=user.pk) | Q(plan__facilitator_id=user.pk)
        )
    if role in (Role.TREATMENT_MANAGER, Role.AREA_ADMIN):
        return qs
    return qs.none()


def membership_for_user(user: User | AnonymousUser, public_id: object) -> Membership:
    """One membership the user may see (404 otherwise)."""
    return get_object_or_404(memberships_for_user(user), public_id=public_id)


# --- one-to-one plans ---------------------------------------------------------------------------------------


def plans_for_list(user: User | AnonymousUser) -> QuerySet[OneToOnePlan]:
    """Managers: their area's one-to-one plans; facilitators: the plans they deliver; anyone else: none."""
    today = timezone.localdate()
    qs = scope_to_area(
        OneToOnePlan.objects.select_related(
            "programme", "venue", "facilitator", "treatment_manager", "referral", "referral__person", "area"
        )
        .prefetch_related("slots")
        .annotate(
            session_count=Count(
                "sessions", filter=~Q(sessions__status=SessionStatus.CANCELLED_BY_PROVIDER), distinct=True
            ),
            next_session_date=Min(
                "sessions__date",
                filter=Q(sessions__status=SessionStatus.SCHEDULED, sessions__date__gte=today),
            ),
        ),
        user,
    )
    role = getattr(user, "role", "")
    if role == Role.FACILITATOR:
        qs = qs.filter(facilitator_id=user.pk)
    elif role not in (Role.TREATMENT_MANAGER, Role.AREA_ADMIN):
        return qs.none()
    return qs.order_by("start_date", "reference", "id")


def plan_for_user(user: User | AnonymousUser, public_id: object) -> OneToOnePlan:
    """One plan the user may see (404 otherwise)."""
    return get_object_or_404(plans_for_list(user), public_id=public_id)


def schedule_for_plan(plan: OneToOnePlan) -> QuerySet[ScheduledSession]:
    """Every session of a plan in date order, cancelled ones included."""
    return (
        ScheduledSession.objects.filter(plan=plan)
        .select_related("venue")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .order_by("date", "start", "number", "id")
    )


# --- calendar feed ------------------------------------------------------------------------------------------


def feed_owner(token: str) -> User | None:
    """The active facilitator whose live feed token this is, or None (revoked, unknown, or the account is off)."""
    found = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if found is None or found.user.role != Role.FACILITATOR:
        return None
    return found.user
