"""Service-wide pages: the home page per role, the health check, the accessibility statement and error pages."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.permissions import is_staff_member

logger = logging.getLogger(__name__)

HOME_TEMPLATES: dict[str, str] = {
    Role.TREATMENT_MANAGER: "home/treatment_manager.html",
    Role.FACILITATOR: "home/facilitator.html",
    Role.OFFENDER_MANAGER: "home/offender_manager.html",
    Role.AREA_ADMIN: "home/area_admin.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home page; the widgets come from the `home_widgets` hooks of the installed apps."""
    if not is_staff_member(request.user):
        return render(request, "home/no_role.html", status=403)
    role = request.user.role  # type: ignore[union-attr]
    from isotp.home import widgets_for

    return render(request, HOME_TEMPLATES[role], {"widgets": widgets_for(request)})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and Redis, where configured) answers; 503 otherwise. Open to load balancers."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the type is enough for the log
        logger.warning("healthz: database check failed (%s)", type(exc).__name__)
        checks["database"] = "unavailable"
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "1", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "1" else "unavailable"
        except Exception as exc:
            logger.warning("healthz: redis check failed (%s)", type(exc).__name__)
            checks["redis"] = "unavailable"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (WCAG 2.2 AA)."""
    return render(request, "accessibility.html")


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the database or session may be what failed.
    from django.template.loader import render_to_string

    body = render_to_string(
        "500.html", {"service_name": settings.SERVICE_NAME, "protective_marking": "OFFICIAL-SENSITIVE"}
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
