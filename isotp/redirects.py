"""Where a page may send the user back to: only a path on this site (open redirects and view names refused)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_path(request: HttpRequest, target: str | None) -> str:
    """`target` if it is a path on this site ("/..."), otherwise "".

    A bare word is refused too: `redirect("nope")` would treat it as a view name and fail with a server error, and a
    scheme-relative "//host" or another host is an open redirect."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    ):
        return target
    return ""


def next_path(request: HttpRequest) -> str:
    """The `next` page named in the query string or the form, if it is a path on this site; otherwise ""."""
    return local_path(request, request.POST.get("next") or request.GET.get("next"))
