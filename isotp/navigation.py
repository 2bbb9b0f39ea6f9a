"""The service navigation: each app may offer `<app>/navigation.py: NAV_ITEMS`, the items it adds for the roles
that use it, found through the same hook as the home page's cards (`isotp.hooks.app_hooks`).

Items are ordered by `position` across apps. Every item names a URL pattern; one that does not reverse is an error
at startup (`manage.py check`, `isotp.checks`), not an item quietly left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from accounts.models import Role
from isotp.hooks import app_hooks


@dataclass(frozen=True)
class NavItem:
    """One link of the service navigation: its label, URL name, the roles that see it and where it stands."""

    label: str
    url_name: str
    roles: frozenset[str]
    position: int
    # Shown instead to whoever this predicate (from accounts/permissions.py) lets in, whatever their role.
    allowed: Callable[[Any], bool] | None = None

    def shown_to(self, user: Any) -> bool:
        if self.allowed is not None:
            return self.allowed(user)
        return permissions.has_any_role(user, self.roles)


def all_items() -> list[NavItem]:
    """Every app's navigation items, in navigation order."""
    items: list[NavItem] = []
    for offered in app_hooks("navigation", "NAV_ITEMS"):
        items.extend(cast("Iterable[NavItem]", offered))
    return sorted(items, key=lambda item: (item.position, item.label))


def navigation_for(request: HttpRequest) -> list[dict[str, object]]:
    """The navigation items for the signed-in, verified user's role, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return []
    items = []
    for item in all_items():
        if not item.shown_to(user):
            continue
        url = reverse(item.url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items


NAV_ITEMS = (NavItem("Home", "home", frozenset(Role.values), position=0),)
