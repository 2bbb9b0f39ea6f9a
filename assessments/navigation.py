"""The assessments app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem(
        "Psychometrics",
        "assessments:battery_list",
        frozenset({Role.TREATMENT_MANAGER, Role.AREA_ADMIN}),
        position=100,
    ),
)
