"""Every role check in the product, in one place.

Pages and API views call these predicates and permission classes; querysets pass through `scope_to_area` (and the
role-specific selectors) first, so another area's record is simply not found (404), never "forbidden" (403), and a
404 does not reveal whether the record exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from accounts.models import Role
from referrals.rules.transitions import ReferralStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    from accounts.models import User

M = TypeVar("M", bound=Model)

STAFF_ROLES = frozenset(Role.values)
MANAGERS = frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN})


def require(check: bool, message: str = "") -> None:
    """Pages and services: refuse (403) a role that may not do this; records outside the user's reach are 404
    (`require_found`) before this is asked, so a refusal never reveals whether a record exists."""
    if not check:
        raise PermissionDenied(message) if message else PermissionDenied


def require_found(check: bool) -> None:
    """Services and pages: a record outside the user's reach is not found (404), whether or not it exists."""
    if not check:
        raise Http404


def area_id_of(obj: Any) -> int | None:
    """The probation area a record belongs to: its own `area_id`, or its person's, group's, plan's, referral's,
    membership's or session's (the records that have no area of their own)."""
    if obj is None:
        return None
    if hasattr(obj, "area_id"):
        return cast("int | None", obj.area_id)
    for parent in ("person", "referral", "group", "plan", "membership", "session"):
        owner = getattr(obj, parent, None) if _has_field(obj, parent) else None
        if owner is not None:
            return area_id_of(owner)
    return None


def _has_field(obj: Any, name: str) -> bool:
    return getattr(obj, f"{name}_id", None) is not None


def in_area(user: User | AnonymousUser | None, *objs: Any) -> bool:
    """Every record belongs to the user's probation area (a member of staff with an area)."""
    area_id = getattr(user, "area_id", None)
    return area_id is not None and all(area_id_of(obj) == area_id for obj in objs)


def require_in_area(user: User | AnonymousUser | None, *objs: Any) -> None:
    """Services: another area's record is not found (404), whatever the role."""
    require_found(in_area(user, *objs))


def is_staff_member(user: User | AnonymousUser | None) -> bool:
    """An active, signed-in member of staff with a role in a probation area."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", "") in STAFF_ROLES
        and getattr(user, "area_id", None) is not None
    )


def has_role(user: User | AnonymousUser | None, *roles: str) -> bool:
    """A staff member whose role is one of `roles`."""
    return is_staff_member(user) and getattr(user, "role", "") in roles


def is_treatment_manager(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.TREATMENT_MANAGER)


def is_facilitator(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.FACILITATOR)


def is_offender_manager(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.OFFENDER_MANAGER)


def is_manager(user: User | AnonymousUser | None) -> bool:
    """Treatment managers and area administrators: they see the whole area's delivery."""
    return has_role(user, *MANAGERS)


def is_area_admin(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.AREA_ADMIN)


def can_view_audit(user: User | AnonymousUser | None) -> bool:
    """Treatment managers and area administrators may search their area's audit trail."""
    return has_role(user, *MANAGERS)


def can_manage_area(user: User | AnonymousUser | None) -> bool:
    """Area administrators manage staff, venues, closure dates and programme configuration."""
    return has_role(user, Role.AREA_ADMIN)


def sees_own_caseload_only(user: User | AnonymousUser | None) -> bool:
    """Offender managers read and list their own caseload; everyone else who reads people sees the whole area."""
    return is_offender_manager(user)


def can_choose_offender_manager(user: User | AnonymousUser | None) -> bool:
    """Treatment managers choose (and change) a person's offender manager; an OM adds to their own caseload."""
    return is_treatment_manager(user)


def can_use_rm2000_calculator(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """Treatment managers score RM2000 item by item on the calculator page (the stateless API scores for any
    member of staff); for a person, whoever may record his RM2000 (his OM or a TM of the area, as
    `calculate_and_record_rm2000`) uses the page for him."""
    return is_treatment_manager(user) or (person is not None and can_edit_person(user, person))


def can_change_own_password(user: User | AnonymousUser | None) -> bool:
    """Any active, signed-in account changes its own password (there is no changing another's)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_revoke_api_token(user: User | AnonymousUser | None, token: Any) -> bool:
    """A token's owner, or an administrator of the owner's area, may revoke it."""
    if not is_staff_member(user):
        return False
    return token.user_id == user.pk or (  # type: ignore[union-attr]
        has_role(user, Role.AREA_ADMIN) and token.user.area_id == user.area_id  # type: ignore[union-attr]
    )


def can_assign_supervisor(user: User | AnonymousUser | None) -> bool:
    """Managers choose which treatment manager of the area supervises a facilitator."""
    return has_role(user, *MANAGERS)


def delivers_programmes(member: Any) -> bool:
    """A facilitator: the member of staff with training records, a supervisor, and programmes they may deliver."""
    return getattr(member, "role", "") == Role.FACILITATOR


def supervises_facilitators(member: Any) -> bool:
    """A treatment manager: the member of staff who may supervise facilitators (and be chosen to)."""
    return getattr(member, "role", "") == Role.TREATMENT_MANAGER


def manages_caseload(member: Any) -> bool:
    """An offender manager: the member of staff who may be chosen as a person's OM."""
    return getattr(member, "role", "") == Role.OFFENDER_MANAGER


def administers_psychometrics(member: Any) -> bool:
    """Facilitators and treatment managers administer a psychometric battery (and may be named as having done so)."""
    return getattr(member, "role", "") in (Role.FACILITATOR, Role.TREATMENT_MANAGER)


def holds_role(member: Any, role: str) -> bool:
    """The member of staff already has `role` (changing to it would be no change)."""
    return bool(getattr(member, "role", "") == role)


def has_any_role(user: User | AnonymousUser | None, roles: frozenset[str] | tuple[str, ...]) -> bool:
    """A staff member whose role is in `roles` (navigation items and home-page cards name their roles as data)."""
    return has_role(user, *roles)


def can_add_training(user: User | AnonymousUser | None, member: Any) -> bool:
    """Area administrators record training for a facilitator of their area."""
    return can_manage_area(user) and delivers_programmes(member) and _same_area(user, member)


def can_manage_member(user: User | AnonymousUser | None, member: Any) -> bool:
    """Area administrators manage a colleague of their area (role, deactivation, authenticator reset), never their
    own account: another administrator does that."""
    return can_manage_area(user) and _same_area(user, member) and getattr(member, "pk", None) != user.pk  # type: ignore[union-attr]


def can_view_staff(user: User | AnonymousUser | None) -> bool:
    """Managers see their area's staff list (to allocate and supervise facilitators)."""
    return has_role(user, *MANAGERS)


def scope_to_area(
    queryset: QuerySet[M], user: User | AnonymousUser | None, field: str = "area"
) -> QuerySet[M]:
    """Restrict `queryset` to the user's probation area through `field`; nothing at all for anyone else."""
    if not is_staff_member(user):
        return queryset.none()
    return queryset.filter(**{field: user.area_id})  # type: ignore[union-attr]


# --- DRF permission classes -------------------------------------------------------------------------------


class DenyAll(BasePermission):
    """The default for every API view: a view that forgets to name its permissions refuses everyone."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return False


class IsVerifiedStaff(BasePermission):
    """Any member of staff with a role and an area (session users have passed the second factor)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_member(request.user)


class RolePermission(IsVerifiedStaff):
    """Base for role-restricted endpoints: subclasses set `roles`; `safe_roles` may additionally read."""

    roles: frozenset[str] = frozenset()
    safe_roles: frozenset[str] = frozenset()

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        role = request.user.role  # type: ignore[union-attr]
        if request.method in ("GET", "HEAD", "OPTIONS") and role in self.safe_roles:
            return True
        return role in self.roles


class IsManager(RolePermission):
    """Treatment managers and area administrators."""

    roles = MANAGERS


class IsAreaAdmin(RolePermission):
    roles = frozenset({Role.AREA_ADMIN})


class IsTreatmentManager(RolePermission):
    roles = frozenset({Role.TREATMENT_MANAGER})


class IsOffenderManager(RolePermission):
    roles = frozenset({Role.OFFENDER_MANAGER})


class IsFacilitator(RolePermission):
    roles = frozenset({Role.FACILITATOR})


def role_permission(*roles: str, read: tuple[str, ...] = ()) -> type[RolePermission]:
    """Build a permission class for `roles` (all methods) plus `read` roles (safe methods only)."""
    return type(
        "RolePermission_" + "_".join(sorted(roles)),
        (RolePermission,),
        {"roles": frozenset(roles), "safe_roles": frozenset(read)},
    )


# --- referrals (people, referrals, eligibility) -------------------------------------------------------------
# Who may do what (issue 3): OMs add and edit the people on their own caseload and refer them; TMs see the whole
# area, record risk and deviance, assess and move statuses; area administrators read. Facilitators are refused.
# Every predicate that takes a record assumes it came through a selector (so it is already in the user's area).

REFERRAL_READERS = frozenset({Role.TREATMENT_MANAGER, Role.OFFENDER_MANAGER, Role.AREA_ADMIN})


def _on_caseload(user: User | AnonymousUser | None, person: Any) -> bool:
    return is_offender_manager(user) and getattr(person, "offender_manager_id", None) == getattr(
        user, "pk", None
    )


def can_see_person(user: User | AnonymousUser | None, person: Any) -> bool:
    """The person is within the user's reach: their area, and for an OM their own caseload (otherwise 404)."""
    if not in_area(user, person):
        return False
    return not is_offender_manager(user) or _on_caseload(user, person)


def require_person_found(user: User | AnonymousUser | None, person: Any) -> None:
    """Services: a person (or their referral, conviction, risk record) outside the user's reach is a 404."""
    require_found(can_see_person(user, person))


def can_view_people(user: User | AnonymousUser | None) -> bool:
    """OMs (their caseload), TMs and area administrators (their area) read people and referrals."""
    return has_role(user, *REFERRAL_READERS)


def can_add_person(user: User | AnonymousUser | None) -> bool:
    """OMs add people to their own caseload; TMs may add one for an OM of their area."""
    return has_role(user, Role.OFFENDER_MANAGER, Role.TREATMENT_MANAGER)


def can_edit_person(user: User | AnonymousUser | None, person: Any) -> bool:
    """The person's own OM, or a TM of the area: details, convictions, sentence, RM2000 and RoSH."""
    return _on_caseload(user, person) or (
        is_treatment_manager(user) and getattr(person, "area_id", None) == getattr(user, "area_id", None)
    )


def can_record_deviance(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """Only TMs record psychometric deviance (domain.md §7), for people of their area."""
    return is_treatment_manager(user) and (
        person is None or getattr(person, "area_id", None) == getattr(user, "area_id", None)
    )


def can_refer(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """OMs refer the people on their own caseload."""
    return is_offender_manager(user) and (person is None or _on_caseload(user, person))


def can_edit_referral(user: User | AnonymousUser | None, referral: Any) -> bool:
    """The referring OM's caseload, while the referral is a draft."""
    return getattr(referral, "status", None) == ReferralStatus.DRAFT and _on_caseload(
        user, getattr(referral, "person", None)
    )


def can_submit_referral(user: User | AnonymousUser | None, referral: Any) -> bool:
    """The person's OM submits their draft referral."""
    return can_edit_referral(user, referral)


def can_assess(user: User | AnonymousUser | None, referral: Any = None) -> bool:
    """Only TMs assess referrals, in their own area."""
    return is_treatment_manager(user) and (
        referral is None or getattr(referral, "area_id", None) == getattr(user, "area_id", None)
    )


def can_change_referral_status(user: User | AnonymousUser | None, referral: Any, to_status: str) -> bool:
    """TMs move any referral of their area; the person's OM may submit a draft or withdraw an open referral."""
    if can_assess(user, referral):
        return True
    person = getattr(referral, "person", None)
    if to_status == ReferralStatus.SUBMITTED:
        return can_submit_referral(user, referral)
    return to_status == ReferralStatus.WITHDRAWN and _on_caseload(user, person)


def may_request_status_change(user: User | AnonymousUser | None, referral: Any, to_status: str) -> bool:
    """The role may ask for this move on this referral, whatever its status now: a TM of the area for any move,
    the person's OM to submit or withdraw. When this holds but `can_change_referral_status` does not, the
    referral's status is what refuses (409, the same answer a TM gets), not the role (403)."""
    return can_assess(user, referral) or (
        to_status in (ReferralStatus.SUBMITTED, ReferralStatus.WITHDRAWN)
        and _on_caseload(user, getattr(referral, "person", None))
    )


def can_export_subject_access(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """Area administrators export everything held about a person of their own area (a subject access request)."""
    return has_role(user, Role.AREA_ADMIN) and (person is None or _same_area(user, person))


def can_move_as_consequence(user: User | AnonymousUser | None) -> bool:
    """Delivery services move a referral as the consequence of an allocation, a removal (TMs) or the first
    attended session (TMs and facilitators); nobody else does."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.FACILITATOR)


def can_view_waiting_list(user: User | AnonymousUser | None) -> bool:
    """TMs and area administrators see the area's waiting lists (OMs would see others' caseloads)."""
    return has_role(user, *MANAGERS)


ReferralReaders = role_permission(*REFERRAL_READERS)
PeoplePermission = role_permission(Role.OFFENDER_MANAGER, Role.TREATMENT_MANAGER, read=(Role.AREA_ADMIN,))
ReferralPermission = role_permission(Role.OFFENDER_MANAGER, read=(Role.TREATMENT_MANAGER, Role.AREA_ADMIN))
TransitionPermission = role_permission(Role.OFFENDER_MANAGER, Role.TREATMENT_MANAGER)
AssessPermission = role_permission(Role.TREATMENT_MANAGER, read=(Role.AREA_ADMIN,))
DeviancePermission = role_permission(Role.TREATMENT_MANAGER, read=(Role.OFFENDER_MANAGER, Role.AREA_ADMIN))
WaitingListPermission = role_permission(Role.TREATMENT_MANAGER, Role.AREA_ADMIN)


# --- delivery (programmes, groups, one-to-one plans, sessions) ---------------------------------------------
# Pages (issue 4): TMs create and run groups and one-to-one plans; facilitators see the ones they deliver and their
# own calendar; area administrators edit the catalogue and read groups. OMs see delivery through their referrals.

DELIVERY_READERS = frozenset({Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.AREA_ADMIN})


def can_view_catalogue(user: User | AnonymousUser | None) -> bool:
    """Managers read the programme catalogue (TMs schedule from it)."""
    return has_role(user, *MANAGERS)


def can_edit_catalogue(user: User | AnonymousUser | None) -> bool:
    """Area administrators change the catalogue, always as a new version (domain.md §2)."""
    return has_role(user, Role.AREA_ADMIN)


def can_view_groups(user: User | AnonymousUser | None) -> bool:
    """TMs and administrators see the area's groups and plans; facilitators the ones they deliver (selectors)."""
    return has_role(user, *DELIVERY_READERS)


def can_manage_delivery(user: User | AnonymousUser | None) -> bool:
    """TMs create groups and plans, allocate, remove members, reschedule and cancel sessions (domain.md §1)."""
    return has_role(user, Role.TREATMENT_MANAGER)


def can_view_own_calendar(user: User | AnonymousUser | None) -> bool:
    """Facilitators have a calendar page and a private iCalendar feed of the sessions they deliver."""
    return has_role(user, Role.FACILITATOR)


def can_manage_feed(user: User | AnonymousUser | None, owner: Any) -> bool:
    """A facilitator issues and revokes their own calendar feed; a manager of their area may too."""
    if getattr(user, "pk", None) == getattr(owner, "pk", None):
        return can_view_own_calendar(user)
    return has_role(user, *MANAGERS) and in_area(user, owner)


# API (issue 4): the same split as the pages. Writes: TMs. Reads: TMs, administrators and facilitators (the
# selectors narrow a facilitator to what they deliver). The catalogue: managers read it.
CataloguePermission = role_permission(Role.TREATMENT_MANAGER, Role.AREA_ADMIN)
DeliveryPermission = role_permission(Role.TREATMENT_MANAGER, read=tuple(DELIVERY_READERS))
# One membership (issue 7): delivery readers, and an OM for the people on their own caseload (the selector narrows).
MembershipPermission = role_permission(
    Role.TREATMENT_MANAGER, read=tuple(DELIVERY_READERS | {Role.OFFENDER_MANAGER})
)
ManageDeliveryPermission = role_permission(Role.TREATMENT_MANAGER)
SchedulePreviewPermission = role_permission(Role.TREATMENT_MANAGER, Role.AREA_ADMIN)
# Facilitators record attendance at the sessions they deliver (the selector checks which); TMs too.
AttendancePermission = role_permission(Role.TREATMENT_MANAGER, Role.FACILITATOR)
OwnCalendarPermission = role_permission(Role.FACILITATOR)


# --- psychometrics (issue 9, domain.md §7) -------------------------------------------------------------------
# Facilitators enter the scores of the members they deliver to; TMs of the area enter scores too and alone override
# the computed deviance; OMs read their caseload's results; area administrators read results and edit the battery.


def _membership_area_id(membership: Any) -> int | None:
    owner = getattr(membership, "group", None) or getattr(membership, "plan", None)
    return getattr(owner, "area_id", None)


def delivers_to(user: User | AnonymousUser | None, membership: Any) -> bool:
    """A facilitator who delivers the membership's group (or one-to-one plan)."""
    if not is_facilitator(user):
        return False
    if getattr(membership, "plan_id", None):
        return bool(membership.plan.facilitator_id == user.pk)  # type: ignore[union-attr]
    group = getattr(membership, "group", None)
    return group is not None and group.facilitator_links.filter(facilitator_id=user.pk).exists()  # type: ignore[union-attr]


def _in_area(user: User | AnonymousUser | None, membership: Any) -> bool:
    return _membership_area_id(membership) == getattr(user, "area_id", None)


def can_enter_psychometrics(user: User | AnonymousUser | None, membership: Any) -> bool:
    """The member's own facilitators, or a TM of the area, record the pre- and post-programme scores."""
    if is_treatment_manager(user):
        return _in_area(user, membership)
    return delivers_to(user, membership)


def can_read_psychometrics(user: User | AnonymousUser | None) -> bool:
    """Every staff role reads some members' results (TMs and administrators the area's, facilitators their
    members', OMs their caseload's); the selectors narrow which. Anyone else is refused (403)."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.OFFENDER_MANAGER, Role.AREA_ADMIN)


def can_view_psychometrics(user: User | AnonymousUser | None, membership: Any) -> bool:
    """Managers of the area, the member's facilitators and the person's OM read the results."""
    if has_role(user, *MANAGERS):
        return _in_area(user, membership)
    if is_offender_manager(user):
        referral = getattr(membership, "referral", None)
        return _on_caseload(user, getattr(referral, "person", None))
    return delivers_to(user, membership)


def can_override_deviance(user: User | AnonymousUser | None, membership: Any) -> bool:
    """Only a TM of the area records the assessed deviance over the computed one (§7), with rationale."""
    return is_treatment_manager(user) and _in_area(user, membership)


def can_record_psychometric_deviance(user: User | AnonymousUser | None, person: Any) -> bool:
    """Whoever may enter a person's pre-programme scores records the deviance they compute: a TM of the area or
    a facilitator delivering a programme to one of the person's referrals (reverse relations, no sessions import)."""
    if is_treatment_manager(user):
        return getattr(person, "area_id", None) == getattr(user, "area_id", None)
    if not is_facilitator(user) or person is None:
        return False
    return bool(
        person.referrals.filter(
            Q(memberships__group__facilitator_links__facilitator_id=user.pk)  # type: ignore[union-attr]
            | Q(memberships__plan__facilitator_id=user.pk)  # type: ignore[union-attr]
        ).exists()
    )


def can_view_batteries(user: User | AnonymousUser | None) -> bool:
    """Managers and facilitators read the area's psychometric battery (its scales, norms and rules)."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.AREA_ADMIN)


def can_edit_battery(user: User | AnonymousUser | None) -> bool:
    """Area administrators edit, import and export the battery (programme configuration, domain.md §1)."""
    return has_role(user, Role.AREA_ADMIN)


BatteryPermission = role_permission(Role.AREA_ADMIN, read=(Role.TREATMENT_MANAGER, Role.FACILITATOR))
PsychometricsPermission = role_permission(
    Role.TREATMENT_MANAGER, Role.FACILITATOR, read=(Role.OFFENDER_MANAGER, Role.AREA_ADMIN)
)
DevianceOverridePermission = role_permission(Role.TREATMENT_MANAGER)


# --- reports (Post-Programme Reports, issue 10) -------------------------------------------------------------
# domain.md §1, §8: facilitators draft the reports of the members they deliver to; TMs approve, return, amend and
# retry a failed render; OMs read and download their caseload's issued reports. Area administrators are refused.
# The selectors scope which reports each role can reach; these predicates say what the role may do with one.

REPORT_READERS = frozenset({Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.OFFENDER_MANAGER})


def can_view_reports(user: User | AnonymousUser | None) -> bool:
    """TMs (their area), facilitators (the members they deliver to) and OMs (their caseload) read reports."""
    return has_role(user, *REPORT_READERS)


def _same_area(user: User | AnonymousUser | None, obj: Any) -> bool:
    return getattr(obj, "area_id", None) is not None and getattr(obj, "area_id", None) == getattr(
        user, "area_id", None
    )


def can_draft_report(user: User | AnonymousUser | None, report: Any) -> bool:
    """The member's facilitators and the area's TMs write a draft and send it for approval (domain.md §8)."""
    return (is_treatment_manager(user) and _same_area(user, report)) or delivers_to(
        user, getattr(report, "membership", None)
    )


def can_open_report(user: User | AnonymousUser | None, membership: Any) -> bool:
    """The member's facilitators and the area's TMs open a report when the sessions are over."""
    owner = getattr(membership, "group", None) or getattr(membership, "plan", None)
    return (is_treatment_manager(user) and _same_area(user, owner)) or delivers_to(user, membership)


def can_approve_report(user: User | AnonymousUser | None, report: Any = None) -> bool:
    """Only TMs approve (and so issue), return, amend and retry reports of their area (domain.md §1, §8)."""
    return is_treatment_manager(user) and (report is None or _same_area(user, report))


ReportPermission = role_permission(Role.TREATMENT_MANAGER, read=tuple(REPORT_READERS))
ApproveReportPermission = role_permission(Role.TREATMENT_MANAGER)
# --- attendance, catch-ups, enforcement (issue 8) ----------------------------------------------------------
# Facilitators take the registers of the sessions they deliver and book catch-ups for their members; TMs do both
# for the whole area and alone grant exceptions. The person's OM (or a TM) records warnings and breach action.
# A member's progress page: TMs and administrators (area), facilitators (their members), the OM (their caseload).


def can_take_register(user: User | AnonymousUser | None) -> bool:
    """TMs and facilitators (the services narrow a facilitator to the sessions they deliver)."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.FACILITATOR)


def can_deliver_catch_up(user: User | AnonymousUser | None) -> bool:
    """Facilitators deliver catch-ups, individual sessions of their own (domain.md §6); a TM books one for them."""
    return has_role(user, Role.FACILITATOR)


def can_grant_catch_up_exception(user: User | AnonymousUser | None) -> bool:
    """Only TMs let a member continue while a catch-up is outstanding (domain.md §6)."""
    return has_role(user, Role.TREATMENT_MANAGER)


def can_record_enforcement(user: User | AnonymousUser | None) -> bool:
    """The person's OM or a TM (the service checks the caseload)."""
    return has_role(user, Role.OFFENDER_MANAGER, Role.TREATMENT_MANAGER)


def can_view_progress(user: User | AnonymousUser | None) -> bool:
    """Every role may reach a progress page; the selectors narrow it to the user's area, groups or caseload."""
    return is_staff_member(user)


def can_record_enforcement_for(user: User | AnonymousUser | None, person: Any) -> bool:
    """A TM of the person's area, or the person's own OM, records warnings and breach (domain.md §6)."""
    if is_treatment_manager(user):
        return in_area(user, person)
    return is_offender_manager(user) and _on_caseload(user, person)


EnforcementPermission = role_permission(Role.OFFENDER_MANAGER, Role.TREATMENT_MANAGER)


# --- quality assurance, statistics and outcomes (issue 14) ------------------------------------------------------

NATIONAL_STATISTICS_PERMISSION = "quality.view_national_statistics"


def can_mark_recording(user: User | AnonymousUser | None, session: Any) -> bool:
    """A facilitator of the session, or a TM of its area, marks a delivered session as recorded."""
    owner = getattr(session, "group", None) or getattr(session, "plan", None)
    if is_treatment_manager(user):
        return _same_area(user, owner)
    return is_facilitator(user) and session is not None and session.facilitators.filter(pk=user.pk).exists()  # type: ignore[union-attr]


def can_monitor_sessions(user: User | AnonymousUser | None) -> bool:
    """Treatment managers sample recordings and complete monitoring forms (seeds 000/002: clinical QA)."""
    return is_treatment_manager(user)


def can_use_recordings_page(user: User | AnonymousUser | None) -> bool:
    """The recordings page: TMs sample recordings to monitor; facilitators mark their delivered sessions as
    recorded (tester of issue 7: one named predicate, not roles combined in the view)."""
    return can_monitor_sessions(user) or is_facilitator(user)


def can_see_undelivered_emails(user: User | AnonymousUser | None) -> bool:
    """Treatment managers see their area's notification emails the mail server refused after every retry (issue
    12), so someone tells the people who were not emailed."""
    return is_treatment_manager(user)


def can_record_supervision(user: User | AnonymousUser | None, facilitator: Any = None) -> bool:
    """Treatment managers record supervision sessions with their area's facilitators."""
    return is_treatment_manager(user) and (facilitator is None or _same_area(user, facilitator))


def can_view_facilitator_record(user: User | AnonymousUser | None, facilitator: Any) -> bool:
    """A facilitator reads their own record; the area's managers read any of its facilitators'."""
    if is_facilitator(user):
        return getattr(facilitator, "pk", None) == getattr(user, "pk", None)
    return has_role(user, *MANAGERS) and _same_area(user, facilitator)


def can_configure_qa(user: User | AnonymousUser | None) -> bool:
    """Managers set the area's monitoring target and the reports-on-time days."""
    return has_role(user, *MANAGERS)


def can_record_reoffence(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """The offender manager records a proven reoffence for someone on their caseload."""
    return is_offender_manager(user) and (person is None or _on_caseload(user, person))


def can_view_statistics(user: User | AnonymousUser | None) -> bool:
    """Managers read their area's programme statistics and outcomes (aggregates; no person is named)."""
    return has_role(user, *MANAGERS) or can_view_national_statistics(user)


def can_view_national_statistics(user: User | AnonymousUser | None) -> bool:
    """Figures across every area: only staff granted `quality.view_national_statistics` (none by default).

    The grant as `ModelBackend.has_perm` reads it (an active superuser, or the permission given to the user or to
    one of their groups), in one query rather than loading every permission the user holds (two): the
    navigation asks this on every page for every role that is not a manager. Answered once per request (kept on
    the request's user object, as `has_perm` keeps its cache)."""
    if not is_staff_member(user):
        return False
    known = getattr(user, "_national_statistics_grant", None)
    if known is not None:
        return bool(known)
    granted = bool(user.is_superuser)  # type: ignore[union-attr]
    if not granted:
        from django.contrib.auth.models import Permission

        app_label, codename = NATIONAL_STATISTICS_PERMISSION.split(".")
        granted = Permission.objects.filter(
            Q(user=user) | Q(group__user=user), content_type__app_label=app_label, codename=codename
        ).exists()
    user._national_statistics_grant = granted  # type: ignore[union-attr]
    return granted


def can_view_area_statistics(user: User | AnonymousUser | None) -> bool:
    """An area's own figures (and an area audit pack): its managers only; a national reader from another role sees
    national figures only, never an area's working data (review of issue 14)."""
    return has_role(user, *MANAGERS)


def can_see_service_wide_tasks(user: User | AnonymousUser | None) -> bool:
    """Queued work without an area (the outbox) is shown only to an administrator who is a superuser or has the
    national grant, never to every area's administrator (review of issue 14)."""
    return is_area_admin(user) and (
        bool(getattr(user, "is_superuser", False)) or can_view_national_statistics(user)
    )


class StatisticsPermission(IsVerifiedStaff):
    """The statistics API: exactly who may open the Statistics page (`can_view_statistics`), so a user from any
    role holding the national grant is let in (then scoped to national figures), not refused by role."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and can_view_statistics(request.user)


def default_statistics_national(user: User | AnonymousUser | None) -> bool:
    """Whose figures a statistics request without a scope means: the area's for its managers; national for a
    national reader of another role (who never sees an area's working data)."""
    return not can_view_area_statistics(user) and can_view_national_statistics(user)


def can_erase_personal_data(user: User | AnonymousUser | None, person: Any = None) -> bool:
    """Area administrators review the people past the retention period in their own area and confirm the erasure of
    their personal data (issue 12), as they answer subject access requests."""
    return has_role(user, Role.AREA_ADMIN) and (person is None or _same_area(user, person))


def can_request_transfer(user: User | AnonymousUser | None) -> bool:
    """Treatment managers of the receiving area request a person's transfer from the area that holds them (issue
    12: a CRN is national, so the person cannot be added again)."""
    return is_treatment_manager(user)


def can_decide_transfer(user: User | AnonymousUser | None, transfer: Any = None) -> bool:
    """The holding area's treatment manager or administrator approves or refuses a transfer of one of its people."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.AREA_ADMIN) and (
        transfer is None or getattr(user, "area_id", None) == transfer.from_area_id
    )


def can_view_transfers(user: User | AnonymousUser | None) -> bool:
    """Treatment managers and administrators see their area's transfers, incoming and outgoing."""
    return has_role(user, Role.TREATMENT_MANAGER, Role.AREA_ADMIN)
