"""Catalogue edits: a new version of a programme's entry, checked by the rules' `validate_entry`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms

from isotp.forms import GovukDateField
from sessions.forms.base import GovukForm, GovukTimeField
from sessions.rules import entry_problems


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


# Catalogue entry keys whose form field has another name.
ENTRY_FIELDS = {"restart_rule": "restart_limit"}


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
    default_start_time = GovukTimeField(
        label="Default start time",
        label_text="default start time",
        help_text="For example, 10am or 10:00",
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

    def clean_default_start_time(self) -> str | None:
        """Typed as people write it ("6pm", "18:00"); the catalogue keeps it on the 24-hour clock."""
        value = self.cleaned_data.get("default_start_time")
        return value.strftime("%H:%M") if isinstance(value, dt.time) else value

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
        for key, problem in entry_problems(entry):
            # On the figure that is wrong, so the error summary links to it (issue 13); a module's at the top.
            name = ENTRY_FIELDS.get(key, key)
            self.add_error(name if name in self.fields else None, problem)
        self.entry = entry
        return data
