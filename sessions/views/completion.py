"""Closing a group or a one-to-one plan: the treatment manager confirms it is completed (the last register
usually does it by itself; a rolling group ends this way). The page says first whether the programme is over and,
if not, what is still missing (sessions to come, registers not taken), the service's own refusal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp.dates import weekday_date
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from sessions import services as delivery
from sessions.forms.actions import CloseForm
from sessions.models import OneToOnePlan, ProgrammeGroup
from sessions.rules.completion import Refusal
from sessions.selectors.completion import completion_preview
from sessions.views.requests import staff
from sessions.views.schedule import _owner


def _close(request: HttpRequest, kind: str, public_id: str) -> HttpResponse:
    require(permissions.can_manage_delivery(request.user))
    owner, back_url, label = _owner(request, kind, public_id)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            closed: ProgrammeGroup | OneToOnePlan
            if kind == "group":
                closed = delivery.close_group(
                    actor=staff(request), group=owner, reason=form.cleaned_data["reason"]
                )
            else:
                closed = delivery.close_plan(
                    actor=staff(request), plan=owner, reason=form.cleaned_data["reason"]
                )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            assert closed.completed_on is not None  # set with the status (database check)
            messages.success(request, f"{label} is completed, on {weekday_date(closed.completed_on)}")
            return redirect(back_url)
    preview = completion_preview(owner)
    if isinstance(preview, Refusal) and not form.errors:
        form = CloseForm({})
        form.is_valid()
        form.add_error(None, preview.message)
    return render(
        request,
        "sessions/completion/close.html",
        {
            "form": form,
            "owner": owner,
            "kind": kind,
            "back_url": back_url,
            "owner_label": label,
            "preview": preview,
            "refused": isinstance(preview, Refusal),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Treatment managers: confirm a group is completed (409-style refusal shown when it is not over)."""
    return _close(request, "group", public_id)


@login_required
@require_http_methods(["GET", "POST"])
def plan_close(request: HttpRequest, public_id: str) -> HttpResponse:
    """Treatment managers: confirm a one-to-one plan is completed."""
    return _close(request, "plan", public_id)
