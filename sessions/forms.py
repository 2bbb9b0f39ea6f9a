"""Forms for the delivery pages: the group and one-to-one question pages, rescheduling, removal, catalogue edits.

The forms only check what a person typed (a real date, a time on the 24-hour clock, a choice from the list); the
domain decisions (training, clashes, capacity, plan totals) belong to ``sessions.rules`` and the services, whose
codes and messages the views show in the error summary. Choices come from the view (which got them from a
selector), so a form never reads the database itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from isotp.forms import GovukDateField, GovukFormMixin
from sessions.rules import WEEKDAYS, Slot, validate_entry, validate_one_to_one_plan

WEEKDAY_CHOICES = [(day, day.capitalize()) for day in WEEKDAYS]
_TIME_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")

Choices = Sequence[tuple[str, str]]


class GovukTimeField(forms.CharField):
    """A time of day typed as HH:MM on the 24-hour clock (GOV.UK has no time component: a short text input)."""

    def __init__(self, *, label_text: str = "start time", **kwargs: Any):
        self.label_text = label_text
        kwargs.setdefault("max_length", 5)
        kwargs.setdefault("error_messages", {"required": f"Enter the {label_text}"})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, dt.time):
            return value
        text = super().to_python(value)
        if not text:
            return None
        match = _TIME_RE.match(text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError(
                f"Enter the {self.label_text} on the 24-hour clock, like 18:00", code="invalid"
            )
        return dt.time(int(match[1]), int(match[2]))

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def run_validators(self, value: Any) -> None:  # max_length applies to the text, checked by the regex
        return None


def _choices(field: forms.Field, choices: Any) -> None:
    """Set a choice field's choices (the view passes them in from a selector)."""
    cast(forms.ChoiceField, field).choices = choices


class GovukForm(GovukFormMixin, forms.Form):
    """A plain form whose errors go into the GOV.UK error summary."""


# --- question pages shared by the group and one-to-one wizards ----------------------------------------------


class ProgrammeForm(GovukForm):
    programme = forms.ChoiceField(
        label="Which programme and format will the group run?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the programme and format",
            "invalid_choice": "Select a programme from the list",
        },
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["programme"], list(choices))


class VenueForm(GovukForm):
    venue = forms.ChoiceField(
        label="Where will the sessions take place?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the venue", "invalid_choice": "Select a venue from the list"},
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["venue"], list(choices))


class TreatmentManagerForm(GovukForm):
    treatment_manager = forms.ChoiceField(
        label="Who is the treatment manager?",
        widget=forms.RadioSelect,
        help_text="Facilitators deliver under this treatment manager's supervision",
        error_messages={
            "required": "Select the treatment manager",
            "invalid_choice": "Select a treatment manager from the list",
        },
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["treatment_manager"], list(choices))


class FacilitatorsForm(GovukForm):
    """Facilitators: only trained ones are offered, but every facilitator of the area is a valid value, so a
    submitted untrained one is refused with the delivery service's own reason (``check``, which the view builds
    around ``sessions.services.check_facilitators``) rather than "not one of the choices"."""

    facilitators = forms.MultipleChoiceField(
        label="Who will facilitate?",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the facilitators",
            "invalid_choice": "Select facilitators from the list",
        },
    )

    def __init__(
        self,
        *args: Any,
        offered: Choices,
        valid: Iterable[str],
        check: Callable[[list[str]], None],
        needed: int,
        single: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.check = check
        self.single = single
        field = self.fields["facilitators"]
        offered_values = {value for value, _ in offered}
        _choices(field, list(offered) + [(v, v) for v in valid if v not in offered_values])
        self.offered = list(offered)
        if single:
            field.label = "Who will facilitate the sessions?"
            field.help_text = "A one-to-one plan has one facilitator, trained for this programme"
            field.error_messages["required"] = "Select the facilitator"
        else:
            field.help_text = (
                f"Select at least {needed}. Only facilitators trained for this programme are listed"
            )

    def clean_facilitators(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["facilitators"]
        if self.single and len(chosen) != 1:
            raise forms.ValidationError("Select one facilitator: a one-to-one plan has one")
        try:
            self.check(chosen)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return chosen


class SlotsForm(GovukForm):
    """One or two weekly slots (domain.md §5; 000: once or twice a week)."""

    first_weekday = forms.ChoiceField(
        label="Day",
        choices=WEEKDAY_CHOICES,
        widget=forms.Select,
        error_messages={"required": "Select the day of the first weekly session"},
    )
    first_start = GovukTimeField(
        label="Start time",
        label_text="start time of the first weekly session",
        help_text="On the 24-hour clock, for example 18:00",
    )
    second_weekday = forms.ChoiceField(
        label="Day",
        required=False,
        choices=[("", "No second session"), *WEEKDAY_CHOICES],
        widget=forms.Select,
    )
    second_start = GovukTimeField(
        label="Start time",
        label_text="start time of the second weekly session",
        required=False,
        help_text="On the 24-hour clock, for example 18:00",
    )

    def __init__(self, *args: Any, max_slots: int = 2, default_start: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.max_slots = max_slots
        if default_start and not self.is_bound and "first_start" not in self.initial:
            self.initial["first_start"] = default_start

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        second_day, second_start = data.get("second_weekday"), data.get("second_start")
        if self.max_slots < 2 and (second_day or second_start):
            self.add_error(
                "second_weekday", "This programme meets once a week or less: remove the second session"
            )
        elif second_day and not second_start and "second_start" not in self.errors:
            self.add_error("second_start", "Enter the start time of the second weekly session")
        elif second_start and not second_day:
            self.add_error("second_weekday", "Select the day of the second weekly session")
        elif second_day and second_day == data.get("first_weekday"):
            self.add_error("second_weekday", "Choose a different day for the second weekly session")
        return data

    def slots(self) -> list[Slot]:
        """The cleaned slots as the scheduling rules take them."""
        from sessions.rules import parse_weekday

        data = self.cleaned_data
        slots = [Slot(parse_weekday(data["first_weekday"]), data["first_start"])]
        if data.get("second_weekday"):
            slots.append(Slot(parse_weekday(data["second_weekday"]), data["second_start"]))
        return slots


class StartDateForm(GovukForm):
    start_date = GovukDateField(
        label="When does the first session start?",
        label_text="start date",
        help_text="The first session is on the first slot day on or after this date. For example, 7 6 2027",
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["start_date"]
        if value < self.today:
            raise forms.ValidationError("The start date must be today or in the future")
        return value


class CapacityForm(GovukForm):
    """Capacity within the programme's group size, and the age band (003: groups by age band, 17-21 and 21+)."""

    capacity = forms.IntegerField(
        label="How many places does the group have?",
        error_messages={
            "required": "Enter the number of places",
            "invalid": "The number of places must be a whole number",
        },
    )
    age_band = forms.ChoiceField(
        label="Which age band is the group for?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the age band"},
    )
    name = forms.CharField(
        label="Group name (optional)",
        required=False,
        max_length=100,
        help_text="A name staff will recognise, for example Crewe Tuesday evening. Leave blank to name it by "
        "programme, venue and start date",
    )

    def __init__(self, *args: Any, group_min: int, group_max: int, bands: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.group_min, self.group_max = group_min, group_max
        self.fields["capacity"].help_text = f"Between {group_min} and {group_max} for this programme"
        _choices(self.fields["age_band"], list(bands))

    def clean_capacity(self) -> int:
        value: int = self.cleaned_data["capacity"]
        if not self.group_min <= value <= self.group_max:
            raise forms.ValidationError(
                f"The number of places must be between {self.group_min} and {self.group_max} for this programme"
            )
        return value


class ConfirmForm(GovukForm):
    """The check-your-answers button: no fields, only the service's refusals as non-field errors."""


# --- group page actions -------------------------------------------------------------------------------------


class RescheduleForm(GovukForm):
    new_date = GovukDateField(label="New date", label_text="new date", help_text="For example, 14 6 2027")
    new_start = GovukTimeField(
        label="New start time",
        label_text="new start time",
        required=False,
        help_text="On the 24-hour clock, for example 18:00. Leave blank to keep the same time",
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


class RemoveMemberForm(GovukForm):
    """Why a member leaves and what their referral becomes; deselection and withdrawal also need the referral's
    recorded reason (domain.md §9: REASON_CHOICES), offered grouped by status."""

    next_status = forms.ChoiceField(
        label="What happens to the referral next?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what happens to the referral next",
            "invalid_choice": "Select one of the listed statuses",
        },
    )
    reason_code = forms.ChoiceField(
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
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        _choices(self.fields["next_status"], list(statuses))
        self.reason_choices = {status: list(choices) for status, choices in reason_choices.items()}
        labels = self.status_labels = dict(statuses)
        grouped: list[Any] = [("", "Not needed")]
        for status, choices in self.reason_choices.items():
            if status in labels:
                grouped.append((labels[status], [(f"{status}:{code}", label) for code, label in choices]))
        _choices(self.fields["reason_code"], grouped)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, picked = data.get("next_status"), data.get("reason_code") or ""
        wanted, _, code = picked.partition(":")
        if status in self.reason_choices:
            if wanted != status:
                label = self.status_labels[status].lower()
                self.add_error("reason_code", f"Select the reason the referral is {label}")
            data["reason_code"] = code
        else:
            data["reason_code"] = ""
        return data


class AllocateForm(GovukForm):
    referral = forms.UUIDField(
        error_messages={"required": "Select who to allocate", "invalid": "Select who to allocate"}
    )


# --- one-to-one plans ---------------------------------------------------------------------------------------


class ParticipantForm(GovukForm):
    referral = forms.ChoiceField(
        label="Who is the plan for?",
        widget=forms.RadioSelect,
        help_text="People on the one-to-one waiting list, longest waiting first",
        error_messages={
            "required": "Select who the plan is for",
            "invalid_choice": "Select someone from the list",
        },
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self.fields["referral"], list(choices))


class ModulePlanForm(GovukForm):
    """Sessions per module; the rules decide (domain.md §2.2): the total of 20-30 is a hard rule and a module
    outside its guidance range needs a recorded rationale."""

    rationale = forms.CharField(
        label="Rationale for departing from the guidance",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Needed when a module has more or fewer sessions than its guidance range. Say why the person's "
        "treatment needs call for it",
    )

    def __init__(self, *args: Any, entry: Mapping[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.plan_check: Any = None
        modules: dict[str, forms.Field] = {}
        for module in entry["modules"]:
            low = module.get("sessions_min", module.get("sessions"))
            high = module.get("sessions_max", module.get("sessions"))
            guidance = (
                f"{low} session{'s' if low != 1 else ''}" if low == high else f"{low} to {high} sessions"
            )
            modules[f"module_{module['number']}"] = forms.IntegerField(
                label=f"Module {module['number']}: {module['title']}",
                min_value=0,
                max_value=99,
                help_text=f"Guidance: {guidance}",
                error_messages={
                    "required": f"Enter the number of sessions for module {module['number']}",
                    "invalid": f"The sessions for module {module['number']} must be a whole number",
                    "min_value": f"Module {module['number']} cannot have a negative number of sessions",
                    "max_value": f"Module {module['number']} can have at most 99 sessions",
                },
            )
        self.fields = {**modules, "rationale": self.fields["rationale"]}
        self.module_names = list(modules)

    def module_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.module_names]

    def plan(self) -> dict[int, int]:
        return {int(name.split("_")[1]): self.cleaned_data[name] for name in self.module_names}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(name in self.errors for name in self.module_names):
            return data
        check = validate_one_to_one_plan(self.plan(), self.entry)
        self.plan_check = check
        for issue in check.errors:
            self.add_error(None, issue.message)
        if check.needs_rationale and not data.get("rationale", "").strip():
            for issue in check.needs_rationale:
                self.add_error("rationale", issue.message)
        return data


# --- catalogue ----------------------------------------------------------------------------------------------


def _int(label: str, *, required: bool = True, min_value: int = 0, what: str = "") -> forms.IntegerField:
    """A whole-number field; `what` names it in the error summary when the label alone is ambiguous."""
    low = what or label[0].lower() + label[1:]
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        error_messages={
            "required": f"Enter the {low}",
            "invalid": f"The {low} must be a whole number",
            "min_value": f"The {low} must be {min_value} or more",
        },
    )


class ProgrammeVersionForm(GovukForm):
    """A new version of a catalogue entry: the figures people change, plus each module's title and sessions.

    The edited entry is checked by ``sessions.rules.validate_entry``; its plain-English problems are the form's
    errors. Fields not on the form (codes, delivery mode, sources) carry over from the current version.
    """

    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the programme's name"}
    )
    valid_from = GovukDateField(
        label="Valid from",
        label_text="date the new version is valid from",
        help_text="Groups created from this date use the new version. For example, 1 4 2027",
    )
    session_minutes = _int("Session length in minutes", min_value=1)
    work_minutes = _int("Treatment minutes per session", min_value=1)
    sessions_min = _int("Minimum number of sessions", min_value=1)
    sessions_max = _int("Maximum number of sessions", min_value=1)
    group_min = _int("Minimum group size", min_value=1)
    group_optimum = _int("Optimum group size", min_value=1)
    group_max = _int("Maximum group size", min_value=1)
    min_age = _int("Minimum age")
    max_age = _int("Maximum age", required=False)
    max_catch_ups = _int("Most sessions that may be caught up", required=False)
    restart_limit = _int("Most sessions that may be missed before a restart", required=False)
    facilitators_per_session = _int("Facilitators per session", min_value=1)
    default_start_time = forms.CharField(
        label="Default start time",
        max_length=5,
        help_text="On the 24-hour clock, for example 10:00",
        error_messages={"required": "Enter the default start time"},
    )
    change_reason = forms.CharField(
        label="Why are you making this change?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="For example, the accredited manual changed. This is kept with the new version",
        error_messages={"required": "Enter why you are making this change"},
    )

    SCALAR_FIELDS = (
        "name",
        "session_minutes",
        "work_minutes",
        "sessions_min",
        "sessions_max",
        "group_min",
        "group_optimum",
        "group_max",
        "min_age",
        "max_age",
        "max_catch_ups",
        "facilitators_per_session",
        "default_start_time",
    )

    def __init__(self, *args: Any, entry: Mapping[str, Any], today: dt.date, **kwargs: Any):
        kwargs.setdefault("initial", self.initial_from(entry, today))
        super().__init__(*args, **kwargs)
        self.base_entry = dict(entry)
        self.today = today
        self.entry: dict[str, Any] | None = None
        ranged = any("sessions_min" in m for m in entry["modules"])
        self.module_names: list[tuple[str, ...]] = []
        for module in entry["modules"]:
            n = module["number"]
            self.fields[f"module_{n}_title"] = forms.CharField(
                label="Title",
                max_length=200,
                error_messages={"required": f"Enter the title of module {n}"},
            )
            names = [f"module_{n}_title"]
            if "sessions" in module or not ranged:
                self.fields[f"module_{n}_sessions"] = _int(
                    "Sessions", required=False, min_value=1, what=f"sessions of module {n}"
                )
                names.append(f"module_{n}_sessions")
            if ranged:
                self.fields[f"module_{n}_min"] = _int(
                    "Fewest sessions", required=False, min_value=1, what=f"fewest sessions of module {n}"
                )
                self.fields[f"module_{n}_max"] = _int(
                    "Most sessions", required=False, min_value=1, what=f"most sessions of module {n}"
                )
                names += [f"module_{n}_min", f"module_{n}_max"]
            self.module_names.append(tuple(names))

    @staticmethod
    def initial_from(entry: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
        initial: dict[str, Any] = {key: entry.get(key) for key in ProgrammeVersionForm.SCALAR_FIELDS}
        initial["restart_limit"] = (entry.get("restart_rule") or {}).get("limit")
        initial["valid_from"] = today
        for module in entry["modules"]:
            n = module["number"]
            initial[f"module_{n}_title"] = module["title"]
            initial[f"module_{n}_sessions"] = module.get("sessions")
            initial[f"module_{n}_min"] = module.get("sessions_min")
            initial[f"module_{n}_max"] = module.get("sessions_max")
        return initial

    def module_rows(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for names in self.module_names]

    def clean_valid_from(self) -> dt.date:
        value: dt.date = self.cleaned_data["valid_from"]
        if value < self.today:
            raise forms.ValidationError(
                "The date the new version is valid from must be today or in the future"
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        entry = {**self.base_entry}
        for key in self.SCALAR_FIELDS:
            entry[key] = data.get(key)
        rule = dict(entry.get("restart_rule") or {})
        if rule.get("kind") != "none":
            rule["limit"] = data.get("restart_limit")
        entry["restart_rule"] = rule
        modules = []
        for original in self.base_entry["modules"]:
            n = original["number"]
            module = {**original, "title": data[f"module_{n}_title"]}
            for key, field in (("sessions", "sessions"), ("sessions_min", "min"), ("sessions_max", "max")):
                name = f"module_{n}_{field}"
                if name in self.fields:
                    value = data.get(name)
                    if value is None:
                        module.pop(key, None)
                    else:
                        module[key] = value
            modules.append(module)
        entry["modules"] = modules
        for problem in validate_entry(entry):
            self.add_error(None, problem)
        self.entry = entry
        return data


__all__ = [
    "WEEKDAY_CHOICES",
    "AllocateForm",
    "CapacityForm",
    "ConfirmForm",
    "FacilitatorsForm",
    "GovukTimeField",
    "ModulePlanForm",
    "ParticipantForm",
    "ProgrammeForm",
    "ProgrammeVersionForm",
    "RemoveMemberForm",
    "RescheduleForm",
    "SlotsForm",
    "StartDateForm",
    "TreatmentManagerForm",
    "VenueForm",
]
