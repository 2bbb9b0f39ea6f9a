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


class EndSupervisionForm(GovukFormMixin, forms.Form):
    """End a facilitator's current supervision (no successor yet)."""

    ended_on = GovukDateField(
        label="Last day supervised", label_text="end date", help_text="For example, 31 12 2026"
    )


PASSWORD_ADVICE = "At least 12 characters; not a common password, and not like your name or email address"


def password_field(
    label: str, required: str, *, autocomplete: str = "new-password", help_text: str = ""
) -> Any:
    """A password box: not stripped, at most 128 characters, with the browser's autocomplete hint."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
        error_messages={"required": required},
    )


class NewPasswordForm(GovukFormMixin, forms.Form):
    """A form for `user` with a new password typed twice (`new_password1`, `new_password2`, declared by the
    subclass): the two must match (`mismatch` says so otherwise) and Django's validators judge its strength."""

    mismatch = "The passwords do not match. Enter the same password twice"

    def __init__(self, user: Any, *args: Any, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        cleaned = super().clean() or {}
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", self.mismatch)
        elif new1:
            try:
                password_validation.validate_password(new1, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    """The current password, then a new one twice (Django's validators judge its strength)."""

    mismatch = "The new passwords do not match. Enter the same password twice"

    old_password = password_field(
        "Current password", "Enter your current password", autocomplete="current-password"
    )
    new_password1 = password_field("New password", "Enter a new password", help_text=PASSWORD_ADVICE)
    new_password2 = password_field("Confirm new password", "Enter the new password again")

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("Your current password is not correct. Enter it again")
        return old


class ApiTokenForm(GovukFormMixin, forms.Form):
    """A name for a new API token and how many days it lasts (at most the configured lifetime)."""

    name = forms.CharField(
        label="Token name",
        help_text="What will use it, for example 'Case management integration'",
        max_length=100,
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "Name must be 100 characters or fewer",
        },
    )
    lifetime_days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        error_messages={
            "required": "Enter how many days the token lasts",
            "invalid": "Days must be a whole number, like 30",
            "min_value": "A token lasts at least 1 day",
        },
    )

    def __init__(self, *args: Any, longest: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["lifetime_days"]
        field.max_value = longest  # type: ignore[attr-defined]
        field.initial = longest
        field.help_text = f"At most {longest} days"
        from django.core.validators import MaxValueValidator

        field.validators.append(MaxValueValidator(longest, f"A token lasts at most {longest} days"))
        field.widget.attrs.update({"inputmode": "numeric"})
