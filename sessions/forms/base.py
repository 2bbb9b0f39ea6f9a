"""What every delivery form shares: the GOV.UK form base, the time-of-day field and view-supplied choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django import forms

from isotp.forms import GovukFormMixin
from sessions.rules import WEEKDAYS
from sessions.rules.times import TimeOfDayError, parse_time_of_day

WEEKDAY_CHOICES = [(day, day.capitalize()) for day in WEEKDAYS]

Choices = Sequence[tuple[str, str]]


class GovukTimeField(forms.CharField):
    """A time of day typed as people write it, "6pm" or "18:00" (GOV.UK has no time component: a short text input;
    `sessions.rules.times` reads it)."""

    def __init__(self, *, label_text: str = "start time", **kwargs: Any):
        self.label_text = label_text
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("error_messages", {"required": f"Enter the {label_text}"})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dt.time):
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_time_of_day(text)
        except TimeOfDayError as exc:
            if exc.code == "ambiguous":
                raise forms.ValidationError(
                    f"Enter the {self.label_text} with am or pm, like {text.strip()}pm, or as 24-hour, like 18:00",
                    code="invalid",
                ) from None
            raise forms.ValidationError(
                f"Enter the {self.label_text} as a time, like 6pm or 18:00", code="invalid"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:  # max_length applies to the text, checked by the regex
        return None


def set_choices(field: forms.Field, choices: Any) -> None:
    """Set a choice field's choices (the view passes them in from a selector)."""
    cast(forms.ChoiceField, field).choices = choices


class GovukForm(GovukFormMixin, forms.Form):
    """A plain form whose errors go into the GOV.UK error summary."""
