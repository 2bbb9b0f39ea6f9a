"""Home page widgets: each app may offer `<app>/home.py: home_widgets(request)` returning cards for the user's role.

This keeps the home page open to later features without the home view importing every app's selectors.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from isotp.hooks import app_hooks


def widgets_for(request: HttpRequest) -> list[dict[str, Any]]:
    """Cards for the home page: `{"title", "count"?, "url", "link_text", "description"?}` from every app's hook."""
    cards: list[dict[str, Any]] = []
    for hook in app_hooks("home", "home_widgets"):
        cards.extend(hook(request))
    return cards
