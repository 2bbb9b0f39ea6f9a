"""The TM's assessment page: the eligibility decision for every programme and format with every reason, the
provisional flags and warnings, the recommendation with its reasons, the decisions already recorded (original
and override), and the form that records a decision (domain.md §3, §9).

The decision comes from `referrals.candidates.decision_for`, the same function the referral API calls, so the
page and the API cannot disagree.
"""

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
from isotp.clock import today
from isotp.errors import DomainConflict
from referrals import selectors
from referrals.candidates import decision_for
from referrals.forms.assessment import AssessmentForm
from referrals.rules import STATUSES, age_on, allowed_transitions
from referrals.rules.transitions import ASSESSABLE
from referrals.services.assessment import record_assessment
from referrals.views.access import require_reader
from referrals.views.referral_journey import summary_context

# The service's field names that the form calls something else.
FIELD_NAMES = {
    "reason": "rationale",
    "override": "override_programme",
    "programme": "override_programme",
    "format": "override_format",
}


def _allowed_now(referral: Any) -> list[str]:
    """Where the referral can move from the status it has now (the transition table), as plain labels."""
    allowed = allowed_transitions(referral.status, referral.returns_to or None)
    return [label for status, label in STATUSES.items() if status in allowed]


@login_required
@require_http_methods(["GET", "POST"])
def referral_assess(request: HttpRequest, public_id: str) -> HttpResponse:
    """TM: assess a submitted referral and record suitable / not suitable / not ready / on hold, with an optional
    override that needs a rationale. A referral someone else has moved meanwhile answers 409 with what is allowed."""
    user = require_reader(request)
    require(permissions.can_assess(user))
    referral = selectors.referral_record_for(user, public_id)
    require(permissions.can_assess(user, referral))
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    conflict: DomainConflict | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_assessment(
                actor=user,
                referral=referral,
                outcome=data["outcome"],
                override=form.override_value(),
                rationale=data["rationale"],
                reason_code=data["reason_code"],
                today=today(),
            )
        except DomainConflict as exc:
            conflict = exc
            referral = selectors.referral_for_user(user, public_id)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({FIELD_NAMES.get(k, k): v for k, v in exc.error_dict.items()})
            form.add_service_errors(exc)
        else:
            messages.success(request, "Decision recorded")
            return redirect("referrals:referral_detail", public_id=referral.public_id)
    on = referral.planned_start or today()
    decision = decision_for(referral, today(), config=selectors.eligibility_config_for(user))
    context = summary_context(referral)
    context.update(
        form=form,
        decision=decision,
        referred=decision.get(referral.programme, referral.format),
        planned_start=on,
        age_at_start=age_on(referral.person.date_of_birth, on),
        assessable=referral.status in ASSESSABLE,
        assessments=list(referral.assessments.all()),
        conflict=conflict,
        conflict_allowed=_allowed_now(referral) if conflict else [],
        conflict_status=STATUSES[referral.status].lower() if conflict else "",
        change=False,
    )
    return render(request, "referrals/referral_assess.html", context, status=409 if conflict else 200)
