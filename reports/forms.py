"""The report's pages' forms: the draft (a rating and evidence per treatment target, then the sections), the
TM's return comments and an amendment's reason. They only shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from isotp.forms import GovukFormMixin
from reports.rules import RATINGS, Target


class DraftForm(forms.Form):
    """Built for the report's targets and sections (i-SOTP's six targets; another programme's modules)."""

    def __init__(self, *args: Any, targets: list[Target], sections: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.section_names = list(sections)
        for target in targets:
            self.fields[f"{target.code}_rating"] = forms.ChoiceField(
                label="Progress rating",
                choices=list(RATINGS.items()),
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"{target.code}_evidence"] = forms.CharField(
                label="Evidence from sessions",
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields[f"{target.code}_evidence_outside"] = forms.CharField(
                label="Evidence from outside sessions (optional)",
                help_text="For example, from the offender manager, homework or other agencies",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for field, label in sections.items():
            self.fields[field] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 5})
            )

    @classmethod
    def initial_from(cls, content: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {k: v for k, v in content.items() if k != "targets"}
        for code, entry in (content.get("targets") or {}).items():
            for key, value in entry.items():
                initial[f"{code}_{key}"] = value
        return initial

    def target_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "target": t,
                "rating": self[f"{t.code}_rating"],
                "evidence": self[f"{t.code}_evidence"],
                "evidence_outside": self[f"{t.code}_evidence_outside"],
            }
            for t in self.targets
        ]

    def section_fields(self) -> list[Any]:
        return [self[name] for name in self.section_names]

    def content(self) -> dict[str, Any]:
        """The form's answers in the report's `content` shape, for `services.save_draft`."""
        data = self.cleaned_data
        return {
            "targets": {
                t.code: {
                    "rating": data.get(f"{t.code}_rating", ""),
                    "evidence": data.get(f"{t.code}_evidence", ""),
                    "evidence_outside": data.get(f"{t.code}_evidence_outside", ""),
                }
                for t in self.targets
            },
            **{name: data.get(name, "") for name in self.section_names},
        }


class ReturnForm(GovukFormMixin, forms.Form):
    comments = forms.CharField(
        label="What needs to change",
        help_text="The facilitator sees these comments on the draft",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what needs to change before the report can be approved"},
    )


class AmendForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the report being amended?",
        help_text="The issued version stays readable and is marked superseded; the reason is shown on the new version",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the issued report is being amended"},
    )
