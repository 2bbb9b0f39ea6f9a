"""The Django admin, for service superusers: reference data and configuration are editable (validated by the
rules, saved through the services so they are audited); records about people are read-only here, because every
change to them goes through the service's pages or API, which check roles and keep the audit trail."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from referrals.models import (
    AssessmentDecision,
    EligibilityConfiguration,
    Offence,
    Person,
    Referral,
    ReferralStatusChange,
    Rm2000ScoringTable,
)
from referrals.rules import config_from_dict, validate_scoring_table
from referrals.services.configuration import save_eligibility_configuration, save_scoring_table


@admin.register(Offence)
class OffenceAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "legislation", "category", "active"]
    list_filter = ["category", "active"]
    search_fields = ["code", "title", "legislation"]


class ScoringTableForm(forms.ModelForm):
    class Meta:
        model = Rm2000ScoringTable
        fields = ["version", "source_note", "table", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        table = data.get("table")
        if table is not None:
            if problems := validate_scoring_table(table):
                raise ValidationError({"table": problems})
            if data.get("version") and table.get("version") != data["version"]:
                self.add_error("version", 'The version must match the table\'s own "version"')
        return data


@admin.register(Rm2000ScoringTable)
class ScoringTableAdmin(admin.ModelAdmin):
    """Add a corrected version (copy the current table, fix it, give it a new version) and mark it active."""

    form = ScoringTableForm
    list_display = ["version", "active", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        current = Rm2000ScoringTable.objects.filter(active=True).first()
        if current is None:
            return {}
        return {"table": json.dumps(current.table), "source_note": current.source_note}

    def save_model(self, request: HttpRequest, obj: Rm2000ScoringTable, form: Any, change: bool) -> None:
        save_scoring_table(actor=request.user, scoring_table=obj)  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorded calculations name their table version


class EligibilityConfigurationForm(forms.ModelForm):
    class Meta:
        model = EligibilityConfiguration
        fields = ["area", "values"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = data.get("values")
        if values is not None:
            try:
                config_from_dict(values)
            except (TypeError, ValueError) as problem:
                self.add_error("values", str(problem))
        return data


@admin.register(EligibilityConfiguration)
class EligibilityConfigurationAdmin(admin.ModelAdmin):
    form = EligibilityConfigurationForm
    list_display = ["area", "values", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(
        self, request: HttpRequest, obj: EligibilityConfiguration, form: Any, change: bool
    ) -> None:
        save_eligibility_configuration(actor=request.user, configuration=obj)  # type: ignore[arg-type]


class ReadOnlyAdmin(admin.ModelAdmin):
    """People's records change only through the services (roles and audit); the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["crn", "area", "offender_manager", "created_at"]
    list_filter = ["area"]
    search_fields = ["crn"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "person", "programme", "format", "status", "area", "created_at"]
    list_filter = ["area", "programme", "format", "status"]
    search_fields = ["person__crn"]


admin.site.register(ReferralStatusChange, ReadOnlyAdmin)
admin.site.register(AssessmentDecision, ReadOnlyAdmin)
