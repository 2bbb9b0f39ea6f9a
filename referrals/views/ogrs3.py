"""OGRS3 on the person's risk page (domain.md §4.1): entered from OASys, or calculated here with the working shown
and recorded on the risk record. The person's OM or a TM; another area's person is not found."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts import permissions
from accounts.permissions import require
from isotp.clock import today
from referrals import selectors
from referrals.forms.ogrs3 import Ogrs3CalculatorForm, Ogrs3RecordForm
from referrals.rules.ogrs3 import OGRS3Refused, score
from referrals.services.risk import calculate_and_record_ogrs3, record_ogrs3
from referrals.views.access import require_reader


def _person(request: HttpRequest, public_id: str) -> tuple[Any, Any]:
    user = require_reader(request)
    # The permission first: a refused user (an administrator) has not viewed the record (review of issue 7, no. 8).
    require(permissions.can_edit_person(user, selectors.person_for_user(user, public_id)))
    return user, selectors.person_record_for(user, public_id)


@login_required
@require_http_methods(["GET", "POST"])
def ogrs3_calculator(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: calculate OGRS3 with the active coefficient table, show the working, and record it."""
    user, person = _person(request, public_id)
    coefficients = selectors.active_ogrs3_table()
    form = Ogrs3CalculatorForm(
        request.POST if request.method == "POST" else None,
        initial={"assessment_date": today()},
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        table=coefficients.table,
    )
    result = None
    if request.method == "POST" and form.is_valid():
        inputs = form.to_input()
        try:
            result = score(inputs, coefficients.table)
        except OGRS3Refused as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            if request.POST.get("action") == "record":
                try:
                    calculate_and_record_ogrs3(actor=user, person=person, inputs=inputs)
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    result = None
                else:
                    messages.success(request, "OGRS3 result recorded")
                    return redirect("referrals:person_detail", public_id=person.public_id)
    return render(
        request,
        "referrals/ogrs3_calculator.html",
        {"form": form, "result": result, "coefficients": coefficients, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ogrs3_record(request: HttpRequest, public_id: str) -> HttpResponse:
    """The person's OM or a TM: record OGRS3 as OASys gives it (a correction is a new entry)."""
    user, person = _person(request, public_id)
    form = Ogrs3RecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record_ogrs3(actor=user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "OGRS3 recorded")
            return redirect("referrals:person_detail", public_id=person.public_id)
    back = reverse("referrals:person_detail", args=[person.public_id])
    return render(request, "referrals/ogrs3_form.html", {"form": form, "person": person, "back": back})
