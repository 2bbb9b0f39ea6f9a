"""Navigation by role: the service navigation items each role sees.

Items name URL patterns; one whose app is not installed yet is left out, so later features add themselves here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str


HOME = NavItem("Home", "home")
NAVIGATION: dict[str, tuple[NavItem, ...]] = {
    Role.TREATMENT_MANAGER: (
        HOME,
        NavItem("People", "referrals:person_list"),
        NavItem("Referrals", "referrals:referral_list"),
        NavItem("Waiting list", "referrals:waiting_list"),
        NavItem("Groups", "programme_sessions:group_list"),
        NavItem("One-to-one plans", "programme_sessions:plan_list"),
        NavItem("Reports", "reports:report_list"),
        NavItem("Facilitators", "accounts:staff_list"),
        NavItem("Quality", "quality:recordings"),
        NavItem("Statistics", "quality:statistics"),
        NavItem("Psychometrics", "assessments:battery_list"),
        NavItem("Audit", "audit:event_list"),
    ),
    Role.FACILITATOR: (
        HOME,
        NavItem("My sessions", "programme_sessions:my_calendar"),
        NavItem("Groups", "programme_sessions:group_list"),
        NavItem("Reports", "reports:report_list"),
        NavItem("Quality", "quality:recordings"),
    ),
    Role.OFFENDER_MANAGER: (
        HOME,
        NavItem("My caseload", "referrals:person_list"),
        NavItem("Referrals", "referrals:referral_list"),
        NavItem("Reports", "reports:report_list"),
    ),
    Role.AREA_ADMIN: (
        HOME,
        NavItem("Staff", "accounts:staff_list"),
        NavItem("Venues", "accounts:venue_list"),
        NavItem("Closure dates", "accounts:closure_list"),
        NavItem("Programmes", "programme_sessions:programme_list"),
        NavItem("Statistics", "quality:statistics"),
        NavItem("Psychometrics", "assessments:battery_list"),
        NavItem("Audit", "audit:event_list"),
    ),
}


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """The navigation items for the signed-in, verified user, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return []
    items = []
    for item in NAVIGATION.get(getattr(user, "role", ""), ()):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
