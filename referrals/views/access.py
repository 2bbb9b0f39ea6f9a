"""Who may use the referrals pages (the predicates of accounts.permissions) and where a page may send them next."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import permissions
from accounts.permissions import require

if TYPE_CHECKING:
    from accounts.models import User


def safe_next(request: HttpRequest) -> str:
    """The `next` page to return to (a question page reached from the task list or check your answers), if it
    is a path on this site; otherwise ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return ""


def require_reader(request: HttpRequest) -> User:
    """Anyone who may read people and referrals (OMs their caseload, TMs and admins their area); 403 otherwise."""
    require(permissions.can_view_people(request.user))
    return cast("User", request.user)
