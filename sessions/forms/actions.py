"""Group page actions: rescheduling a session, removing a member, allocating from the waiting list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms

from isotp.forms import GovukDateField
from sessions.forms.base import Choices, GovukForm, GovukTimeField, set_choices


class RescheduleForm(GovukForm):
    new_date = GovukDateField(label="New date", label_text="new date", help_text="For example, 14 6 2027")
    new_start = GovukTimeField(
        label="New start time",
        label_text="new start time",
        required=False,
        help_text="For example, 6pm or 18:00. Leave blank to keep the same time",
    )
    cascade = forms.ChoiceField(
        label="Move all later sessions too?",
        widget=forms.RadioSelect,
        choices=[
            ("yes", "Yes, move every later session on to the next free session days"),
            ("no", "No, move only this session"),
        ],
        error_messages={"required": "Select whether to move all later sessions too"},
    )

    def clean_cascade(self) -> bool:
        return self.cleaned_data["cascade"] == "yes"


class AcceptingChoiceField(forms.ChoiceField):
    """Offers its choices but also accepts the values in `accepted`: a form opened before the record changed
    reaches the service, which answers the conflict (409) with what is possible now (issue 12)."""

    accepted: frozenset[str] = frozenset()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.accepted or super().valid_value(value)


class RemoveMemberForm(GovukForm):
    """Why a member leaves and what their referral becomes; deselection and withdrawal also need the referral's
    recorded reason (domain.md §9: REASON_CHOICES), offered grouped by status."""

    next_status = AcceptingChoiceField(
        label="What happens to the referral next?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what happens to the referral next",
            "invalid_choice": "Select one of the listed statuses",
        },
    )
    reason_code = AcceptingChoiceField(
        label="Recorded reason (if deselected or withdrawn)",
        required=False,
        help_text="Deselection and withdrawal are recorded on the referral with one of these reasons",
        error_messages={"invalid_choice": "Select a reason from the list"},
    )
    reason = forms.CharField(
        label="Why are they leaving the group?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        error_messages={"required": "Enter why they are leaving the group"},
    )

    def __init__(
        self,
        *args: Any,
        statuses: Choices,
        reason_choices: Mapping[str, Sequence[tuple[str, str]]],
        accepted: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        **kwargs: Any,
    ):
        """`statuses` and `reason_choices` are offered now; `accepted` (every status a removal may ask for, with
        its reasons) is passed on to the service even if not offered now, so a stale form gets its 409."""
        super().__init__(*args, **kwargs)
        accepted = accepted or {}
        set_choices(self.fields["next_status"], list(statuses))
        cast(AcceptingChoiceField, self.fields["next_status"]).accepted = frozenset(accepted)
        cast(AcceptingChoiceField, self.fields["reason_code"]).accepted = frozenset(
            f"{status}:{code}" for status, choices in accepted.items() for code, _ in choices
        )
        self.reason_choices = {status: list(choices) for status, choices in reason_choices.items()}
        labels = self.status_labels = dict(statuses)
        grouped: list[Any] = [("", "Not needed")]
        for status, choices in self.reason_choices.items():
            if status in labels:
                grouped.append((labels[status], [(f"{status}:{code}", label) for code, label in choices]))
        set_choices(self.fields["reason_code"], grouped)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, picked = data.get("next_status"), data.get("reason_code") or ""
        wanted, _, code = picked.partition(":")
        if status in self.reason_choices:
            if wanted != status:
                label = self.status_labels[status].lower()
                self.add_error("reason_code", f"Select the reason the referral is {label}")
            data["reason_code"] = code
        else:  # not offered now (a stale form): the service decides, with the reason given for that status
            data["reason_code"] = code if wanted == status else ""
        return data


class AllocateForm(GovukForm):
    referral = forms.UUIDField(
        error_messages={"required": "Select who to allocate", "invalid": "Select who to allocate"}
    )


class CloseForm(GovukForm):
    """Closing a group or one-to-one plan: an optional note; the service's refusal goes to the error summary."""

    reason = forms.CharField(
        label="Anything to record about closing it? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        error_messages={"max_length": "Keep the note to 1,000 characters or fewer"},
    )
