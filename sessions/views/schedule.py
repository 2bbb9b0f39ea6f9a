"""Moving sessions of a group or a one-to-one plan: reschedule one (optionally every later one too) and cancel one
by the provider (rescheduled for everyone). Past sessions never move; clashes are refused naming the session."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp.dates import weekday_date
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from sessions import services as delivery
from sessions.forms.actions import RescheduleForm
from sessions.forms.questions import ConfirmForm
from sessions.selectors.consequences import Overrun, supervision_overruns
from sessions.selectors.groups import group_for_user
from sessions.selectors.plans import plan_for_user
from sessions.selectors.previews import cancellation_preview, reschedule_preview
from sessions.selectors.schedule import live_session
from sessions.views.requests import staff


def _owner(request: HttpRequest, kind: str, public_id: str) -> tuple[Any, str, str]:
    """The group or plan (404 outside the user's scope), its page's URL and a caption naming it."""
    if kind == "group":
        group = group_for_user(request.user, public_id)
        url = reverse("programme_sessions:group_detail", kwargs={"public_id": group.public_id})
        return group, url, group.name or group.reference
    plan = plan_for_user(request.user, public_id)
    url = reverse("programme_sessions:plan_detail", kwargs={"public_id": plan.public_id})
    return plan, url, plan.reference


def _session(owner: Any, number: int) -> Any:
    session = live_session(owner, number)
    if session is None:
        raise Http404("No such session")
    return session


def _reschedule(request: HttpRequest, kind: str, public_id: str, number: int) -> HttpResponse:
    require(permissions.can_manage_delivery(request.user))
    owner, back_url, label = _owner(request, kind, public_id)
    session = _session(owner, number)
    form = RescheduleForm(request.POST if request.method == "POST" else None)
    overruns: list[Overrun] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Before the change: name the members whose supervision would end before the new last session.
        overruns = supervision_overruns(
            owner,
            reschedule_preview(
                owner,
                session,
                new_date=data["new_date"],
                new_start=data["new_start"],
                cascade=data["cascade"],
            ),
        )
    if request.method == "POST" and form.is_valid() and (not overruns or request.POST.get("confirmed")):
        data = form.cleaned_data
        try:
            moved = delivery.reschedule_session(
                actor=staff(request),
                session=session,
                new_date=data["new_date"],
                new_start=data["new_start"],
                cascade=data["cascade"],
            )
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc, RESCHEDULE_FIELDS)
        else:
            if moved:
                later = len(moved) - 1
                messages.success(
                    request,
                    f"Session {number} moved to {weekday_date(data['new_date'])}"
                    + (
                        f", and {later} later session{'s' if later != 1 else ''} moved on"
                        if later > 0
                        else ""
                    ),
                )
            else:
                messages.success(
                    request, f"Session {number} was already at that date and time: nothing moved"
                )
            return redirect(back_url)
    return render(
        request,
        "sessions/groups/reschedule.html",
        {
            "form": form,
            "session": session,
            "back_url": back_url,
            "owner_label": label,
            "overruns": overruns,
        },
    )


def _cancel(request: HttpRequest, kind: str, public_id: str, number: int) -> HttpResponse:
    require(permissions.can_manage_delivery(request.user))
    owner, back_url, label = _owner(request, kind, public_id)
    session = _session(owner, number)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            replacement = delivery.cancel_session_by_provider(actor=staff(request), session=session)
        except (DomainConflict, ValidationError) as exc:
            add_refusal(form, exc)
        else:
            messages.success(
                request,
                f"Session {number} cancelled and rescheduled for everyone to "
                + weekday_date(replacement.date),
            )
            return redirect(back_url)
    moves, problem = cancellation_preview(owner, session)
    if problem and not form.errors:
        if (
            not form.is_bound
        ):  # a GET (e.g. the session has passed since the link was shown): errors need data
            form = ConfirmForm({})
            form.is_valid()
        form.add_error(None, problem)
    return render(
        request,
        "sessions/groups/cancel.html",
        {
            "form": form,
            "session": session,
            "back_url": back_url,
            "owner_label": label,
            "moves": moves,
            "overruns": supervision_overruns(owner, moves) if moves else [],
        },
    )


# The reschedule service's refusals about the new date or time (a bank holiday, the past, order, a clash) go on the
# new date field, so the error summary links there (issue 13); one about the session itself stays at the top.
RESCHEDULE_FIELDS = {
    "new_date": "new_date",
    "new_start": "new_start",
    "DATE_IN_PAST": "new_date",
    "NON_WORKING_DAY": "new_date",
    "OUT_OF_ORDER": "new_date",
    "INVALID_RESCHEDULE": "new_date",
    "VENUE_CLASH": "new_date",
    "FACILITATOR_CLASH": "new_date",
}


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Treatment managers: move one session of a group to a new date or time, optionally every later one too."""
    return _reschedule(request, "group", public_id, number)


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Treatment managers: the provider cancels a group session; it and the later ones move on for everyone."""
    return _cancel(request, "group", public_id, number)


@login_required
@require_http_methods(["GET", "POST"])
def plan_session_reschedule(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Treatment managers: move one session of a one-to-one plan."""
    return _reschedule(request, "plan", public_id, number)


@login_required
@require_http_methods(["GET", "POST"])
def plan_session_cancel(request: HttpRequest, public_id: str, number: int) -> HttpResponse:
    """Treatment managers: the provider cancels a one-to-one session; it and the later ones move on."""
    return _cancel(request, "plan", public_id, number)
