"""What every referrals form shares: the GOV.UK form base, yes/no answers, choice lists and reason groups."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from isotp.forms import GovukFormMixin, add_refusal
from referrals.models import AssessmentOutcome, Sex
from referrals.rules import (
    REASON_CHOICES,
    STATUSES,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
SEX_CHOICES = Sex.choices
PROGRAMME_CHOICES = [
    ("isotp", "i-SOTP (internet sex offender treatment programme)"),
    ("nsogp", "N-SOGP (Northumbria sex offender groupwork programme)"),
    ("li", "Low Intensity programme (LI)"),
    ("hi", "High Intensity programme (HI)"),
]
FORMAT_CHOICES = [("group", "Group"), ("one_to_one", "One-to-one (i-SOTP only)")]
# The outcomes a treatment manager records on the assessment page (domain.md §9) and the status each one sets.
# The page explains each outcome's consequence; the values are the model's choices.
OUTCOME_HINTS: dict[str, str] = {
    AssessmentOutcome.SUITABLE: "Suitable: add to the waiting list (awaiting allocation)",
    AssessmentOutcome.NOT_SUITABLE: "Not suitable: close the referral",
}
OUTCOME_CHOICES = [(value, OUTCOME_HINTS.get(value, label)) for value, label in AssessmentOutcome.choices]
OUTCOMES_WITH_REASON = (
    AssessmentOutcome.NOT_SUITABLE,
    AssessmentOutcome.SUITABLE_NOT_READY,
    AssessmentOutcome.ON_HOLD,
)


def is_yes(value: str) -> bool:
    return value == "yes"


def yes_no_initial(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def grouped_reasons(statuses: Iterable[str]) -> list[tuple[str, Any]]:
    """REASON_CHOICES for `statuses`, grouped under each status's name (a <select> with <optgroup>s)."""
    groups: list[tuple[str, Any]] = [("", "Choose a reason")]
    for status in statuses:
        if status in REASON_CHOICES:
            groups.append(
                (STATUSES[status], [(f"{status}:{code}", label) for code, label in REASON_CHOICES[status]])
            )
    return groups


def split_reason(value: str) -> tuple[str, str]:
    """'on_hold:in_custody' -> ('on_hold', 'in_custody'); the status part says which group it came from."""
    status, _, code = value.partition(":")
    return status, code


class GovukForm(GovukFormMixin, forms.Form):
    """Every form on these pages: GOV.UK error summary helpers, and no browser-side validation."""

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form as a whole): the one
        helper, `isotp.forms.add_refusal`."""
        add_refusal(self, error)
