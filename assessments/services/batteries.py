"""Battery configuration writes: every save is a new immutable version (domain.md §7), so results recorded under an
old version keep being computed from it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.permissions import can_edit_battery
from assessments.models import Battery, BatteryVersion
from assessments.rules import InvalidBattery, battery_definition, parse_battery
from audit.services import record_event

if TYPE_CHECKING:
    from accounts.models import ProbationArea, User


def save_battery_version(
    *, actor: User, definition: Mapping[str, Any], change_note: str = "", area: ProbationArea | None = None
) -> BatteryVersion:
    """Area administrators: save a battery definition as the next version of the area's battery with its code
    (creating the battery the first time). Validated by the rules; the battery row is locked while numbering."""
    if not can_edit_battery(actor) and not (area is not None and actor.is_superuser):
        raise PermissionDenied("Only area administrators edit the psychometric battery")
    target_area = area or actor.area
    try:
        battery_rules = parse_battery(definition)
    except InvalidBattery as problem:
        raise ValidationError({"definition": problem.problems}) from None
    clean = battery_definition(battery_rules)
    with transaction.atomic():
        battery, created = Battery.objects.select_for_update().get_or_create(
            area=target_area, code=battery_rules.code, defaults={"name": battery_rules.name}
        )
        if not created and battery.name != battery_rules.name:
            battery.name = battery_rules.name
            battery.save(update_fields=["name"])
        latest = battery.versions.aggregate(latest=Max("version"))["latest"] or 0
        version = BatteryVersion.objects.create(
            battery=battery,
            version=latest + 1,
            definition=clean,
            illustrative=battery_rules.illustrative,
            change_note=change_note.strip(),
            created_by=actor,
        )
        record_event(
            actor=actor,
            action="battery.version_saved",
            obj=version,
            object_id=f"{battery.code}/v{version.version}",
            object_label=battery.name,
            area_id=target_area.pk if target_area else None,
            changes={"version": version.version, "scales": len(battery_rules.scales)},
            reason=version.change_note,
        )
    return version


def import_battery(*, actor: User, text: str, change_note: str = "") -> BatteryVersion:
    """Area administrators: import a battery from its JSON text as a new version (errors name scale and field)."""
    try:
        definition = json.loads(text)
    except (TypeError, ValueError) as problem:
        raise ValidationError({"definition": [f"The file is not valid JSON ({problem})"]}) from None
    return save_battery_version(actor=actor, definition=definition, change_note=change_note)
