"""API authentication: the browser session only once the second factor is passed; tokens for integrations."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session authentication that ignores a session whose user has not yet passed the second factor."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = getattr(request._request, "user", None)
        if user is None or not getattr(user, "is_verified", lambda: False)():
            return None
        return result
