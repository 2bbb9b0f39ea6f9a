"""The sessions app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem("My sessions", "programme_sessions:my_calendar", frozenset({Role.FACILITATOR}), position=35),
    NavItem(
        "Groups",
        "programme_sessions:group_list",
        frozenset({Role.TREATMENT_MANAGER, Role.FACILITATOR}),
        position=40,
    ),
    NavItem(
        "One-to-one plans", "programme_sessions:plan_list", frozenset({Role.TREATMENT_MANAGER}), position=50
    ),
    NavItem("Programmes", "programme_sessions:programme_list", frozenset({Role.AREA_ADMIN}), position=58),
)
