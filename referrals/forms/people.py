"""Forms for a person's record: search, details, convictions, sentence, RM2000, RoSH and deviance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from isotp import clock
from isotp.forms import GovukDateField
from referrals.forms.base import SEX_CHOICES, YES_NO, GovukForm, is_yes, yes_no_initial
from referrals.models import RISK_CHOICES
from referrals.rules import (
    LEGAL_BASES,
)


class PersonSearchForm(GovukForm):
    """The filters of the person list (GET)."""

    q = forms.CharField(label="Name or CRN", required=False, max_length=100)
    open_referral = forms.BooleanField(label="Has an open referral", required=False)
    offender_manager = forms.ChoiceField(label="Offender manager", required=False)

    def __init__(self, *args: Any, offender_managers: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["offender_manager"]).choices = [
            ("", "All offender managers")
        ] + [(str(u.public_id), u.full_name) for u in offender_managers]


class PersonForm(GovukForm):
    """Identity and learning needs of a person on probation; a TM also chooses the offender manager."""

    crn = forms.CharField(
        label="Case reference number (CRN)",
        max_length=7,
        help_text="One capital letter followed by 6 digits, for example C123456",
        error_messages={"required": "Enter the CRN"},
    )
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = GovukDateField(
        label="Date of birth", label_text="date of birth", help_text="For example, 27 3 1985"
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=SEX_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the sex"},
    )
    iq = forms.IntegerField(
        label="IQ (optional)",
        required=False,
        min_value=40,
        max_value=160,
        help_text="Leave blank if it has not been assessed",
        error_messages={
            "invalid": "Enter the IQ as a whole number, like 95",
            "min_value": "Enter an IQ between 40 and 160, or leave it blank if not known",
            "max_value": "Enter an IQ between 40 and 160, or leave it blank if not known",
        },
    )
    learning_disability = forms.BooleanField(
        label="He or she has a learning disability or difficulty", required=False
    )
    offender_manager = forms.ChoiceField(
        label="Offender manager", error_messages={"required": "Select the offender manager"}
    )

    def __init__(self, *args: Any, offender_managers: Iterable[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if offender_managers is None:  # an OM refers people on their own caseload
            del self.fields["offender_manager"]
        else:
            cast("forms.ChoiceField", self.fields["offender_manager"]).choices = [
                ("", "Choose an offender manager")
            ] + [(str(u.public_id), u.full_name) for u in offender_managers]

    def clean_crn(self) -> str:
        return str(self.cleaned_data["crn"]).strip().upper()

    def clean_date_of_birth(self) -> dt.date:
        born: dt.date = self.cleaned_data["date_of_birth"]
        if born >= clock.today():
            raise ValidationError("The date of birth must be in the past")
        return born

    @classmethod
    def initial_for(cls, person: Any) -> dict[str, Any]:
        return {
            "crn": person.crn,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "sex": person.sex,
            "iq": person.iq,
            "learning_disability": person.learning_disability,
            "offender_manager": str(person.offender_manager.public_id),
        }


class ConvictionForm(GovukForm):
    """One conviction for an offence from the reference table (the legislation is shown with each offence)."""

    offence = forms.ChoiceField(label="Offence", error_messages={"required": "Select the offence"})
    conviction_date = GovukDateField(label="Date of conviction", label_text="date of conviction")
    offence_date = GovukDateField(
        label="Date of the offence (optional)",
        label_text="date of the offence",
        required=False,
        help_text="The first date, if the offence covered a period",
    )
    # domain.md §3: contact is a fact of the conviction; the offence's category gives the default.
    contact = forms.ChoiceField(
        label="Did it involve actual or attempted contact with a victim?",
        choices=[
            ("default", "As usual for this offence"),
            ("yes", "Yes"),
            ("no", "No, for example incitement online with no meeting"),
        ],
        initial="default",
        widget=forms.RadioSelect,
        required=False,
        help_text="Causing or inciting offences (SOA 2003 ss.8 and 10) count as contact unless you say otherwise",
    )

    def __init__(self, *args: Any, offences: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["offence"]).choices = [("", "Choose an offence")] + [
            (o.code, f"{o.title} ({o.legislation})") for o in offences
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        convicted, offended = data.get("conviction_date"), data.get("offence_date")
        if convicted and convicted > clock.today():
            self.add_error("conviction_date", "The date of conviction must be today or in the past")
        if convicted and offended and offended > convicted:
            self.add_error(
                "offence_date", "The date of the offence must be on or before the date of conviction"
            )
        data["contact"] = {"yes": True, "no": False}.get(data.get("contact") or "default")
        return data


class SentenceForm(GovukForm):
    """The order or licence and its supervision period (003: the legal basis and at least 24 months)."""

    legal_basis = forms.ChoiceField(
        label="Legal basis",
        choices=list(LEGAL_BASES.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Select the legal basis"},
    )
    programme_requirement = forms.ChoiceField(
        label="Does it include an accredited programme requirement or licence condition?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if it includes a programme requirement or condition"},
    )
    start_date = GovukDateField(
        label="Start date", label_text="start date", help_text="For example, 14 2 2026"
    )
    supervision_end_date = GovukDateField(
        label="End of supervision", label_text="end of supervision", help_text="For example, 13 2 2028"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("supervision_end_date")
        if start and end and end <= start:
            self.add_error("supervision_end_date", "The end of supervision must be after the start date")
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["programme_requirement"] = is_yes(data["programme_requirement"])
        return data

    @classmethod
    def initial_for(cls, sentence: Any) -> dict[str, Any]:
        if sentence is None:
            return {}
        return {
            "legal_basis": sentence.legal_basis,
            "programme_requirement": yes_no_initial(sentence.programme_requirement),
            "start_date": sentence.start_date,
            "supervision_end_date": sentence.supervision_end_date,
        }


class Rm2000RecordForm(GovukForm):
    """RM2000 categories as assessed (usually from OASys), with the date and the assessor."""

    s = forms.ChoiceField(
        label="RM2000/S (sexual)",
        choices=RISK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the RM2000/S category"},
    )
    v = forms.ChoiceField(
        label="RM2000/V (non-sexual violence)",
        choices=RISK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the RM2000/V category"},
    )
    c = forms.ChoiceField(
        label="RM2000/C (combined)",
        choices=RISK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the RM2000/C category"},
    )
    assessed_on = GovukDateField(label="Date of the assessment", label_text="date of the assessment")
    assessor = forms.CharField(
        label="Assessor",
        max_length=150,
        help_text="The name of the person who completed the assessment",
        error_messages={"required": "Enter the name of the assessor"},
    )

    def clean_assessed_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["assessed_on"]
        if value > clock.today():
            raise ValidationError("The date of the assessment must be today or in the past")
        return value


class RoshForm(GovukForm):
    """OASys risk of serious harm (003: Very High stays with N-SOGP)."""

    level = forms.ChoiceField(
        label="OASys risk of serious harm",
        choices=RISK_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the risk of serious harm"},
    )
    assessed_on = GovukDateField(label="Date of the assessment", label_text="date of the assessment")

    def clean_assessed_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["assessed_on"]
        if value > clock.today():
            raise ValidationError("The date of the assessment must be today or in the past")
        return value


class DevianceForm(GovukForm):
    """Psychometric deviance recorded by a treatment manager, with the rationale (domain.md §7)."""

    level = forms.ChoiceField(
        label="Psychometric deviance",
        choices=[("low", "Low"), ("high", "High")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select the deviance level"},
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the assessment is based on, for example the psychometric scales outside the normal range",
        error_messages={"required": "Enter the rationale for the deviance level"},
    )
