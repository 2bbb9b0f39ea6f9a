"""The notification list (every role) and marking as read."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import is_staff_member, require
from audit.services import record_search
from isotp.redirects import local_path
from notifications import selectors, services


def staff(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """Any member of staff: their notifications, newest first, unread marked."""
    require(is_staff_member(request.user))
    page = Paginator(selectors.for_user(staff(request)), 25).get_page(request.GET.get("page"))
    record_search(actor=staff(request), list_name="notifications", query=request.GET)
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, public_id: str) -> HttpResponse:
    """Any member of staff: mark one of their notifications read, then follow its link (or back to the list)."""
    require(is_staff_member(request.user))
    note = selectors.get_for_user(staff(request), public_id)
    services.mark_read(actor=staff(request), notification=note)
    target = local_path(request, note.link) if request.POST.get("follow") else ""
    if target:
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    """Any member of staff: mark all their notifications read."""
    require(is_staff_member(request.user))
    services.mark_all_read(actor=staff(request))
    return redirect("notifications:list")
