"""System checks that make configuration mistakes fail at startup rather than quietly on a page."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.urls import NoReverseMatch, reverse


@checks.register(checks.Tags.urls)
def navigation_urls_resolve(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every navigation item names a URL pattern that exists (an unknown name is an error, not a missing link)."""
    from isotp.navigation import all_items

    errors: list[checks.CheckMessage] = []
    for item in all_items():
        try:
            reverse(item.url_name)
        except NoReverseMatch:
            errors.append(
                checks.Error(
                    f"Navigation item {item.label!r} names an unknown URL {item.url_name!r}",
                    hint="Fix the url_name in the app's navigation.py NAV_ITEMS",
                    id="isotp.E001",
                )
            )
    return errors
