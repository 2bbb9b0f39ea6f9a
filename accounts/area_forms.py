"""Forms for the area administrator's journeys: invite staff, change a role, venues, and the invited member's
password. Counts are text inputs with a numeric keyboard (GOV.UK advises against `type=number`)."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.forms import PASSWORD_ADVICE, NewPasswordForm, password_field
from accounts.models import Role
from isotp.forms import GovukFormMixin


class InviteForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Their work email: the link to set up the account goes there",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their role"},
    )


class RoleForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(
        label="New role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the new role"},
    )


class CountField(forms.IntegerField):
    """A whole number typed in a text box with the numeric keyboard (not `type=number`, which GOV.UK advises
    against: it changes value on scroll and accepts "e")."""

    widget = forms.TextInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs.pop("step", None)
        attrs.update({"inputmode": "numeric", "spellcheck": "false"})
        return attrs


class VenueForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Venue name", max_length=150, error_messages={"required": "Enter the venue name"}
    )
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    capacity = CountField(
        label="How many people the room holds",
        min_value=1,
        max_value=200,
        error_messages={
            "required": "Enter how many people the room holds",
            "invalid": "Capacity must be a whole number, like 12",
            "min_value": "Capacity must be at least 1",
            "max_value": "Capacity must be 200 or fewer",
        },
    )
    step_free_access = forms.TypedChoiceField(
        label="Does it have step-free access?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the venue has step-free access"},
    )

    def clean_postcode(self) -> str:
        return str(self.cleaned_data.get("postcode", "")).strip().upper()


class InvitationPasswordForm(NewPasswordForm):
    """The invited member's new password, twice (Django's validators judge its strength)."""

    new_password1 = password_field("Create a password", "Enter a password", help_text=PASSWORD_ADVICE)
    new_password2 = password_field("Confirm password", "Enter the password again")
