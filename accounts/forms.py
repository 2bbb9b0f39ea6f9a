"""Forms for signing in, the second factor, and the area administrator's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import TrainingKind, TrainingProgramme
from isotp.forms import GovukDateField, GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Email and password. Field name stays `username` so django-axes counts failures per account."""

    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Contact your area administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["username"] = forms.EmailField(
            label="Email address",
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            error_messages={
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.org",
            },
        )
        self.fields["password"].label = "Password"
        self.fields["password"].error_messages = {"required": "Enter your password"}

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class TokenForm(GovukFormMixin, forms.Form):
    """The six-digit code from the authenticator app."""

    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code shown in your authenticator app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the security code",
            "min_length": "The security code must be 6 digits",
            "max_length": "The security code must be 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits")
        return token


class ClosureForm(GovukFormMixin, forms.Form):
    date = GovukDateField(label="Date", label_text="closure date", help_text="For example, 27 3 2027")
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="For example, staff training day",
        error_messages={"required": "Enter the reason for the closure"},
    )


class TrainingRecordForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Training",
        choices=TrainingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the training passed"},
    )
    programme = forms.ChoiceField(
        label="Programme",
        required=False,
        choices=[("", "Not applicable (assessment centre)"), *TrainingProgramme.choices],
        help_text="Leave as not applicable for the assessment centre",
    )
    date_passed = GovukDateField(
        label="Date passed", label_text="date passed", help_text="For example, 14 2 2024"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, programme = data.get("kind"), data.get("programme", "")
        if kind == TrainingKind.ASSESSMENT_CENTRE and programme:
            self.add_error("programme", "The assessment centre is not for a programme: choose not applicable")
        if kind == TrainingKind.ISOTP:
            data["programme"] = TrainingProgramme.ISOTP
        elif kind == TrainingKind.CORE_PROGRAMME and not programme:
            self.add_error("programme", "Select the programme the core training was for")
        return data


class SupervisorForm(GovukFormMixin, forms.Form):
    treatment_manager = forms.ChoiceField(
        label="Supervising treatment manager",
        error_messages={
            "required": "Select the treatment manager",
            "invalid_choice": "Select a treatment manager from the list",
        },
    )
    started_on = GovukDateField(
        label="Supervision starts", label_text="start date", help_text="For example, 1 12 2026"
    )

    def __init__(self, *args: Any, treatment_managers: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["treatment_manager"].choices = [("", "Choose a treatment manager"), *treatment_managers]  # type: ignore[attr-defined]
