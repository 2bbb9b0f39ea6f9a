"""The area administrator's pages (issue 13): invite staff, change a role, deactivate and reactivate, remove a
training record, add, edit and retire venues; and the invited member's one-time link. Thin: each calls one
service from `accounts.services.administration` and renders its answer; a refusal is shown on the form."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions, selectors
from accounts.area_forms import InvitationPasswordForm, InviteForm, RoleForm, VenueForm
from accounts.models import User
from accounts.services import administration as area_services
from isotp.dates import long_date
from isotp.errors import DomainConflict


def _admin(request: HttpRequest) -> User:
    permissions.require(permissions.can_manage_area(request.user))
    return cast(User, request.user)


def _confirm(
    request: HttpRequest,
    *,
    heading: str,
    lines: list[str],
    button: str,
    back: str,
    warning: bool = True,
    **extra: object,
) -> HttpResponse:
    if error := extra.pop("error", None):  # the one error summary takes (link, message) pairs
        extra["errors"] = [("", error)]
    return render(
        request,
        "accounts/confirm.html",
        {"heading": heading, "lines": lines, "button": button, "back": back, "warning": warning, **extra},
    )


# --- Staff ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def staff_invite(request: HttpRequest) -> HttpResponse:
    """Administrators: invite a member of staff to their area; an email carries the one-time link."""
    actor = _admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = area_services.invite_staff(actor=actor, **form.cleaned_data)
        except DomainConflict as exc:
            form.add_error("email" if exc.code == "EMAIL_TAKEN" else "role", exc.detail)
        else:
            messages.success(
                request, f"{member.full_name} has been sent an email with a link to set up their account"
            )
            return redirect("accounts:staff_detail", public_id=member.public_id)
    return render(request, "accounts/staff_invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def staff_role(request: HttpRequest, public_id: str) -> HttpResponse:
    """Administrators: change a colleague's role."""
    actor = _admin(request)
    member = selectors.staff_member(actor, public_id)
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            area_services.change_role(actor=actor, member=member, role=form.cleaned_data["role"])
        except DomainConflict as exc:
            form.add_error("role", exc.detail)
        else:
            messages.success(request, f"{member.full_name}'s role is now {member.get_role_display().lower()}")
            return redirect("accounts:staff_detail", public_id=public_id)
    return render(request, "accounts/staff_role.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def staff_deactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    """Administrators: confirm, then deactivate a colleague (signed out everywhere, tokens revoked)."""
    actor = _admin(request)
    member = selectors.staff_member(actor, public_id)
    back = reverse("accounts:staff_detail", kwargs={"public_id": public_id})
    if request.method == "POST":
        try:
            area_services.set_active(actor=actor, member=member, active=False)
        except DomainConflict as exc:
            messages.error(request, exc.detail)
            return redirect(back)
        messages.success(request, f"{member.full_name}'s account is deactivated: they have been signed out")
        return redirect("accounts:staff_list")
    return _confirm(
        request,
        heading=f"Deactivate {member.full_name}'s account?",
        lines=[
            "They will not be able to sign in, every session they have open ends now and their API tokens are "
            "revoked.",
            "Their records, and everything they recorded, stay. You can reactivate the account later.",
        ],
        button="Deactivate account",
        back=back,
    )


@login_required
def staff_deactivated(request: HttpRequest) -> HttpResponse:
    """Administrators: the area's deactivated accounts, each with a button to reactivate it."""
    actor = _admin(request)
    page = Paginator(selectors.deactivated_staff(actor), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_deactivated.html", {"page": page})


@login_required
@require_http_methods(["POST"])
def staff_reactivate(request: HttpRequest, public_id: str) -> HttpResponse:
    """Administrators: reactivate a deactivated account of their area."""
    actor = _admin(request)
    member = selectors.staff_member_any_status(actor, public_id)
    try:
        area_services.set_active(actor=actor, member=member, active=True)
    except DomainConflict as exc:
        messages.error(request, exc.detail)
        return redirect("accounts:staff_deactivated")
    messages.success(request, f"{member.full_name}'s account is active again")
    return redirect("accounts:staff_detail", public_id=public_id)


@login_required
@require_http_methods(["GET", "POST"])
def training_remove(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    """Administrators: confirm, then remove a training record entered in error."""
    actor = _admin(request)
    member = selectors.staff_member(actor, public_id)
    record = get_object_or_404(member.training_records.all(), pk=pk)
    back = reverse("accounts:staff_detail", kwargs={"public_id": public_id})
    if request.method == "POST":
        area_services.remove_training_record(actor=actor, record=record)
        messages.success(request, f"Training record removed: {record.get_kind_display()}")
        return redirect(back)
    what = record.get_kind_display() + (f" ({record.get_programme_display()})" if record.programme else "")
    return _confirm(
        request,
        heading=f"Remove this training record from {member.full_name}?",
        lines=[
            f"{what}, passed {long_date(record.date_passed)}.",
            "Which programmes they may deliver is worked out again.",
        ],
        button="Remove training record",
        back=back,
    )


# --- The invited member's one-time link --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Anyone holding the link: set a password, then enrol the authenticator (the second factor) at once."""
    member = area_services.invited_member(uidb64, token)
    if member is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationPasswordForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area_services.accept_invitation(
                member=member, token=token, password=form.cleaned_data["new_password1"]
            )
        except DomainConflict:
            return render(request, "accounts/invitation_invalid.html", status=404)
        login(request, member, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:two_factor_setup")
    return render(request, "accounts/invitation.html", {"form": form, "member": member})


# --- Venues --------------------------------------------------------------------------------------------------


def _venue_initial(venue: object) -> dict[str, object]:
    data = {k: getattr(venue, k) for k in area_services.VENUE_FIELDS}
    data["step_free_access"] = "yes" if data["step_free_access"] else "no"
    return data


@login_required
@require_http_methods(["GET", "POST"])
def venue_add(request: HttpRequest) -> HttpResponse:
    """Administrators: add a venue to their area."""
    actor = _admin(request)
    form = VenueForm(request.POST or None, initial={"capacity": 12, "step_free_access": "yes"})
    if request.method == "POST" and form.is_valid():
        try:
            venue = area_services.add_venue(actor=actor, **form.cleaned_data)
        except DomainConflict as exc:
            form.add_error("name", exc.detail)
        else:
            messages.success(request, f"{venue.name} added")
            return redirect("accounts:venue_list")
    return render(request, "accounts/venue_form.html", {"form": form, "venue": None})


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators: change a venue of their area."""
    actor = _admin(request)
    venue = get_object_or_404(selectors.venues_for(actor), pk=pk)
    form = VenueForm(request.POST or None, initial=_venue_initial(venue))
    if request.method == "POST" and form.is_valid():
        try:
            area_services.update_venue(actor=actor, venue=venue, **form.cleaned_data)
        except DomainConflict as exc:
            form.add_error("name", exc.detail)
        else:
            messages.success(request, f"{venue.name} updated")
            return redirect("accounts:venue_list")
    return render(request, "accounts/venue_form.html", {"form": form, "venue": venue})


@login_required
@require_http_methods(["GET", "POST"])
def venue_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators: confirm, then retire a venue (refused, naming them, while sessions are still to come)."""
    actor = _admin(request)
    venue = get_object_or_404(selectors.venues_for(actor), pk=pk)
    back = reverse("accounts:venue_list")
    error = ""
    if request.method == "POST":
        try:
            area_services.set_venue_active(actor=actor, venue=venue, active=False)
        except DomainConflict as exc:
            error = exc.detail
        else:
            messages.success(request, f"{venue.name} retired: new groups and sessions cannot use it")
            return redirect(back)
    return _confirm(
        request,
        heading=f"Retire {venue.name}?",
        lines=["New groups, sessions and catch-ups will not be able to use it. You can bring it back later."],
        button="Retire venue",
        back=back,
        error=error,
    )


@login_required
@require_http_methods(["POST"])
def venue_reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    """Administrators: bring a retired venue back into use."""
    actor = _admin(request)
    venue = get_object_or_404(selectors.venues_for(actor), pk=pk)
    area_services.set_venue_active(actor=actor, venue=venue, active=True)
    messages.success(request, f"{venue.name} is in use again")
    return redirect("accounts:venue_list")
