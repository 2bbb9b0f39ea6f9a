"""The RM2000 calculator's form: the scoring questions, checked by the rules' own `check_input`."""

from __future__ import annotations

from typing import Any

from django import forms

from isotp.forms import GovukDateField
from referrals.forms.base import SEX_CHOICES, GovukForm
from referrals.rules import (
    RM2000Input,
    check_input,
)
from referrals.rules.rm2000 import MAX_APPEARANCES

AGGRAVATING_CHOICES = [
    ("male_victim", "Any sexual offence against a male"),
    ("stranger_victim", "Any sexual offence against a stranger"),
    ("non_contact_offence", "Any non-contact sexual offence"),
    ("single", "Single: never married, nor lived with a partner for 2 years or more"),
]


class Rm2000CalculatorForm(GovukForm):
    """The calculator's inputs, as `POST /api/v1/rm2000/score/` takes them (domain.md §4).

    Each count is bounded above on its field (MAX_APPEARANCES): an absurd number is an error in the error summary,
    never scored. A negative count is refused by the rules (check_input, with every other refusal, field by field)
    so the page and the API say the same thing.
    """

    sex = forms.ChoiceField(
        label="Sex",
        choices=SEX_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the sex"},
    )
    date_of_birth = GovukDateField(label="Date of birth", label_text="date of birth")
    assessment_date = GovukDateField(label="Date of the assessment", label_text="date of the assessment")
    commencement_of_risk_date = GovukDateField(
        label="Commencement of risk date",
        label_text="commencement of risk date",
        help_text="The date of sentence for the current offence (community) or the date of release (custody). "
        "A release after the assessment date is a pre-release assessment: it is scored, with a warning",
    )
    # domain.md §4: RM2000 is for men with at least one sexual offence committed after the age of 16: asked.
    sexual_offence_after_16 = forms.ChoiceField(
        label="Did he commit at least one sexual offence after the age of 16?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether he committed a sexual offence after the age of 16"},
    )
    sexual_appearances = forms.IntegerField(
        max_value=MAX_APPEARANCES,
        label="Sexual appearances",
        help_text="Court appearances for sexual offences, including the current one",
        error_messages={
            "required": "Enter the number of sexual appearances",
            "invalid": "Enter the number of sexual appearances as a whole number, like 1",
            "max_value": f"Sexual appearances cannot be more than {MAX_APPEARANCES}: check the count",
        },
    )
    criminal_appearances = forms.IntegerField(
        max_value=MAX_APPEARANCES,
        label="Criminal appearances",
        help_text="All court appearances for criminal offences, including the current one",
        error_messages={
            "required": "Enter the number of criminal appearances",
            "invalid": "Enter the number of criminal appearances as a whole number, like 2",
            "max_value": f"Criminal appearances cannot be more than {MAX_APPEARANCES}: check the count",
        },
    )
    violent_appearances = forms.IntegerField(
        max_value=MAX_APPEARANCES,
        label="Violent appearances",
        help_text="Court appearances for non-sexual violence; 0 if none",
        error_messages={
            "required": "Enter the number of violent appearances",
            "invalid": "Enter the number of violent appearances as a whole number, like 0",
            "max_value": f"Violent appearances cannot be more than {MAX_APPEARANCES}: check the count",
        },
    )
    burglary = forms.BooleanField(label="He has a conviction for burglary", required=False)
    factors = forms.MultipleChoiceField(
        label="Aggravating factors (step 2)",
        required=False,
        choices=AGGRAVATING_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )

    COUNTS = ("sexual_appearances", "criminal_appearances", "violent_appearances")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = (
            "sex",
            "date_of_birth",
            "assessment_date",
            "commencement_of_risk_date",
            "sexual_offence_after_16",
            *self.COUNTS,
        )
        if all(data.get(name) is not None for name in needed):
            for refusal in check_input(self.to_input(data)):  # domain.md §4: the rules' own refusals
                self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
        return data

    def to_input(self, data: dict[str, Any] | None = None) -> RM2000Input:
        data = data if data is not None else self.cleaned_data
        factors = set(data.get("factors") or [])
        return RM2000Input(
            sex=data["sex"],
            date_of_birth=data["date_of_birth"],
            assessment_date=data["assessment_date"],
            commencement_of_risk_date=data["commencement_of_risk_date"],
            sexual_appearances=data["sexual_appearances"],
            criminal_appearances=data["criminal_appearances"],
            violent_appearances=data["violent_appearances"],
            burglary=bool(data.get("burglary")),
            male_victim="male_victim" in factors,
            stranger_victim="stranger_victim" in factors,
            non_contact_offence="non_contact_offence" in factors,
            single="single" in factors,
            sexual_offence_after_16=data.get("sexual_offence_after_16") == "yes",
        )
