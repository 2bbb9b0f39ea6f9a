"""Template context shared by every page: the service name, phase and the role's navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from isotp.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    """Service name, phase banner and the navigation items for the signed-in user's role."""
    return {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "protective_marking": "OFFICIAL-SENSITIVE",
        "navigation": navigation_for(request),
    }
