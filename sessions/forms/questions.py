"""The question pages shared by the group and one-to-one wizards: programme, venue, staff, slots, start, capacity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from isotp.forms import GovukDateField
from sessions.forms.base import WEEKDAY_CHOICES, Choices, GovukForm, GovukTimeField, set_choices
from sessions.rules import Slot


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
        set_choices(self.fields["programme"], list(choices))


class VenueForm(GovukForm):
    venue = forms.ChoiceField(
        label="Where will the sessions take place?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the venue", "invalid_choice": "Select a venue from the list"},
    )

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_choices(self.fields["venue"], list(choices))


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
        set_choices(self.fields["treatment_manager"], list(choices))


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
        set_choices(field, list(offered) + [(v, v) for v in valid if v not in offered_values])
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
        help_text="For example, 6pm or 18:00",
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
        help_text="For example, 6pm or 18:00",
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
        set_choices(self.fields["age_band"], list(bands))

    def clean_capacity(self) -> int:
        value: int = self.cleaned_data["capacity"]
        if not self.group_min <= value <= self.group_max:
            raise forms.ValidationError(
                f"The number of places must be between {self.group_min} and {self.group_max} for this programme"
            )
        return value


class ConfirmForm(GovukForm):
    """The check-your-answers button: no fields, only the service's refusals as non-field errors."""
