from typing import Any

from django import forms

from isotp.forms import GovukDateField, GovukFormMixin


class AuditSearchForm(GovukFormMixin, forms.Form):
    person = forms.CharField(
        label="Name or CRN",
        required=False,
        max_length=100,
        help_text="The person's name or CRN: changes to their record, referrals, groups and reports",
    )
    action = forms.CharField(
        label="Action", required=False, help_text="The start of its code, for example referral or signed_in"
    )
    object_id = forms.CharField(
        label="Record ID", required=False, help_text="The ID shown in a record's address"
    )
    actor_email = forms.EmailField(
        label="Staff email",
        help_text="For example, name@cheshire.example",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format"},
    )
    date_from = GovukDateField(label="From", label_text="from date", required=False)
    date_to = GovukDateField(label="To", label_text="to date", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The to date must be the same as or after the from date")
        return data
