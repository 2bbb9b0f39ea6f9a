"""Load data set (issue 11): each area's psychometric battery and the pre- and post-programme administrations.

Per area: the demo battery (illustrative norms) as version 1. Every member of a group or plan that has started is
assessed before the programme (a week before they joined, after their referral); every member who completed is
assessed again after it (a few days after their last session), on the same battery version, as the service
requires. Score sheets come from a pool made with the demo's own sheet maker and scored by the pure rules, so
each administration's scale scores are what `record_administration` would have stored.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from accounts.models import Role
from assessments.demo import DEMO_BATTERY, _sheet
from assessments.models import Administration, Battery, BatteryVersion, ScaleScore
from assessments.rules import parse_battery
from assessments.services.administrations import _parse_scores
from isotp.loadgen import Context, Rows
from sessions.models import Membership

POOL = 48  # distinct score sheets per kind


def _pool(definition: dict[str, Any], improved: bool) -> list[list[tuple[str, Decimal, Any, bool, int]]]:
    battery = parse_battery(definition)
    codes = [s.code for s in battery.scales]
    out = []
    for k in range(POOL):
        sheet = _sheet(battery, 1000 * improved + k, problems=(3, 8, 5, 2, 7, 4)[k % 6],
                       improved=set(codes) if improved else None)  # fmt: skip
        found, errors = _parse_scores(battery, sheet)
        if errors:  # pragma: no cover - the demo's sheets are valid
            raise ValueError(errors)
        items = {
            code: [None if v is None else v for v in (entry.get("items") or [])] or None
            for code, entry in sheet.items()
        }
        out.append(
            [
                (code, Decimal(str(round(r.score, 2))), items[code], r.prorated, r.missing_items)
                for code, r in found.items()
            ]
        )
    return out


def generate(ctx: Context) -> None:
    """One battery per area; pre for every started membership, post for every completed one."""
    definition = json.loads(DEMO_BATTERY.read_text())
    areas = ctx.ids["areas"]
    battery_ids = ctx.new_ids(Battery, len(areas))
    version_ids = ctx.new_ids(BatteryVersion, len(areas))
    version_of: dict[int, int] = {}
    batteries: Rows = []
    versions: Rows = []
    built = ctx.at(ctx.today - dt.timedelta(days=365 * 11))
    for area_id, battery_id, version_id in zip(areas, battery_ids, version_ids, strict=True):
        admin = ctx.ids["staff"][area_id][Role.AREA_ADMIN][0]
        batteries.append((battery_id, area_id, definition["code"], definition["name"], built))
        versions.append((version_id, battery_id, 1, definition, True, "Load data set", admin, built))
        version_of[area_id] = version_id
    ctx.copy(Battery, ["id", "area_id", "code", "name", "created_at"], batteries)
    ctx.copy(
        BatteryVersion,
        [
            "id",
            "battery_id",
            "version",
            "definition",
            "illustrative",
            "change_note",
            "created_by_id",
            "created_at",
        ],
        versions,
    )
    pre_pool, post_pool = _pool(definition, improved=False), _pool(definition, improved=True)
    rows = (
        Membership.objects.filter(joined_on__lte=ctx.today)
        .order_by("id")
        .values_list("id", "status", "joined_on", "left_on", "group__area_id", "plan__area_id",
                     "group__treatment_manager_id", "plan__facilitator_id", "referral__created_at")
    )  # fmt: skip
    administrations: Rows = []
    scores: list[tuple[int, list[tuple[str, Decimal, Any, bool, int]]]] = []
    ids = iter(ctx.new_ids(Administration, 2 * rows.count()))
    for membership, status, joined, left, group_area, plan_area, tm, facilitator, referred in rows:
        area_id = group_area or plan_area
        by = tm or facilitator
        pre_on = max(joined - dt.timedelta(days=7), referred.date())
        pre = next(ids)
        administrations.append((pre, ctx.uuid(), membership, area_id, "pre", version_of[area_id], pre_on, by, by,
                                ctx.at(pre_on, 16)))  # fmt: skip
        scores.append((pre, ctx.rng.choice(pre_pool)))
        if status == "completed" and left is not None and left + dt.timedelta(days=3) <= ctx.today:
            post_on = left + dt.timedelta(days=3)
            post = next(ids)
            administrations.append((post, ctx.uuid(), membership, area_id, "post", version_of[area_id], post_on,
                                    by, by, ctx.at(post_on, 16)))  # fmt: skip
            scores.append((post, ctx.rng.choice(post_pool)))
    ctx.copy(
        Administration,
        ["id", "public_id", "membership_id", "area_id", "kind", "battery_version_id", "administered_on",
         "administered_by_id", "recorded_by_id", "recorded_at"],
        administrations,
    )  # fmt: skip
    ctx.copy(
        ScaleScore,
        ["administration_id", "scale_code", "score", "items", "prorated", "missing_items"],
        ((admin, *score) for admin, sheet in scores for score in sheet),
    )
    ctx.ids["administrations"] = len(administrations)
