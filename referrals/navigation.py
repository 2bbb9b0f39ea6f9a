"""The referrals app's links in the service navigation (collected by `isotp.navigation`)."""

from accounts.models import Role
from isotp.navigation import NavItem

NAV_ITEMS = (
    NavItem("People", "referrals:person_list", frozenset({Role.TREATMENT_MANAGER}), position=10),
    NavItem("My caseload", "referrals:person_list", frozenset({Role.OFFENDER_MANAGER}), position=10),
    NavItem(
        "Referrals",
        "referrals:referral_list",
        frozenset({Role.TREATMENT_MANAGER, Role.OFFENDER_MANAGER}),
        position=20,
    ),
    NavItem("Waiting list", "referrals:waiting_list", frozenset({Role.TREATMENT_MANAGER}), position=30),
)
