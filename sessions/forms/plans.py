"""One-to-one plans: the participant and the module plan with its rationale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from sessions.forms.base import Choices, GovukForm, set_choices
from sessions.rules import validate_one_to_one_plan


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
        set_choices(self.fields["referral"], list(choices))


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
            # On the module's field, or (the plan's total) the first module's, so the summary links to the
            # counts to change (issue 13).
            name = f"module_{issue.module}" if issue.module is not None else self.module_names[0]
            self.add_error(name if name in self.fields else None, issue.message)
        if check.needs_rationale and not data.get("rationale", "").strip():
            for issue in check.needs_rationale:
                self.add_error("rationale", issue.message)
        return data
