"""The accounts app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem("Staff", "accounts:staff_list", frozenset({Role.AREA_ADMIN}), position=55),
    NavItem("Venues", "accounts:venue_list", frozenset({Role.AREA_ADMIN}), position=56),
    NavItem("Closure dates", "accounts:closure_list", frozenset({Role.AREA_ADMIN}), position=57),
    NavItem(
        "Staff", "accounts:staff_list", frozenset({Role.TREATMENT_MANAGER}), position=70
    ),  # one name (issue 13)
)
