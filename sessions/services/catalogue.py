"""Catalogue versions: an administrator's change is a new version, never an edit (domain.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from accounts.models import User
from accounts.permissions import can_edit_catalogue, in_area, require, require_found
from audit.services import record_event
from isotp.clock import today
from isotp.dates import long_date
from isotp.errors import DomainConflict
from sessions.models import Programme
from sessions.rules import entry_problems

# What identifies an entry cannot change in a new version: a different programme is a different code.
FIXED_KEYS = frozenset({"code", "programme", "format"})


def _fields_from_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    rule = entry["restart_rule"]
    return {
        "name": entry["name"],
        "delivery": entry["delivery"],
        "session_minutes": entry["session_minutes"],
        "work_minutes": entry["work_minutes"],
        "sessions_min": entry["sessions_min"],
        "sessions_max": entry["sessions_max"],
        "modules": entry["modules"],
        "group_min": entry["group_min"],
        "group_optimum": entry["group_optimum"],
        "group_max": entry["group_max"],
        "min_age": entry["min_age"],
        "max_age": entry["max_age"],
        "young_adult_band": entry["young_adult_band"],
        "max_catch_ups": entry["max_catch_ups"],
        "restart_kind": rule["kind"],
        "restart_limit": rule.get("limit"),
        "facilitators_per_session": entry["facilitators_per_session"],
        "homework_required": entry["homework_required"],
        "join_rule": entry["join_rule"],
        "voluntary": entry["voluntary"],
        "optional_suite": entry["optional_suite"],
        "default_start_time": dt.time.fromisoformat(entry["default_start_time"]),
        "cadence": entry["cadence"],
        "max_slots_per_week": entry["max_slots_per_week"],
        "source": entry["source"],
        "source_note": entry["source_note"],
    }


def create_programme_version(
    *,
    actor: User,
    programme: Programme,
    changes: Mapping[str, Any],
    reason: str,
    valid_from: dt.date | None = None,
) -> Programme:
    """Area administrators: a new version of `programme` for their area, from `valid_from` (default today).

    The entry is checked with `entry_problems` (each problem under the entry key it is about); groups and plans keep the version they were scheduled with. An
    earlier version of the same area ends the day before; the national default is left alone (other areas use it).
    Locks every version of the code so two edits cannot take the same version number.
    """
    require_found(programme.area_id is None or in_area(actor, programme))
    require(can_edit_catalogue(actor), "Only area administrators change the catalogue")
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the programme is changing."]})
    fixed = sorted(FIXED_KEYS & set(changes))
    if fixed:
        raise ValidationError({key: ["This cannot change: create a new programme instead."] for key in fixed})
    starts = valid_from or today()
    with transaction.atomic():
        versions = list(Programme.objects.select_for_update().filter(code=programme.code).order_by("pk"))
        entry = {**programme.as_entry(), **changes}
        problems: dict[str, list[str]] = {}
        for key, message in entry_problems(entry):
            problems.setdefault(key, []).append(message)
        if problems:
            raise ValidationError(problems)
        own_current = [v for v in versions if v.area_id == actor.area_id and v.valid_until is None]
        for current in own_current:
            if current.valid_from >= starts:
                raise DomainConflict(
                    f"Version {current.version} already starts on {long_date(current.valid_from)}: a new version "
                    "must start after it.",
                    code="VERSION_OVERLAP",
                )
            current.valid_until = starts - dt.timedelta(days=1)
            current.save(update_fields=["valid_until"])
        number = (Programme.objects.filter(code=programme.code).aggregate(n=Max("version"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                created = Programme.objects.create(
                    code=programme.code,
                    programme=programme.programme,
                    format=programme.format,
                    version=number,
                    area_id=actor.area_id,
                    valid_from=starts,
                    valid_until=None,
                    change_reason=reason,
                    created_by=actor,
                    **_fields_from_entry(entry),
                )
        except IntegrityError:
            raise DomainConflict(
                "Someone else changed this programme at the same time: try again.", code="VERSION_CONFLICT"
            ) from None
        record_event(
            actor=actor,
            action="programme.version_created",
            obj=created,
            area_id=actor.area_id,
            object_label=f"{created.code} v{created.version}",
            reason=reason,
            changes={
                key: {"from": programme.as_entry().get(key), "to": value}
                for key, value in changes.items()
                if programme.as_entry().get(key) != value
            },
        )
    return created
