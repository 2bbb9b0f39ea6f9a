"""Forms for the referrals pages: people, their record, the referral journey, assessment and the RM2000 calculator.

Choices come from the pure rules (`referrals.rules`), never from copies here, so a page cannot offer a code the
rules do not know. Forms only check the shape of the answers (a date is a real date, an end is after a start);
the services decide what is allowed, and their `ValidationError`s and `DomainConflict`s are put back on the form
by the views so the GOV.UK error summary shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from isotp.forms import GovukDateField, GovukFormMixin
from referrals.rules import (
    LEGAL_BASES,
    REASON_CHOICES,
    RISK_LEVELS,
    ROUTE_LABELS,
    STATUSES,
    RM2000Input,
    check_input,
)
from referrals.rules.eligibility import RISK_LABELS

RISK_CHOICES = [(level, RISK_LABELS[level]) for level in RISK_LEVELS]
YES_NO = [("yes", "Yes"), ("no", "No")]
SEX_CHOICES = [("male", "Male"), ("female", "Female")]
PROGRAMME_CHOICES = [
    ("isotp", "i-SOTP (internet sex offender treatment programme)"),
    ("nsogp", "N-SOGP (Northumbria sex offender groupwork programme)"),
    ("li", "Low Intensity programme (LI)"),
    ("hi", "High Intensity programme (HI)"),
]
FORMAT_CHOICES = [("group", "Group"), ("one_to_one", "One-to-one (i-SOTP only)")]
# The outcomes a treatment manager records on the assessment page (domain.md §9) and the status each one sets.
OUTCOME_CHOICES = [
    ("suitable", "Suitable: add to the waiting list (awaiting allocation)"),
    ("not_suitable", "Not suitable: close the referral"),
    ("suitable_not_ready", "Suitable but not ready"),
    ("on_hold", "On hold"),
]
OUTCOMES_WITH_REASON = ("not_suitable", "suitable_not_ready", "on_hold")


def _yes(value: str) -> bool:
    return value == "yes"


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def grouped_reasons(statuses: Iterable[str]) -> list[tuple[str, Any]]:
    """REASON_CHOICES for `statuses`, grouped under each status's name (a <select> with <optgroup>s)."""
    groups: list[tuple[str, Any]] = [("", "Choose a reason")]
    for status in statuses:
        if status in REASON_CHOICES:
            groups.append(
                (STATUSES[status], [(f"{status}:{code}", label) for code, label in REASON_CHOICES[status]])
            )
    return groups


def split_reason(value: str) -> tuple[str, str]:
    """'on_hold:in_custody' -> ('on_hold', 'in_custody'); the status part says which group it came from."""
    status, _, code = value.partition(":")
    return status, code


class GovukForm(GovukFormMixin, forms.Form):
    """Every form on these pages: GOV.UK error summary helpers, and no browser-side validation."""

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest on the form as a whole)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None
                for e in errors:
                    self.add_error(target, e.messages)
        else:
            self.add_error(None, error.messages)


# --- people ---------------------------------------------------------------------------------------------------


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
        if born >= timezone.localdate():
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

    def __init__(self, *args: Any, offences: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ChoiceField", self.fields["offence"]).choices = [("", "Choose an offence")] + [
            (o.code, f"{o.title} ({o.legislation})") for o in offences
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        convicted, offended = data.get("conviction_date"), data.get("offence_date")
        if convicted and convicted > timezone.localdate():
            self.add_error("conviction_date", "The date of conviction must be today or in the past")
        if convicted and offended and offended > convicted:
            self.add_error(
                "offence_date", "The date of the offence must be on or before the date of conviction"
            )
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
        data["programme_requirement"] = _yes(data["programme_requirement"])
        return data

    @classmethod
    def initial_for(cls, sentence: Any) -> dict[str, Any]:
        if sentence is None:
            return {}
        return {
            "legal_basis": sentence.legal_basis,
            "programme_requirement": _yes_no(sentence.programme_requirement),
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
        if value > timezone.localdate():
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
        if value > timezone.localdate():
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


# --- the referral journey -------------------------------------------------------------------------------------


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
        if start and start < timezone.localdate():
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
        data: dict[str, Any] = {flag: _yes(self.cleaned_data[flag]) for flag in self.FLAGS}
        data["notes"] = self.cleaned_data["notes"]
        return data

    @classmethod
    def initial_for(cls, referral: Any, answered: bool) -> dict[str, Any]:
        if not answered:
            return {"notes": referral.notes}
        initial: dict[str, Any] = {flag: _yes_no(getattr(referral, flag)) for flag in cls.FLAGS}
        initial["notes"] = referral.notes
        return initial


# --- assessment and status changes ----------------------------------------------------------------------------


class AnyStatusChoiceField(forms.ChoiceField):
    """Offers only the allowed statuses, but accepts any known one: the service decides (and answers 409), so a
    stale form shows the conflict and what is allowed now rather than a bare "select a valid choice"."""

    def valid_value(self, value: Any) -> bool:
        return str(value) in STATUSES


class AssessmentForm(GovukForm):
    """The TM's decision on a referral, with an optional override of the computed decision (domain.md §3)."""

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    reason_code = forms.ChoiceField(
        label="Reason (if not suitable, not ready or on hold)",
        required=False,
        choices=grouped_reasons(OUTCOMES_WITH_REASON),
    )
    reason = forms.CharField(
        label="Details of the reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    override = forms.BooleanField(
        label="Override the computed decision",
        required=False,
        help_text="Place him on a programme the rules did not recommend. The original decision stays visible.",
    )
    override_programme = forms.ChoiceField(
        label="Programme (override)", required=False, choices=[("", "Choose a programme"), *PROGRAMME_CHOICES]
    )
    override_format = forms.ChoiceField(
        label="Format (override)", required=False, choices=[("", "Choose a format"), *FORMAT_CHOICES]
    )
    override_route = forms.ChoiceField(
        label="Route (override, optional)",
        required=False,
        choices=[("", "No particular route"), *ROUTE_LABELS.items()],
    )
    rationale = forms.CharField(
        label="Rationale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text="Why you decided this. Required when you override the computed decision.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        reason_status, reason_code = split_reason(data.get("reason_code") or "")
        if outcome in OUTCOMES_WITH_REASON:
            if not reason_code:
                self.add_error("reason_code", f"Select a reason for {STATUSES[outcome].lower()}")
            elif reason_status != outcome:
                self.add_error(
                    "reason_code",
                    f"Select a reason for {STATUSES[outcome].lower()}: the one you chose is a reason for "
                    f"{STATUSES[reason_status].lower()}",
                )
        data["reason_code"] = reason_code if outcome in OUTCOMES_WITH_REASON else ""
        if data.get("override"):
            if not data.get("override_programme"):
                self.add_error("override_programme", "Select the programme for the override")
            if not data.get("override_format"):
                self.add_error("override_format", "Select the format for the override")
            if data.get("override_format") == "one_to_one" and data.get("override_programme") not in (
                "",
                "isotp",
            ):
                self.add_error("override_format", "Only i-SOTP has a one-to-one format")
            if not (data.get("rationale") or "").strip():
                self.add_error("rationale", "Enter the rationale for overriding the computed decision")
        return data

    def override_value(self) -> dict[str, str] | None:
        data = self.cleaned_data
        if not data.get("override"):
            return None
        return {
            "programme": data["override_programme"],
            "format": data["override_format"],
            "route": data.get("override_route") or "",
        }


class StatusChangeForm(GovukForm):
    """Move a referral to one of the statuses allowed from where it is now (domain.md §9)."""

    to_status = AnyStatusChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"}
    )
    reason_code = forms.ChoiceField(label="Reason", required=False)
    reason = forms.CharField(
        label="Details (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, allowed: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [s for s in STATUSES if s in set(allowed)]
        cast("forms.ChoiceField", self.fields["to_status"]).choices = [(s, STATUSES[s]) for s in allowed]
        cast("forms.ChoiceField", self.fields["reason_code"]).choices = grouped_reasons(allowed)
        with_reason = [STATUSES[s].lower() for s in allowed if s in REASON_CHOICES]
        self.needs_reason = bool(with_reason)
        if self.needs_reason:
            self.fields["reason_code"].help_text = f"Needed for: {', '.join(with_reason)}"
        else:
            del self.fields["reason_code"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("to_status")
        status, code = split_reason(data.get("reason_code") or "")
        if target in REASON_CHOICES:
            if not code:
                self.add_error(
                    "reason_code" if self.needs_reason else None,
                    f"Select a reason for {STATUSES[target].lower()}",
                )
            elif status != target:
                self.add_error(
                    "reason_code",
                    f"Select a reason for {STATUSES[target].lower()}: the one you chose is a reason for "
                    f"{STATUSES[status].lower()}",
                )
        data["reason_code"] = code if target in REASON_CHOICES else ""
        return data


# --- RM2000 calculator ----------------------------------------------------------------------------------------

AGGRAVATING_CHOICES = [
    ("male_victim", "Any sexual offence against a male"),
    ("stranger_victim", "Any sexual offence against a stranger"),
    ("non_contact_offence", "Any non-contact sexual offence"),
    ("single", "Single: never married, nor lived with a partner for 2 years or more"),
]


class Rm2000CalculatorForm(GovukForm):
    """The calculator's inputs, as `POST /api/v1/rm2000/score/` takes them (domain.md §4).

    Counts may be typed as negative numbers: the rules refuse them (with every other refusal, field by field) so
    the page and the API say the same thing.
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
        help_text="The date of sentence for the current offence (community) or the date of release (custody)",
    )
    sexual_appearances = forms.IntegerField(
        label="Sexual appearances",
        help_text="Court appearances for sexual offences, including the current one",
        error_messages={
            "required": "Enter the number of sexual appearances",
            "invalid": "Enter the number of sexual appearances as a whole number, like 1",
        },
    )
    criminal_appearances = forms.IntegerField(
        label="Criminal appearances",
        help_text="All court appearances for criminal offences, including the current one",
        error_messages={
            "required": "Enter the number of criminal appearances",
            "invalid": "Enter the number of criminal appearances as a whole number, like 2",
        },
    )
    violent_appearances = forms.IntegerField(
        label="Violent appearances",
        help_text="Court appearances for non-sexual violence; 0 if none",
        error_messages={
            "required": "Enter the number of violent appearances",
            "invalid": "Enter the number of violent appearances as a whole number, like 0",
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
        needed = ("sex", "date_of_birth", "assessment_date", "commencement_of_risk_date", *self.COUNTS)
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
        )
