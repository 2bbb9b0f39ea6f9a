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
    """With DJANGO_DEBUG on (`make run`), answer 404 and 500 with the service's own GOV.UK pages too.

    Django's debug pages list every URL pattern and the settings; the demo must look like the service. Innermost
    in MIDDLEWARE, so the page it substitutes still gets the security headers, CSP nonce and APPEND_SLASH
    redirect of the middleware around it. The traceback of a 500 is still logged by `django.request`.
    Without DEBUG Django already calls `handler404`/`handler500`; API answers (JSON) are left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code in (404, 500)
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "service_page", False)
        ):
            from isotp import views

            return views.error_404(request) if response.status_code == 404 else views.error_500(request)
        return response
