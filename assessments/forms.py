"""The psychometric pages' forms: an administration's scores (one field per scale, built from the battery), the
TM's deviance override and the battery import. They check form only; the services decide."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError

from assessments.rules import Battery, Scale
from isotp.forms import GovukDateField, GovukFormMixin

if TYPE_CHECKING:
    from accounts.models import User


class GovukForm(GovukFormMixin, forms.Form):
    pass


def scale_field_name(code: str) -> str:
    return f"scale_{code}"


def _hint(scale: Scale) -> str:
    if scale.items is not None:
        key = scale.items
        text = (
            f"{scale.item_count} item responses from {key.item_min} to {key.item_max}, in order, separated by "
            f"commas. Leave a missing item empty (for example 3,,2)"
        )
        if key.max_missing:
            text += f": up to {key.max_missing} missing may be prorated"
        return text + "."
    return f"Total score from {scale.score_min:g} to {scale.score_max:g}."


class AdministrationForm(GovukForm):
    """The date and one field per scale of `battery`: a total, or the item responses where the scale has keys."""

    administered_on = GovukDateField(label="Date completed", label_text="date the battery was completed")
    administered_by = forms.ChoiceField(
        label="Administered by",
        help_text="The facilitator or treatment manager who gave the battery to the member.",
        required=False,  # left empty (a client without the list): the person recording it
    )

    def __init__(self, *args: Any, battery: Battery, administrators: Iterable[User] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.battery = battery
        self.fields["administered_by"].choices = [  # type: ignore[attr-defined]
            (str(user.public_id), f"{user.full_name} ({user.get_role_display()})") for user in administrators
        ]
        for scale in battery.scales:
            widget_class = (
                "govuk-input govuk-input--width-20" if scale.items else "govuk-input govuk-input--width-5"
            )
            attrs = {"class": widget_class, "spellcheck": "false", "autocomplete": "off"}
            if scale.items is None:
                attrs["inputmode"] = "decimal"
            self.fields[scale_field_name(scale.code)] = forms.CharField(
                label=scale.name,
                help_text=_hint(scale),
                required=False,
                widget=forms.TextInput(attrs=attrs),
            )

    def fields_by_domain(self) -> list[tuple[str, list[Any]]]:
        from assessments.rules import DOMAIN_LABELS

        groups: dict[str, list[Any]] = {}
        for scale in self.battery.scales:
            groups.setdefault(DOMAIN_LABELS[scale.domain], []).append(self[scale_field_name(scale.code)])
        return list(groups.items())

    def summary_errors(self) -> list[tuple[str, Any]]:
        """The error summary in the order the fields appear on the page (the date, who, then the scales domain by
        domain), whether the form or the service found the error."""
        page_order = ["administered_on", "administered_by"] + [
            field.name for _, fields in self.fields_by_domain() for field in fields
        ]
        page_order += [name for name in self.fields if name not in page_order]
        anchors = {name: self[name].auto_id for name in page_order}
        anchors["administered_on"] = f"{anchors['administered_on']}_0"  # the date's first input (day)
        position = {anchors[name]: i for i, name in enumerate(page_order)}
        # Stable: an error with no field (anchor "") stays first, as the house summary puts it.
        return sorted(super().summary_errors(), key=lambda pair: position.get(pair[0], -1))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scores: dict[str, Any] = {}
        for scale in self.battery.scales:
            name = scale_field_name(scale.code)
            raw = (cleaned.get(name) or "").strip()
            if scale.items is None:
                if not raw:
                    self.add_error(name, f"Enter a score for {scale.name}")
                    continue
                try:
                    scores[scale.code] = {"score": float(raw)}
                except ValueError:
                    self.add_error(name, f"Enter the score for {scale.name} as a number")
                continue
            if not raw:
                self.add_error(name, f"Enter the item responses for {scale.name}")
                continue
            items: list[int | None] = []
            try:
                for part in raw.split(","):
                    part = part.strip()
                    items.append(int(part) if part else None)
            except ValueError:
                self.add_error(
                    name, f"Enter the item responses for {scale.name} as whole numbers separated by commas"
                )
                continue
            scores[scale.code] = {"items": items}
        cleaned["scores"] = scores
        return cleaned

    def service_answers(self) -> dict[str, Any]:
        """What the form could read, for the service to judge (an unreadable field is left out)."""
        return {
            "administered_on": self.cleaned_data.get("administered_on"),
            "administered_by": self.cleaned_data.get("administered_by") or None,
            "scores": self.cleaned_data.get("scores", {}),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """A scale's error (`scores.CODE`) goes on its field; the date's on the date. A field the form already
        found unreadable keeps its own message (the service only knows it is missing)."""
        for key, errors in error.error_dict.items():
            target = scale_field_name(key.removeprefix("scores.")) if key.startswith("scores.") else key
            if target in self.fields and target in self.errors:
                continue
            for e in errors:
                self.add_error(target if target in self.fields else None, e.messages)


class DevianceOverrideForm(GovukForm):
    level = forms.ChoiceField(
        label="Assessed deviance",
        choices=[("low", "Low"), ("high", "High")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the deviance level"},
    )
    rationale = forms.CharField(
        label="Rationale",
        help_text="Why your assessment differs from the computed result. Both are kept and shown.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={"required": "Enter the rationale for the deviance level"},
    )


class BatteryImportForm(GovukForm):
    definition = forms.CharField(
        label="Battery definition (JSON)",
        help_text="Paste a definition exported from this page, edited as needed. Saving makes a new version; "
        "results already recorded keep the version they were recorded under.",
        widget=forms.Textarea(attrs={"class": "govuk-textarea app-code", "rows": 20, "spellcheck": "false"}),
        error_messages={"required": "Paste the battery definition"},
    )
    change_note = forms.CharField(
        label="What changed",
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input"}),
    )

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            return json.loads(text)
        except ValueError as problem:
            raise ValidationError(f"The definition is not valid JSON ({problem})") from None
