"""API authentication: the browser session only once the second factor is passed; named, expiring tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.rules import token_digest

# `last_used_at` is written at most this often per token, so a busy integration is not a write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


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


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: the key's digest must name an unrevoked, unexpired token of an active user.

    Every refusal gives the same message, so a caller learns nothing about why a key failed.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        now = timezone.now()
        token = (
            ApiToken.objects.select_related("user", "user__area")
            .filter(key_digest=token_digest(key), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid, expired or revoked token.")
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
