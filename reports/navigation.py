"""The reports app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem(
        "Reports",
        "reports:report_list",
        frozenset({Role.TREATMENT_MANAGER, Role.FACILITATOR, Role.OFFENDER_MANAGER}),
        position=60,
    ),
)
