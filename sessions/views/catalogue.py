"""The programme catalogue: area administrators edit it (a change is a new version), treatment managers read it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp import clock
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from sessions.forms.catalogue import ENTRY_FIELDS, ProgrammeVersionForm
from sessions.selectors.catalogue import catalogue_entry, catalogue_for_area
from sessions.services.catalogue import create_programme_version
from sessions.views.requests import area_of, staff


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    """Managers: every programme with the version in force, its modules, sizes, ages and catch-up limits."""
    require(permissions.can_view_catalogue(request.user))
    today = clock.today()
    entries = catalogue_for_area(request.user, today=today)
    return render(
        request,
        "sessions/catalogue/list.html",
        {
            "entries": entries,
            "can_edit": permissions.can_edit_catalogue(request.user),
            "lihi_enabled": getattr(area_of(request), "lihi_enabled", False),
        },
    )


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Managers: one programme's version in force (modules and session counts) and its version history."""
    require(permissions.can_view_catalogue(request.user))
    entry = catalogue_entry(request.user, code, today=clock.today())
    return render(
        request,
        "sessions/catalogue/detail.html",
        {
            "entry": entry,
            "programme": entry.current or entry.latest,
            "can_edit": permissions.can_edit_catalogue(request.user),
        },
    )


def _changes(base: dict[str, Any], edited: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in edited.items() if base.get(key) != value}


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Area administrators: change a programme by creating a new version (validated by the catalogue rules).
    Groups and plans already scheduled keep the version they were scheduled with."""
    require(permissions.can_edit_catalogue(request.user))
    today = clock.today()
    entry = catalogue_entry(request.user, code, today=today)
    programme = entry.current or entry.latest
    base = programme.as_entry()
    form = ProgrammeVersionForm(request.POST if request.method == "POST" else None, entry=base, today=today)
    if request.method == "POST" and form.is_valid():
        assert form.entry is not None
        changes = _changes(base, form.entry)
        if not changes:
            form.add_error(None, "Nothing has changed: change at least one figure to create a new version")
        else:
            try:
                created = create_programme_version(
                    actor=staff(request),
                    programme=programme,
                    changes=changes,
                    reason=form.cleaned_data["change_reason"],
                    valid_from=form.cleaned_data["valid_from"],
                )
            except (DomainConflict, ValidationError) as exc:
                add_refusal(form, exc, {"reason": "change_reason", **ENTRY_FIELDS})
            else:
                messages.success(
                    request,
                    f"Version {created.version} of {created.name} created. Groups already "
                    "scheduled keep the version they were scheduled with",
                )
                return redirect("programme_sessions:programme_detail", code=code)
    return render(
        request, "sessions/catalogue/edit.html", {"form": form, "programme": programme, "entry": entry}
    )
