"""API rate limits: scoped throttles whose rates are read from settings at request time (so tests may lower them).

Keyed on the member of staff's public id (or the client address before sign-in), never the integer pk.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import ScopedRateThrottle


class ScopedThrottle(ScopedRateThrottle):
    """`throttle_scope = "calculators"` or `"tokens"` on a view; the rate is `API_THROTTLE_RATES[scope]`."""

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_RATES.get(self.scope or "")

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = request.user
        ident = str(user.public_id) if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
