"""The quality app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts import permissions
from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem(
        "Quality", "quality:recordings", frozenset({Role.TREATMENT_MANAGER, Role.FACILITATOR}), position=80
    ),
    NavItem(
        "Statistics",
        "quality:statistics",
        frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN}),
        position=90,
        allowed=permissions.can_view_statistics,
    ),
)
