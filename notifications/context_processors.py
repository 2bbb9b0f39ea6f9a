"""The unread notification count in every page's header (one query, only for signed-in, verified staff)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def unread(request: HttpRequest) -> dict[str, Any]:
    """`notifications_unread`: evaluated only when the header renders it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_verified", lambda: False)():
        return {}

    def count() -> int:
        from notifications.selectors import unread_count

        return unread_count(user)

    return {"notifications_unread": SimpleLazyObject(count)}
