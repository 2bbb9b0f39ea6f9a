"""The audit app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem("Audit", "audit:event_list", frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN}), position=110),
)
