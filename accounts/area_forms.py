"""Forms for the area administrator's journeys: invite staff, change a role, venues, and the invited member's
password. Counts are text inputs with a numeric keyboard (GOV.UK advises against `type=number`)."""

from __future__ import annotations

from typing import Any

from django import forms

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


class InvitationPasswordForm(GovukFormMixin, forms.Form):
    """The invited member's new password, twice (Django's validators judge its strength)."""

    new_password1 = forms.CharField(
        label="Create a password",
        help_text="At least 12 characters; not a common password, and not like your name or email address",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a password"},
    )
    new_password2 = forms.CharField(
        label="Confirm password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        cleaned = super().clean() or {}
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "The passwords do not match. Enter the same password twice")
        elif new1:
            try:
                password_validation.validate_password(new1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned
