"""Staff must pass the second factor before they see anything but the sign-in pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths open to a signed-in user who has not yet passed the second factor: the sign-in steps themselves, and the
# API (whose authentication classes ignore an unverified session, answering 401). Nothing else.
OPEN_PREFIXES = (
    "/accounts/sign-in/",
    "/accounts/two-factor/",
    "/accounts/sign-out/",
    "/static/",
    "/healthz",
    "/api/",
    "/favicon.ico",
)


class RequireSecondFactorMiddleware:
    """Send a password-authenticated but unverified user to enrol or enter their code.

    The API is left to its own authentication classes, which ignore unverified sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect(reverse("accounts:two_factor") + f"?next={request.path}")
        return self.get_response(request)
