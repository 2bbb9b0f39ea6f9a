"""Request hardening shared by every page and API answer: a body-size limit answered 413, and `no-store` caching."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers


def _too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": f"The request body is larger than the {limit} bytes this service accepts."}, status=413
        )
    body = render_to_string(
        "413.html",
        {"service_name": settings.SERVICE_NAME, "protective_marking": "OFFICIAL-SENSITIVE", "limit": limit},
    )
    return HttpResponse(body, status=413)


class RequestLimitsMiddleware:
    """Refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413 before any view (or parser) reads it.

    Django's own check raises `RequestDataTooBig` only when `request.body` is read, which DRF's parsers
    bypass and which otherwise surfaces as a 400 page or a 500 from the API; a declared length is refused up
    front, and a body that turns out larger while being read is refused the same way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return _too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return _too_large(request)
        return None


class NoStoreMiddleware:
    """Every dynamic answer (pages, API, feeds) is `Cache-Control: no-store`: they carry personal data.

    Placed after WhiteNoise, so static assets keep their long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class ServiceErrorPagesMiddleware:
    """With DJANGO_DEBUG on, answer with the service's own GOV.UK page wherever Django would show a technical page.

    `make run` serves without DEBUG, so there Django calls handler400/403/404/500 itself and never shows a technical
    page; this is for a developer who turns DEBUG on. Django's technical pages come only from an exception: a view
    (or its template) raising Http404, a SuspiciousOperation or BadRequest (400) or anything else (500), or no URL
    matching the address (404). A page a view returns itself with an error status (the invitation's "This link has
    expired", the no-role page, a stale form's 409) is its own content and is never replaced. Innermost in
    MIDDLEWARE, so the page it substitutes still gets the security headers, CSP nonce and APPEND_SLASH redirect of
    the middleware around it; the traceback of a 500 is still logged by `django.request`. A request refused by the
    middleware outside it (a host not in ALLOWED_HOSTS) shows Django's page in DEBUG. API answers (JSON) are left
    alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not settings.DEBUG
            or not response.get("Content-Type", "").startswith("text/html")
            or getattr(response, "service_page", False)
        ):
            return response
        from isotp import views

        raised = getattr(request, "_service_error_raised", None)
        if response.status_code == 404 and (raised is not None or request.resolver_match is None):
            return views.error_404(request)
        if raised is None:
            return response  # the view's own page
        if response.status_code == 400:
            return views.error_400(request)
        if response.status_code == 500:
            if views.caused_by_database_down(raised):
                return views.database_unavailable(request)
            return views.error_500(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """Remember that the view raised: Django answers that with a technical page in DEBUG."""
        if settings.DEBUG:
            request._service_error_raised = exception  # type: ignore[attr-defined]
