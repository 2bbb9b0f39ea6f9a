"""The QA and outcome pages' forms: they only shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from isotp.fields import validate_date_in_range
from isotp.forms import GovukDateField, GovukFormMixin
from quality.models import OffenceType
from quality.rules.monitoring import AREAS_OF_PRACTICE, RATINGS
from referrals.models import Programme


class MonitoringFormForm(GovukFormMixin, forms.Form):
    """The TM's monitoring form: the facilitator rated, a rating per area of practice, comments, date viewed."""

    def __init__(self, *args: Any, facilitators: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"] = forms.ChoiceField(
            label="Facilitator rated",
            choices=[(str(f.public_id), f.full_name) for f in facilitators],
            widget=forms.RadioSelect,
            error_messages={"required": "Choose the facilitator you rated"},
        )
        self.fields["viewed_on"] = GovukDateField(label="Date you viewed the recording")
        for code, label in AREAS_OF_PRACTICE.items():
            self.fields[code] = forms.ChoiceField(
                label=label,
                choices=list(RATINGS.items()),
                widget=forms.RadioSelect,
                error_messages={"required": f"Rate {label.split(':')[0].lower()}"},
            )
        self.fields["comments"] = forms.CharField(
            label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000
        )

    def area_fields(self) -> list[Any]:
        return [self[code] for code in AREAS_OF_PRACTICE]


class SupervisionForm(GovukFormMixin, forms.Form):
    held_on = GovukDateField(label="Date of the supervision session")
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        error_messages={"required": "Enter the notes of the session"},
    )
    actions = forms.CharField(
        label="Actions agreed (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
    )


class QaSettingsForm(GovukFormMixin, forms.Form):
    monitoring_target = forms.IntegerField(
        label="Share of each facilitator's sessions to monitor (%)",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Enter the share of each facilitator's sessions to monitor",
            "invalid": "The share of sessions to monitor must be a whole number, like 10",
            "min_value": "The share of sessions to monitor must be 0%% or more",
            "max_value": "The share of sessions to monitor must be 100%% or less",
        },
    )
    report_days = forms.IntegerField(
        label="Days after the last session within which a report is on time",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "Enter the number of days within which a report is on time",
            "invalid": "The number of days must be a whole number, like 20",
            "min_value": "The number of days must be 1 or more",
            "max_value": "The number of days must be 365 or fewer",
        },
    )


class ReoffenceForm(GovukFormMixin, forms.Form):
    offence_on = GovukDateField(label="Date of the offence")
    proven_on = GovukDateField(label="Date it was proven (conviction or caution)")
    offence_type = forms.ChoiceField(
        label="Type of offence",
        choices=OffenceType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of offence"},
    )
    sexual = forms.BooleanField(
        label="Sexual or sexually motivated",
        required=False,
        help_text="A sexual offence type always counts as sexual.",
    )


class ReoffenceChangeForm(ReoffenceForm):
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for the change"},
    )


class ReoffenceDeleteForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for removing it",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Enter the reason for removing it"},
    )


class StatisticsFilterForm(GovukFormMixin, forms.Form):
    """The statistics page's filter (GET): programme, period and whose figures. A value the page cannot use is
    an error on its field (shown in the error summary), never quietly replaced by a default."""

    programme = forms.ChoiceField(
        label="Programme",
        required=False,
        choices=[("", "Every programme"), *Programme.choices],
        error_messages={"invalid_choice": "Choose a programme from the list"},
    )
    start = forms.DateField(
        label="From",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the start of the period as a real date, for example 2026-04-01"},
        validators=[validate_date_in_range],  # 012: 1900 to 2100, as every date (year 1 was taken)
    )
    end = forms.DateField(
        label="To",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter the end of the period as a real date, for example 2027-03-31"},
        validators=[validate_date_in_range],  # 012: 1900 to 2100, as every date (year 1 was taken)
    )
    scope = forms.ChoiceField(
        label="Figures for",
        required=False,
        choices=[("", "My area"), ("area", "My area"), ("national", "All areas")],
        error_messages={"invalid_choice": "Choose my area or all areas"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period must be the same as or after its start")
        return cleaned
