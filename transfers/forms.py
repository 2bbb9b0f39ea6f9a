"""Transfer forms (GOV.UK patterns; the services check everything again)."""

from __future__ import annotations

from typing import Any

from django import forms

from isotp.forms import GovukFormMixin


class TransferRequestForm(GovukFormMixin, forms.Form):
    crn = forms.CharField(
        label="CRN",
        max_length=7,
        help_text="The person's case reference number, held by another probation area, like X123456",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages={"required": "Enter the person's CRN"},
    )
    offender_manager = forms.ChoiceField(
        label="Offender manager",
        help_text="The offender manager of your area who takes the person on",
        error_messages={"required": "Choose the offender manager who takes the person on"},
    )
    reason = forms.CharField(
        label="Why the person should move to your area",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the person should move to your area"},
    )

    def __init__(self, *args: Any, offender_managers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["offender_manager"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose an offender manager"), *offender_managers]


class RefuseForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why the transfer is refused",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the transfer is refused"},
    )
