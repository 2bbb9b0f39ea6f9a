"""The RM2000 calculator (treatment managers): inputs as the API takes them, the working line by line, the
scoring table's version and source note (domain.md §4), and optionally recording the result on a person."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from isotp.clock import today
from referrals import selectors
from referrals.forms.rm2000 import Rm2000CalculatorForm
from referrals.rules import RM2000Refused, score
from referrals.services.risk import calculate_and_record_rm2000
from referrals.views.access import require_reader


@login_required
@require_http_methods(["GET", "POST"])
def rm2000_calculator(request: HttpRequest) -> HttpResponse:
    """TM: score RM2000 and show the working; with `?person=<public_id>`, offer to record the result on him."""
    user = require_reader(request)
    person = selectors.rm2000_calculator_person(user, request.GET.get("person", ""))
    scoring = selectors.active_scoring_table()
    table = scoring.table
    initial: dict[str, Any] = {"assessment_date": today()}
    if person is not None:
        initial.update(sex=person.sex, date_of_birth=person.date_of_birth)
    form = Rm2000CalculatorForm(request.POST if request.method == "POST" else None, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        inputs = form.to_input()
        try:
            result = score(inputs, table)
        except RM2000Refused as refusal:  # e.g. an age below the table's youngest band
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            if person is not None and request.POST.get("action") == "record":
                try:
                    calculate_and_record_rm2000(actor=user, person=person, inputs=inputs)
                except ValidationError as exc:
                    form.add_service_errors(exc)
                    result = None
                else:
                    messages.success(request, "RM2000 result recorded")
                    return redirect("referrals:person_detail", public_id=person.public_id)
    return render(
        request,
        "referrals/rm2000_calculator.html",
        {"form": form, "result": result, "scoring": scoring, "person": person},
    )
