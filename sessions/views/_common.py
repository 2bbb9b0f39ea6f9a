"""Small helpers the delivery views share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from accounts.models import ProbationArea, User
from accounts.permissions import require as require  # the one 403 helper, re-exported for the views
from isotp.errors import DomainConflict

PAGE_SIZE = 25


def staff(request: HttpRequest) -> User:
    """The signed-in member of staff (call after `require`, which refuses anyone without a role and area)."""
    return cast(User, request.user)


def area_of(request: HttpRequest) -> ProbationArea:
    """The signed-in member of staff's probation area."""
    return cast(ProbationArea, staff(request).area)


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def add_refusal(
    form: forms.Form, exc: DomainConflict | ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: a conflict's message at the top of the error summary, a validation
    error on its field when the form has one (``fields`` maps service argument names to form fields)."""
    if isinstance(exc, DomainConflict):
        form.add_error(None, exc.detail)
        return
    fields = fields or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            target = fields.get(key, key)
            for error in errors:
                message = " ".join(error.messages)
                if target in form.fields:
                    form.add_error(target, message)
                else:
                    form.add_error(None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
