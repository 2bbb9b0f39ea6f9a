"""Forms for the offender manager's referral journey: the programme and the other information."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from isotp import clock
from isotp.forms import GovukDateField
from referrals.forms.base import FORMAT_CHOICES, PROGRAMME_CHOICES, YES_NO, GovukForm, is_yes, yes_no_initial


class ProgrammeForm(GovukForm):
    """Which programme and format, and when it should start (the age rules use this date)."""

    programme = forms.ChoiceField(
        label="Programme",
        choices=PROGRAMME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the programme"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=FORMAT_CHOICES,
        widget=forms.RadioSelect,
        help_text="i-SOTP groups are for men aged 21 and over; one-to-one from 17",
        error_messages={"required": "Select the format"},
    )
    planned_start = GovukDateField(
        label="Planned start date",
        label_text="planned start date",
        help_text="The age rules use the age on this date. For example, 7 9 2026",
    )

    def __init__(self, *args: Any, lihi_enabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not lihi_enabled:  # domain.md §2.5: an optional suite an area switches on
            cast("forms.ChoiceField", self.fields["programme"]).choices = PROGRAMME_CHOICES[:2]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == "one_to_one" and data.get("programme") not in (None, "isotp"):
            self.add_error("format", "Only i-SOTP has a one-to-one format: select group")
        start = data.get("planned_start")
        if start and start < clock.today():
            self.add_error("planned_start", "The planned start date must be today or in the future")
        return data


class OtherInformationForm(GovukForm):
    """The other facts the rules read (004: appeal, innocence; 002: prison SOTP) and free-text notes."""

    active_appeal = forms.ChoiceField(
        label="Is there an active appeal against conviction?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if there is an active appeal against conviction"},
    )
    maintains_innocence = forms.ChoiceField(
        label="Does he maintain his innocence?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if he maintains his innocence"},
    )
    completed_prison_sotp = forms.ChoiceField(
        label="Has he completed a sex offender treatment programme in prison?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if he has completed a prison programme"},
    )
    notes = forms.CharField(
        label="Anything else the treatment manager should know (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="For example, health needs, literacy or childcare",
    )

    FLAGS = ("active_appeal", "maintains_innocence", "completed_prison_sotp")

    def values(self) -> dict[str, Any]:
        data: dict[str, Any] = {flag: is_yes(self.cleaned_data[flag]) for flag in self.FLAGS}
        data["notes"] = self.cleaned_data["notes"]
        return data

    @classmethod
    def initial_for(cls, referral: Any, answered: bool) -> dict[str, Any]:
        if not answered:
            return {"notes": referral.notes}
        initial: dict[str, Any] = {flag: yes_no_initial(getattr(referral, flag)) for flag in cls.FLAGS}
        initial["notes"] = referral.notes
        return initial
