"""OGRS3 on the person's risk page: entered from OASys, or calculated with the rules' own checks (domain.md §4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from isotp.forms import GovukDateField
from referrals.forms.base import GovukForm
from referrals.rules.ogrs3 import OFFENCE_GROUP_CHOICES, OGRS3Input, check_input

_WHOLE = "Enter {} as a whole number, like 3"


class Ogrs3RecordForm(GovukForm):
    """OGRS3 as OASys gives it: the 1- and 2-year percentages; the band follows from the 2-year one."""

    one_year_percent = forms.IntegerField(
        label="1-year OGRS3 (%)",
        error_messages={"required": "Enter the 1-year score", "invalid": _WHOLE.format("the 1-year score")},
    )
    two_year_percent = forms.IntegerField(
        label="2-year OGRS3 (%)",
        error_messages={"required": "Enter the 2-year score", "invalid": _WHOLE.format("the 2-year score")},
    )
    # Not in the future and not before the 10th birthday: record_ogrs3 refuses those on this field.
    assessed_on = GovukDateField(label="Date of the assessment", label_text="date of the assessment")


class Ogrs3CalculatorForm(GovukForm):
    """The calculator's questions, as `POST /api/v1/ogrs3/score/` takes them; sex and date of birth come from the
    person's record. Impossible answers are refused by the rules' own `check_input`, field by field."""

    conviction_date = GovukDateField(
        label="Date of the current conviction", label_text="date of the current conviction"
    )
    assessment_date = GovukDateField(
        label="Start of follow-up",
        label_text="start of follow-up",
        help_text="The date of the assessment or sentence, or of release from custody",
    )
    age_at_first_sanction = forms.IntegerField(
        label="Age at first sanction",
        help_text="His or her age at the first caution or conviction; the current one if there was none before",
        error_messages={
            "required": "Enter the age at first sanction",
            "invalid": _WHOLE.format("the age at first sanction"),
        },
    )
    previous_sanctions = forms.IntegerField(
        label="Previous sanctions",
        help_text="Cautions and convictions before the current one",
        error_messages={
            "required": "Enter the number of previous sanctions",
            "invalid": _WHOLE.format("the number of previous sanctions"),
        },
    )
    offence_group = forms.ChoiceField(
        label="Current offence group",
        choices=[("", "Choose the offence group"), *OFFENCE_GROUP_CHOICES],
        error_messages={"required": "Select the offence group"},
    )

    def __init__(self, *args: Any, sex: str, date_of_birth: dt.date, table: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sex, self.date_of_birth, self.table = sex, date_of_birth, table

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(name) not in (None, "") for name in self.fields):
            for refusal in check_input(
                self.to_input(data), self.table
            ):  # domain.md §4.1: the rules' refusals
                self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
        return data

    def to_input(self, data: dict[str, Any] | None = None) -> OGRS3Input:
        data = data if data is not None else self.cleaned_data
        return OGRS3Input(
            sex=self.sex,
            date_of_birth=self.date_of_birth,
            conviction_date=data["conviction_date"],
            assessment_date=data["assessment_date"],
            age_at_first_sanction=data["age_at_first_sanction"],
            previous_sanctions=data["previous_sanctions"],
            offence_group=data["offence_group"],
        )
