"""One-to-one plans, the next plan reference, and the waiting referral a plan is built for."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateField,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import is_facilitator, is_manager, is_staff_member, scope_to_area
from audit.services import record_access
from isotp import clock
from referrals import selectors as referral_selectors
from referrals.models import Referral
from sessions.models import (
    GroupSlot,
    OneToOnePlan,
    ScheduledSession,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
from sessions.selectors.catalogue import programme_by_programme_format
from sessions.selectors.groups import with_staff


def _per_plan(qs: QuerySet[Any], value: Any, output: Any) -> Subquery:
    """One value per plan from `qs` (its rows of one plan), as a correlated subquery."""
    return Subquery(
        qs.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(v=value).values("v")[:1],
        output_field=output,
    )


def _with_counts(qs: QuerySet[OneToOnePlan]) -> QuerySet[OneToOnePlan]:
    """`qs` with each plan's `session_count` (live sessions) and `next_session_date` (the next scheduled one)."""
    today = clock.today()
    live = ScheduledSession.objects.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
    upcoming = ScheduledSession.objects.filter(status=SessionStatus.SCHEDULED, date__gte=today)
    return qs.annotate(
        # Correlated subqueries, not a GROUP BY over the plan's joins (issue 11's profile: the aggregate ran
        # over every plan of the area before the page was cut); PostgreSQL evaluates them for the page only.
        session_count=Coalesce(_per_plan(live, Count("id"), IntegerField()), 0),
        next_session_date=_per_plan(upcoming, Min("date"), DateField()),
    )


def plans_for_list(user: User | AnonymousUser) -> QuerySet[OneToOnePlan]:
    """Managers: their area's one-to-one plans; facilitators: the plans they deliver; anyone else: none."""
    qs = scope_to_area(
        # Four tables joined, not nine: PostgreSQL spent 20 ms planning the nine-way join at national scale, and
        # still 3-5 ms (against 1 ms at scale 0.01) the seven-way one, while running it took under 1 ms (issue 11,
        # perf16). The venue and the two staff members are preloaded for the page instead (one query each, by
        # primary key); who closed a plan likewise (only when a plan on it is closed); the area is read by the
        # pages of one plan that need it.
        OneToOnePlan.objects.select_related(
            "programme",
            "referral",
            "referral__person",
        ).prefetch_related("slots", "completed_by", "venue", "facilitator", "treatment_manager"),
        user,
    )
    return _in_reach(user, _with_counts(qs))


# What the API list shows of a plan (sessions.serializers.PlanOutput), besides its slots, staff and counts.
PLAN_LIST_COLUMNS = (
    "public_id",
    "reference",
    "programme__code",
    "programme__name",
    "programme__version",
    "referral__public_id",
    "venue__name",
    "facilitator",
    "treatment_manager",
    "sessions_per_module",
    "rationale",
    "total_sessions",
    "start_date",
    "status",
    "completed_on",
    "completed_by",
    "completion_reason",
)


def plan_list_for_user(user: User | AnonymousUser) -> QuerySet[OneToOnePlan]:
    """`plans_for_list`'s plans for the API list, reading only what its answer shows: the programme, referral and
    venue joined (four tables: the API names no one, so not the person), only their shown columns, the slots
    with theirs. The page's members of staff are read once the page is cut (`with_plan_staff`): three queries
    of whole users before (facilitators, treatment managers, who closed), one of their public ids and names."""
    qs = scope_to_area(
        OneToOnePlan.objects.select_related("programme", "referral", "venue")
        .only(*PLAN_LIST_COLUMNS)
        .prefetch_related(
            Prefetch("slots", queryset=GroupSlot.objects.only("plan", "weekday", "start_time"))
        ),
        user,
    )
    return _in_reach(user, _with_counts(qs))


def with_plan_staff(plans: list[OneToOnePlan]) -> list[OneToOnePlan]:
    """A page of `plan_list_for_user`: its facilitators, treatment managers and closers in one query."""
    return with_staff(plans, ("facilitator", "treatment_manager", "completed_by"))


def _in_reach(user: User | AnonymousUser, qs: QuerySet[OneToOnePlan]) -> QuerySet[OneToOnePlan]:
    """`qs` (scoped to the user's area) narrowed to the plans the user may see: managers the area's, facilitators
    the plans they deliver, anyone else none; in the list's order."""
    if is_facilitator(user):
        qs = qs.filter(facilitator_id=user.pk)
    elif not is_manager(user):
        return qs.none()
    return qs.order_by("start_date", "reference", "id")


def plan_for_user(user: User | AnonymousUser, public_id: object) -> OneToOnePlan:
    """One plan the user may see (404 otherwise)."""
    return get_object_or_404(plans_for_list(user), public_id=public_id)


def plan_in_reach(user: User | AnonymousUser, public_id: object) -> OneToOnePlan:
    """`plan_for_user`'s plan (the same scope, 404 otherwise) with only its key and public id read, for the
    endpoint that lists its sessions: `plan_for_user` computed its counts and read its slots, venue, programme,
    referral, person, facilitator and treatment manager, none of which that list shows (issue 11)."""
    qs = scope_to_area(OneToOnePlan.objects.only("pk", "public_id"), user)
    return get_object_or_404(_in_reach(user, qs), public_id=public_id)


def plan_record_for(user: User | AnonymousUser, public_id: object) -> OneToOnePlan:
    """`plan_for_user`, for the plan's page: it names the person, so the view of their record is logged."""
    plan = plan_for_user(user, public_id)
    person = plan.referral.person
    record_access(actor=cast("User", user), obj=person, via="page", object_label=person.crn)
    return plan


def one_to_one_code(user: User | AnonymousUser, *, today: dt.date) -> str:
    """The code of the i-SOTP one-to-one version the user's area uses today ("" if none is offered)."""
    if not is_staff_member(user):
        return ""
    found = programme_by_programme_format(user.area, "isotp", "one_to_one", on=today)  # type: ignore[union-attr, arg-type]
    return found.code if found else ""


def waiting_referral(user: User | AnonymousUser, public_id: Any) -> Referral | None:
    """A referral of the user's area (scoped by the referrals selectors), or None when it is not found."""
    try:
        return referral_selectors.referral_for_user(user, public_id)
    except (Http404, ValueError, ValidationError):
        return None
