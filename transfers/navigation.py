"""The transfers app's link in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem(
        "Transfers", "transfers:list", frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN}), position=105
    ),
)
