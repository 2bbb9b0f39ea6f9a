"""Helpers shared by the referrals pages: role checks (the predicates of accounts.permissions), "today", `next`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import permissions
from accounts.models import Role
from accounts.permissions import require as require  # the one 403 helper, re-exported for the views

if TYPE_CHECKING:
    from accounts.models import User

TM, OM = Role.TREATMENT_MANAGER, Role.OFFENDER_MANAGER


def today() -> dt.date:
    """Today in Europe/London: the date the rules use for ages and urgency."""
    return timezone.localdate()


def is_tm(user: User) -> bool:
    return user.role == TM


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


def is_om(user: User) -> bool:
    return user.role == OM
