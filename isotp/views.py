"""Service-wide pages: the home page per role, the health check, the accessibility statement and error pages."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
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


ATTENTION_PAGE_SIZE = 25


@login_required
def attention_list(request: HttpRequest, key: str) -> HttpResponse:
    """The rows behind one home-page count (`isotp.home.AttentionList`): the owning app's hook decides who may see
    it (PermissionDenied for another role) and builds every row in a fixed number of queries; paginated here."""
    from django.core.paginator import Paginator
    from django.http import Http404

    from isotp.home import attention_list_for

    if not is_staff_member(request.user):
        return render(request, "home/no_role.html", status=403)
    found = attention_list_for(request, key)
    if found is None:
        raise Http404
    page = Paginator(found.rows, ATTENTION_PAGE_SIZE).get_page(request.GET.get("page"))
    # Each cell with its column's heading: the table stacks at phone width, each cell labelled (app-stacked-table).
    rows = [list(zip(found.columns, row, strict=False)) for row in page]
    return render(request, "home/attention_list.html", {"list": found, "page": page, "rows": rows})


@login_required
@require_GET
def ping(request: HttpRequest) -> HttpResponse:
    """A signed-in member of staff's session is alive: the cheapest page behind the whole middleware stack
    (session, authentication, second factor, CSP). The load test's floor: every page is measured against it."""
    return HttpResponse("ok", content_type="text/plain")


def _redis_answers(url: str) -> bool:
    """Ping Redis directly: the cache itself degrades silently (isotp/cache.py), so it cannot tell us."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis (the cache) and the Celery broker answer; 503 naming what failed otherwise.

    Open to load balancers; it says which dependency failed, never why in detail (the log has the error type).
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any failure means "not healthy"; the type is enough for the log
        logger.warning("healthz: database check failed (%s)", type(exc).__name__)
        checks["database"] = "unavailable"
    redis_urls = {"redis": settings.REDIS_URL}
    if not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("redis"):
        redis_urls["broker"] = settings.CELERY_BROKER_URL
    for name, url in redis_urls.items():
        if not url:
            continue
        try:
            checks[name] = "ok" if _redis_answers(url) else "unavailable"
        except Exception as exc:
            logger.warning("healthz: %s check failed (%s)", name, type(exc).__name__)
            checks[name] = "unavailable"
    failed = sorted(name for name, value in checks.items() if value != "ok")
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": checks, "failed": failed},
        status=503 if failed else 200,
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (WCAG 2.2 AA)."""
    return render(request, "accessibility.html")


def _is_api(request: HttpRequest) -> bool:
    """An API address answers its errors in JSON (the schema's ErrorDetail), never an HTML page."""
    return request.path.startswith("/api/")


def _plain_page(template: str, status: int) -> HttpResponse:
    """An error page rendered without the request: what failed may be the host, the session or the database."""
    from django.template.loader import render_to_string

    context = {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "protective_marking": "OFFICIAL-SENSITIVE",
    }
    response = HttpResponse(render_to_string(template, context), status=status)
    response.service_page = True  # type: ignore[attr-defined]
    return response


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refuses before any view (a host not in ALLOWED_HOSTS, a malformed form or upload).

    Rendered without the request: its host is not trusted and the session and user are not loaded yet."""
    if _is_api(request):
        return JsonResponse({"detail": "The request could not be understood."}, status=400)
    return _plain_page("400.html", 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        # An address no API route matches (`/api/v1/offences/a%2Fb/`): the same answer as a record not found.
        return JsonResponse({"detail": "Not found."}, status=404)
    response = render(request, "404.html", status=404)
    response.service_page = True  # type: ignore[attr-defined]
    return response


# The database went away (restarting, failing over, unreachable): the request fails cleanly and the next one
# reconnects by itself (CONN_HEALTH_CHECKS), so the answer is 503 with Retry-After, not a 500.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def caused_by_database_down(exc: BaseException | None) -> bool:
    """The exception, or one it was raised while handling (a session read after the connection dropped), is the
    database going away."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_DOWN):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 for a request the database could not serve: JSON for the API, a plain page (no traceback, no request
    context: the session lives in the database) otherwise."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "detail": "The service is briefly unavailable: its database could not be reached. Try again shortly.",
                "code": "SERVICE_UNAVAILABLE",
            },
            status=503,
        )
    else:
        response = _plain_page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.service_page = True  # type: ignore[attr-defined]
    return response


def error_500(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except` block: a database that went away is a 503, not a 500.
    if caused_by_database_down(sys.exc_info()[1]):
        return database_unavailable(request)
    # Rendered without the request: the database or session may be what failed.
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong. Try again later."}, status=500)
    return _plain_page("500.html", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
