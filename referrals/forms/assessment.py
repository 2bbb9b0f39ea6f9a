"""Forms for the treatment manager's assessment and for hand-made status changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms

from referrals.forms.base import (
    FORMAT_CHOICES,
    OUTCOME_CHOICES,
    OUTCOMES_WITH_REASON,
    PROGRAMME_CHOICES,
    GovukForm,
    grouped_reasons,
    split_reason,
)
from referrals.rules import (
    REASON_CHOICES,
    ROUTE_LABELS,
    STATUSES,
)


class AnyStatusChoiceField(forms.ChoiceField):
    """Offers only the allowed statuses, but accepts any known one: the service decides (and answers 409), so a
    stale form shows the conflict and what is allowed now rather than a bare "select a valid choice"."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in STATUSES


class AssessmentForm(GovukForm):
    """The TM's decision on a referral, with an optional override of the computed decision (domain.md §3)."""

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    reason_code = forms.ChoiceField(
        label="Reason (if not suitable, not ready or on hold)",
        required=False,
        choices=grouped_reasons(OUTCOMES_WITH_REASON),
    )
    reason = forms.CharField(
        label="Details of the reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    override = forms.BooleanField(
        label="Override the computed decision",
        required=False,
        help_text="Place him on a programme the rules did not recommend. The original decision stays visible.",
    )
    override_programme = forms.ChoiceField(
        label="Programme (override)", required=False, choices=[("", "Choose a programme"), *PROGRAMME_CHOICES]
    )
    override_format = forms.ChoiceField(
        label="Format (override)", required=False, choices=[("", "Choose a format"), *FORMAT_CHOICES]
    )
    override_route = forms.ChoiceField(
        label="Route (override, optional)",
        required=False,
        choices=[("", "No particular route"), *ROUTE_LABELS.items()],
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Why you decided this. Required when you override the computed decision.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        reason_status, reason_code = split_reason(data.get("reason_code") or "")
        if outcome in OUTCOMES_WITH_REASON:
            if not reason_code:
                self.add_error("reason_code", f"Select a reason for {STATUSES[outcome].lower()}")
            elif reason_status != outcome:
                self.add_error(
                    "reason_code",
                    f"Select a reason for {STATUSES[outcome].lower()}: the one you chose is a reason for "
                    f"{STATUSES[reason_status].lower()}",
                )
        data["reason_code"] = reason_code if outcome in OUTCOMES_WITH_REASON else ""
        if data.get("override"):
            if not data.get("override_programme"):
                self.add_error("override_programme", "Select the programme for the override")
            if not data.get("override_format"):
                self.add_error("override_format", "Select the format for the override")
            if data.get("override_format") == "one_to_one" and data.get("override_programme") not in (
                "",
                "isotp",
            ):
                self.add_error("override_format", "Only i-SOTP has a one-to-one format")
            if not (data.get("rationale") or "").strip():
                self.add_error("rationale", "Enter the rationale for overriding the computed decision")
        return data

    def override_value(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not data.get("override"):
            return None
        return {
            "programme": data["override_programme"],
            "format": data["override_format"],
            "route": data.get("override_route") or "",
        }


class AnyReasonChoiceField(forms.ChoiceField):
    """Offers the reasons of the allowed statuses, but accepts any known one ("withdrawn:other"): a stale form,
    posted after someone moved the referral, reaches the service, which answers 409 with what is allowed now
    (issue 12), rather than failing here on a reason the page no longer offers."""

    def valid_value(self, value: Any) -> bool:
        status, code = split_reason(str(value))
        return code in {c for c, _ in REASON_CHOICES.get(status, [])}


class StatusChangeForm(GovukForm):
    """Move a referral to one of the statuses allowed from where it is now (domain.md §9). Only the offered moves
    are shown, but any known status and reason is passed on: whether the move may be made now is the service's
    decision (a 409 for a stale form, the same for every role)."""

    to_status = AnyStatusChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"}
    )
    reason_code = AnyReasonChoiceField(label="Reason", required=False)
    reason = forms.CharField(
        label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, allowed: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s for s in STATUSES if s in set(allowed)]
        self.allowed = frozenset(allowed)
        cast("forms.ChoiceField", self.fields["to_status"]).choices = [(s, STATUSES[s]) for s in allowed]
        cast("forms.ChoiceField", self.fields["reason_code"]).choices = grouped_reasons(allowed)
        with_reason = [STATUSES[s].lower() for s in allowed if s in REASON_CHOICES]
        self.needs_reason = bool(with_reason)
        if self.needs_reason:
            self.fields["reason_code"].help_text = f"Needed for: {', '.join(with_reason)}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("to_status")
        status, code = split_reason(data.get("reason_code") or "")
        # Ask for a reason only for a move this page offered; any other move goes to the service, which refuses
        # it as a conflict (issue 12: a stale form got "Select a reason" instead of the 409).
        if target in REASON_CHOICES and target in self.allowed:
            if not code:
                self.add_error("reason_code", f"Select a reason for {STATUSES[target].lower()}")
            elif status != target:
                self.add_error(
                    "reason_code",
                    f"Select a reason for {STATUSES[target].lower()}: the one you chose is a reason for "
                    f"{STATUSES[status].lower()}",
                )
        data["reason_code"] = code if target in REASON_CHOICES and status == target else ""
        return data
