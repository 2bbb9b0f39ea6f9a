"""Groups and their members, scoped by role (facilitators: the groups they deliver), with places left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import (
    is_facilitator,
    is_manager,
    is_staff_member,
    scope_to_area,
    sees_own_caseload_only,
)
from audit.services import record_access
from isotp import clock
from sessions.models import (
    GroupSlot,
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _per_group(qs: QuerySet, value: Any, output: Any) -> Subquery:
    """One value per group from `qs` (its rows of one group), as a correlated subquery."""
    return Subquery(
        qs.filter(group=OuterRef("pk")).order_by().values("group").annotate(v=value).values("v")[:1],
        output_field=output,
    )


def _group_base() -> QuerySet[ProgrammeGroup]:
    """Counts and dates are correlated subqueries, not aggregates over joins: joining every session to every
    membership multiplied the rows of each group and made a page of 25 aggregate the area's whole history
    (issue 11's load test: the cost grew with the area's groups); PostgreSQL evaluates these for the page only."""
    live = ScheduledSession.objects.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
    return _with_counts(
        # Who runs and who closed a group are preloaded for the page (one query each; the second only when a
        # group on it is closed): joined, each made PostgreSQL hash every member of staff in the country for
        # each page (issue 11: the API list's query 5.9 ms at scale 1, 1.4 of it that hash).
        ProgrammeGroup.objects.select_related("programme", "venue", "area").prefetch_related(
            "slots",
            "treatment_manager",
            "completed_by",
            Prefetch("facilitators", queryset=User.objects.order_by("full_name")),
        )
    ).annotate(first_session_date=_per_group(live, Min("date"), DateField()))


def _with_counts(qs: QuerySet[ProgrammeGroup]) -> QuerySet[ProgrammeGroup]:
    """`qs` with each group's `session_count` (live sessions), `member_count` (active members),
    `next_session_date` (the next scheduled session) and `last_session_date` (the last live one)."""
    today = clock.today()
    live = ScheduledSession.objects.exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
    upcoming = ScheduledSession.objects.filter(status=SessionStatus.SCHEDULED, date__gte=today)
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    return qs.annotate(
        session_count=Coalesce(_per_group(live, Count("id"), IntegerField()), 0),
        member_count=Coalesce(_per_group(active, Count("id"), IntegerField()), 0),
        next_session_date=_per_group(upcoming, Min("date"), DateField()),
        last_session_date=_per_group(live, Max("date"), DateField()),
    )


def groups_for_list(user: User | AnonymousUser, *, lean: bool = False) -> QuerySet[ProgrammeGroup]:
    """Managers: their area's groups; facilitators: only the groups they deliver; anyone else: none.

    Counts and the next session date are annotations, so the list costs the same queries for 3 rows or 300.
    `lean`: the same groups with their programme only, none of the list's counts, dates, slots or staff (for
    counts and short lists that show none of them: building and running those cost the TM's home 5 queries)."""
    base = ProgrammeGroup.objects.select_related("programme") if lean else _group_base()
    return _in_reach(user, scope_to_area(base, user))


def _in_reach(user: User | AnonymousUser, qs: QuerySet[ProgrammeGroup]) -> QuerySet[ProgrammeGroup]:
    """`qs` (scoped to the user's area) narrowed to the groups the user may see: managers the area's,
    facilitators only the groups they deliver, anyone else none; in the list's order."""
    if is_facilitator(user):
        qs = qs.filter(facilitator_links__facilitator_id=user.pk)
    elif not is_manager(user):
        return qs.none()
    return qs.order_by("start_date", "reference", "id")


GROUP_LIST_COLUMNS = (
    "public_id",
    "reference",
    "name",
    "programme__code",
    "programme__name",
    "programme__version",
    "venue__name",
    "treatment_manager",
    "capacity",
    "age_min",
    "age_max",
    "start_date",
    "status",
    "completed_on",
    "completed_by",
    "completion_reason",
)


def group_list_for_user(user: User | AnonymousUser) -> QuerySet[ProgrammeGroup]:
    """`groups_for_list`'s groups for the API list, reading only what its answer shows
    (sessions.serializers.GroupOutput): the programme and venue joined with their shown columns only (not the
    area), the slots and facilitators with theirs, the counts and dates it shows (not the first session's date).
    The page's treatment managers and closers are read once the page is cut (`with_group_staff`), in one query
    of their public ids and names, not two of whole users."""
    base = _with_counts(
        ProgrammeGroup.objects.select_related("programme", "venue")
        .only(*GROUP_LIST_COLUMNS)
        .prefetch_related(
            Prefetch("slots", queryset=GroupSlot.objects.only("group", "weekday", "start_time")),
            Prefetch(
                "facilitators", queryset=User.objects.order_by("full_name").only("public_id", "full_name")
            ),
        )
    )
    return _in_reach(user, scope_to_area(base, user))


def with_group_staff(groups: list[ProgrammeGroup]) -> list[ProgrammeGroup]:
    """A page of `group_list_for_user`: its treatment managers and closers in one query."""
    return with_staff(groups, ("treatment_manager", "completed_by"))


def with_staff(records: list[Any], names: tuple[str, ...]) -> list[Any]:
    """The members of staff that `records` name in their foreign keys `names` (treatment manager, facilitator,
    who closed...), read in one query, only their public id and name (all an API list shows of them), and set
    on each record as a prefetch would (no query when one is read)."""
    if not records:
        return records
    fields = [records[0]._meta.get_field(name) for name in names]
    ids = {getattr(record, field.attname) for record in records for field in fields} - {None}
    staff = User._base_manager.only("public_id", "full_name").in_bulk(ids) if ids else {}
    for record in records:
        for field in fields:
            key = getattr(record, field.attname)
            field.set_cached_value(record, None if key is None else staff[key])
    return records


def group_for_user(user: User | AnonymousUser, public_id: object) -> ProgrammeGroup:
    """One group the user may see (404 otherwise); one row, so its treatment manager is joined."""
    return get_object_or_404(groups_for_list(user).select_related("treatment_manager"), public_id=public_id)


def group_in_reach(user: User | AnonymousUser, public_id: object) -> ProgrammeGroup:
    """`group_for_user`'s group (the same scope, 404 otherwise) with only its key and public id read, for the
    endpoints that list its rows (its members, its sessions): `group_for_user` computed the group's five counts
    and dates and read its slots, programme, venue, area and staff, none of which they show (issue 11)."""
    return get_object_or_404(
        groups_for_list(user, lean=True).select_related(None).only("pk", "public_id"), public_id=public_id
    )


def schedule_for_group(group: ProgrammeGroup) -> QuerySet[ScheduledSession]:
    """Every session of a group in date order, cancelled ones included (they show what happened)."""
    return (
        ScheduledSession.objects.filter(group=group)
        .select_related("venue")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .order_by("date", "start", "number", "id")
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


def members_for_group_page(group: ProgrammeGroup, *, include_ended: bool = True) -> QuerySet[Membership]:
    """`members_for_group` for the group's page, joining only what its members table shows: the person and their
    offender manager (not the group, plan, nor who allocated or removed each member)."""
    return (
        members_for_group(group, include_ended=include_ended)
        .select_related(None)
        .select_related("referral__person__offender_manager")
    )


def sessions_for_group_page(group: ProgrammeGroup) -> QuerySet[ScheduledSession]:
    """`schedule_for_group`'s sessions (every one, by date) for the group's page, which shows neither their venue
    nor their facilitators: those are not read (a join, and a query of two members of staff a session)."""
    return ScheduledSession.objects.filter(group=group).order_by("date", "start", "number", "id")


def member_list_for_group(group: ProgrammeGroup) -> QuerySet[Membership]:
    """`members_for_group`'s rows (every member, active first) for the API list: only the columns its answer shows
    (the group's and referral's public ids, the person's, the missed session a restart names). The page's
    offender managers and who allocated or removed each member are not joined; the missed session is, so a group
    with restarts costs no query a row."""
    members = members_for_group(group).select_related(None)
    return members.select_related("group", "referral__person", "restart_session").only(
        "public_id",
        "group__public_id",
        "plan",
        "referral__public_id",
        "referral__person__public_id",
        "referral__person__crn",
        "referral__person__first_name",
        "referral__person__last_name",
        "joined_on",
        "left_on",
        "status",
        "removal_reason_code",
        "removal_reason",
        "next_status",
        "restart_session__public_id",
    )


def memberships_for_user(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Memberships the user may see: managers their area's; facilitators those of groups and plans they deliver."""
    if not is_staff_member(user):
        return Membership.objects.none()
    area_id = user.area_id  # type: ignore[union-attr]
    qs = Membership.objects.filter(Q(group__area_id=area_id) | Q(plan__area_id=area_id)).select_related(
        "group", "plan", "referral", "referral__person", "restart_session"
    )
    if is_facilitator(user):
        return qs.filter(
            Q(group__facilitator_links__facilitator_id=user.pk) | Q(plan__facilitator_id=user.pk)
        )
    if is_manager(user):
        return qs
    return qs.none()


# What a member's row on a home card reads (the facilitator's psychometrics to enter, reports to draft): the
# person's name and CRN, the group's or plan's reference and the membership's status, joined with
# `select_related("group", "plan", "referral__person")` and nothing more (issue 11).
MEMBER_ROW_FIELDS = (
    "public_id",
    "status",
    "group__reference",
    "plan__reference",
    "referral__person__first_name",
    "referral__person__last_name",
    "referral__person__crn",
)


def memberships_delivered_in_area(user: User | AnonymousUser) -> QuerySet[Membership]:
    """The memberships of the user's area's groups and plans (a facilitator's: only those they deliver), for the
    lists that scan them (the homes' active members, the members ready for a report); the caller checks the role.

    A manager's are those delivered in the area (`delivery_area`, the group's or plan's area, stored on the
    membership) whose referral is still the area's (a transfer moves the referral, not the group): read through
    `membership_area_status_idx`. A facilitator's groups and plans are two small id lists the planner hashes.
    Filtering on the joined `group.area OR plan.area` made PostgreSQL hash or loop over every group, plan and
    referral in the country (issue 11: 190 ms on the homes, 2.4 s for the ready list at national scale), and the
    area's group and plan ids walked every active membership in the country (1,262 at scale 1, for its 31)."""
    area_id = user.area_id  # type: ignore[union-attr]
    if not is_facilitator(user):
        return Membership.objects.filter(delivery_area_id=area_id, referral__area_id=area_id)
    groups = ProgrammeGroup.objects.filter(area_id=area_id, facilitator_links__facilitator_id=user.pk)
    plans = OneToOnePlan.objects.filter(area_id=area_id, facilitator_id=user.pk)
    return Membership.objects.filter(
        Q(group_id__in=groups.values("id")) | Q(plan_id__in=plans.values("id")), referral__area_id=area_id
    )


def membership_for_user(user: User | AnonymousUser, public_id: object) -> Membership:
    """One membership the user may see (404 otherwise)."""
    return get_object_or_404(memberships_for_user(user), public_id=public_id)


def memberships_readable_by(user: User | AnonymousUser) -> QuerySet[Membership]:
    """Memberships whose record the user may read: `memberships_for_user`, and for an offender manager the
    memberships of the people on their own caseload (in their area); anyone else's is not found."""
    if sees_own_caseload_only(user):
        area_id = user.area_id  # type: ignore[union-attr]
        return Membership.objects.filter(
            Q(group__area_id=area_id) | Q(plan__area_id=area_id),
            referral__person__offender_manager_id=user.pk,
        ).select_related("group", "plan", "referral", "referral__person", "restart_session")
    return memberships_for_user(user)


def membership_record_for(user: User | AnonymousUser, public_id: object) -> Membership:
    """One membership the user may read (`memberships_readable_by`, 404 otherwise), for the endpoint that shows
    it: it names the person, so the view is logged (the CRN as label, never the name)."""
    membership = get_object_or_404(memberships_readable_by(user), public_id=public_id)
    record_access(
        actor=cast("User", user), obj=membership, via="api", object_label=membership.referral.person.crn
    )
    return membership


def _active_member_count() -> Subquery:
    active = (
        Membership.objects.filter(group=OuterRef("pk"), status=MembershipStatus.ACTIVE)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(active, output_field=IntegerField())


def groups_with_places(
    user: User | AnonymousUser, *, status: str = "", lean: bool = False
) -> QuerySet[ProgrammeGroup]:
    """`groups_for_list` (scoped: managers the area's groups, facilitators their own) with
    `member_count` and `places_free` annotated by a subquery, so the list's query count is fixed. Without a
    status, completed and cancelled groups are left out. `lean`: see `groups_for_list`."""
    qs = groups_for_list(user, lean=lean).annotate(member_count=Coalesce(_active_member_count(), 0))
    qs = qs.annotate(places_free=F("capacity") - F("member_count"))
    if status:
        return qs.filter(status=status)
    return qs.exclude(status__in=[GroupStatus.COMPLETED, GroupStatus.CANCELLED])
