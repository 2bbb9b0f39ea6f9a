"""Every role check in the product, in one place.

Pages and API views call these predicates and permission classes; querysets pass through `scope_to_area` (and the
role-specific selectors) first, so another area's record is simply not found (404), never "forbidden" (403), and a
404 does not reveal whether the record exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.permissions import BasePermission

from accounts.models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    from accounts.models import User

M = TypeVar("M", bound=Model)

STAFF_ROLES = frozenset(Role.values)
MANAGERS = frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN})


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


def is_area_admin(user: User | AnonymousUser | None) -> bool:
    return has_role(user, Role.AREA_ADMIN)


def can_view_audit(user: User | AnonymousUser | None) -> bool:
    """Treatment managers and area administrators may search their area's audit trail."""
    return has_role(user, *MANAGERS)


def can_manage_area(user: User | AnonymousUser | None) -> bool:
    """Area administrators manage staff, venues, closure dates and programme configuration."""
    return has_role(user, Role.AREA_ADMIN)


def can_view_staff(user: User | AnonymousUser | None) -> bool:
    """Managers see their area's staff list (to allocate and supervise facilitators)."""
    return has_role(user, *MANAGERS)


def scope_to_area(queryset: QuerySet[M], user: User | AnonymousUser | None, field: str = "area") -> QuerySet[M]:
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


# --- delivery (programmes, groups, one-to-one plans, sessions) ---------------------------------------------
