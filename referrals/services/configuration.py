"""Configuration kept as data (Django admin, superusers): RM2000 scoring tables, areas' eligibility thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.permissions import require
from audit.services import record_event
from referrals.models import EligibilityConfiguration, Rm2000ScoringTable
from referrals.rules import config_from_dict, validate_scoring_table

if TYPE_CHECKING:
    from accounts.models import User


def save_scoring_table(*, actor: User, scoring_table: Rm2000ScoringTable) -> Rm2000ScoringTable:
    """Superusers: save an RM2000 scoring table version (validated); making it active retires the active one."""
    require(actor.is_superuser, "Only a superuser changes the RM2000 scoring table")
    table = scoring_table.table
    if problems := validate_scoring_table(table):
        raise ValidationError({"table": problems})
    if table.get("version") != scoring_table.version:
        raise ValidationError({"version": ['The version must match the table\'s own "version"']})
    with transaction.atomic():
        if scoring_table.active:
            Rm2000ScoringTable.objects.select_for_update().filter(active=True).exclude(
                pk=scoring_table.pk
            ).update(active=False)
        if scoring_table.pk is None:
            scoring_table.created_by = actor
        scoring_table.save()
        record_event(
            actor=actor,
            action="rm2000_table.saved",
            obj=scoring_table,
            object_id=scoring_table.version,
            changes={"version": scoring_table.version, "active": scoring_table.active},
        )
    return scoring_table


def save_eligibility_configuration(
    *, actor: User, configuration: EligibilityConfiguration
) -> EligibilityConfiguration:
    """Superusers: save an area's eligibility thresholds, checked by the rules' own `config_from_dict`."""
    require(actor.is_superuser, "Only a superuser changes the eligibility thresholds")
    try:
        config_from_dict({"lihi_enabled": configuration.area.lihi_enabled, **configuration.values})
    except (TypeError, ValueError) as problem:
        raise ValidationError({"values": [str(problem)]}) from None
    with transaction.atomic():
        configuration.updated_by = actor
        configuration.save()
        record_event(
            actor=actor,
            action="eligibility_configuration.saved",
            obj=configuration,
            area_id=configuration.area_id,
            changes=dict(configuration.values),
        )
    return configuration
