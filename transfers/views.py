"""Transfer pages: the area's transfers (incoming to decide, outgoing requested), the request form, the decision."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.permissions import can_decide_transfer, can_request_transfer, require
from audit.services import record_search
from isotp.errors import DomainConflict
from isotp.forms import add_refusal
from transfers import selectors, services
from transfers.forms import RefuseForm, TransferRequestForm


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    """TMs and administrators: transfers into and out of the area, newest first."""
    user = cast(User, request.user)
    page = Paginator(selectors.transfers_for(user), 25).get_page(request.GET.get("page"))
    record_search(actor=user, list_name="transfers", query=request.GET)
    return render(
        request,
        "transfers/transfer_list.html",
        {"page": page, "can_request": can_request_transfer(user), "area_id": user.area_id},
    )


def _offender_managers(user: User) -> list[tuple[str, str]]:
    from accounts.permissions import manages_caseload

    staff = User.objects.filter(area_id=user.area_id, is_active=True).order_by("full_name")
    return [(str(m.public_id), m.full_name) for m in staff if manages_caseload(m)]


@login_required
@require_http_methods(["GET", "POST"])
def transfer_request(request: HttpRequest) -> HttpResponse:
    """TMs: ask the area holding a person to transfer them here."""
    user = cast(User, request.user)
    require(can_request_transfer(user))
    form = TransferRequestForm(request.POST or None, offender_managers=_offender_managers(user))
    if request.method == "POST" and form.is_valid():
        om = User.objects.filter(
            public_id=form.cleaned_data["offender_manager"], area_id=user.area_id
        ).first()
        try:
            services.request_transfer(
                actor=user,
                crn=form.cleaned_data["crn"],
                offender_manager=om,
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, DomainConflict) as exc:
            add_refusal(form, exc, {"TRANSFER_SAME_AREA": "crn", "TRANSFER_PENDING": "crn"})
        else:
            messages.success(request, "Transfer requested: the holding area has been asked to approve it")
            return redirect("transfers:list")
    return render(request, "transfers/transfer_request.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_decide(request: HttpRequest, public_id: str) -> HttpResponse:
    """The holding area's TM or administrator: approve, or refuse with a reason."""
    user = cast(User, request.user)
    transfer = selectors.transfer_for(user, public_id)
    if transfer.from_area_id != user.area_id:
        require(False, "Only the area holding the person decides a transfer")
    require(can_decide_transfer(user, transfer))
    form = RefuseForm(request.POST if request.POST.get("decision") == "refuse" else None)
    conflict = None
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                services.approve_transfer(actor=user, transfer=transfer)
                messages.success(request, f"{transfer.person.crn} has moved to {transfer.to_area.name}")
                return redirect("transfers:list")
            if form.is_valid():
                services.refuse_transfer(actor=user, transfer=transfer, reason=form.cleaned_data["reason"])
                messages.success(request, "Transfer refused: the requesting area sees your reason")
                return redirect("transfers:list")
        except DomainConflict as exc:
            conflict = exc
        except ValidationError as exc:
            add_refusal(form, exc)
    status = 409 if conflict else 200
    return render(
        request,
        "transfers/transfer_decide.html",
        {
            "transfer": transfer,
            "form": form,
            "conflict_error": conflict,
            "conflict_errors": [("", conflict.detail)] if conflict else [],
        },
        status=status,
    )
