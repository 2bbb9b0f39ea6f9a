"""Who may use the referrals pages (the predicates of accounts.permissions) and where a page may send them next."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest

from accounts import permissions
from accounts.permissions import require
from isotp.redirects import next_path

if TYPE_CHECKING:
    from accounts.models import User


def safe_next(request: HttpRequest) -> str:
    """The `next` page to return to (a question page reached from the task list or check your answers), if it
    is a path on this site; otherwise ""."""
    return next_path(request)


def require_reader(request: HttpRequest) -> User:
    """Anyone who may read people and referrals (OMs their caseload, TMs and admins their area); 403 otherwise."""
    require(permissions.can_view_people(request.user))
    return cast("User", request.user)
