"""The request's member of staff and probation area, and pagination, for the delivery pages."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from accounts.models import ProbationArea, User

PAGE_SIZE = 25


def staff(request: HttpRequest) -> User:
    """The signed-in member of staff (call after `require`, which refuses anyone without a role and area)."""
    return cast(User, request.user)


def area_of(request: HttpRequest) -> ProbationArea:
    """The signed-in member of staff's probation area."""
    return cast(ProbationArea, staff(request).area)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))
