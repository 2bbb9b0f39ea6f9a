"""Helpers for the psychometric tests: the demo battery saved through the service, a member of a group delivered
by a given facilitator, and score sheets built from the battery (every scale at its non-offender mean by default)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import ProbationArea, Role, User
from assessments import services
from assessments.models import BatteryVersion
from assessments.rules import Battery, parse_battery
from referrals.models import Referral
from sessions import services as session_services
from sessions.models import Membership, MembershipStatus
from tests.factories import UserFactory
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

LONDON = ZoneInfo("Europe/London")
DEMO_PATH = Path(__file__).parents[2] / "assessments/fixtures/demo_battery.json"
START = dt.date(2027, 1, 4)  # a Monday: the group's first session
BEFORE_START = dt.datetime(2026, 12, 14, 10, tzinfo=LONDON)
AFTER_END = dt.datetime(2027, 12, 1, 10, tzinfo=LONDON)

# The psychometric change calculator (POST api-psychometric-change): the worked example's norms for one scale, and
# one valid scale of a request body built on them; tests change one field at a time.
WORKED = {
    "direction": "higher_is_better",
    "norm_mean": 60,
    "norm_sd": 7.5,
    "reliability": 0.8,
    "offender_mean": 40,
    "offender_sd": 7.5,
}
SCALE = {"pre": 40, "post": 55, **WORKED}


def demo_definition() -> dict[str, Any]:
    return copy.deepcopy(json.loads(DEMO_PATH.read_text()))


def admin_of(area: ProbationArea) -> User:
    return User.objects.filter(area=area, role=Role.AREA_ADMIN).first() or UserFactory(
        role=Role.AREA_ADMIN, area=area
    )


def demo_battery(area: ProbationArea, definition: dict[str, Any] | None = None) -> BatteryVersion:
    return services.save_battery_version(actor=admin_of(area), definition=definition or demo_definition())


def several_batteries(
    area: ProbationArea, count: int, *, name: str = "Battery", versions: int = 2
) -> list[BatteryVersion]:
    """`count` batteries of `area` named `name` 00, 01, ..., each saved `versions` times (at least once) by one of
    two area administrators in turn (so the versions have different authors), the even ones with illustrative norms
    and the odd ones with the area's. Returns each battery's newest version, in the list's order (by name)."""
    admins = [admin_of(area), UserFactory(role=Role.AREA_ADMIN, area=area)]
    newest = []
    for index in range(count):
        definition = demo_definition() | {
            "code": f"{name.lower()}-{index:02d}",
            "name": f"{name} {index:02d}",
            "illustrative": index % 2 == 0,
        }
        for number in range(versions):
            version = services.save_battery_version(
                actor=admins[(index + number) % 2], definition=definition, change_note=f"Version {number + 1}"
            )
        newest.append(version)
    return newest


_SLOT_TIMES = itertools.cycle(["08:00", "10:00", "12:00", "14:00", "16:00", "18:00"])


def member(
    area: ProbationArea,
    *,
    facilitator: User | None = None,
    om: User | None = None,
    tm: User | None = None,
    start_date: dt.date = START,
) -> Membership:
    """A member of a new group (one weekly session from `start_date`) delivered by `facilitator`."""
    group = make_group(
        area,
        actor=tm,
        start_date=start_date,
        # a different slot each time, so one facilitator may deliver several test groups without a clash
        slots=[{"weekday": "monday", "start_time": next(_SLOT_TIMES)}],
        facilitators=[facilitator or trained_facilitator(area), trained_facilitator(area)],
    )
    referral = referred_before(waiting_referral(area, om), start_date)
    return session_services.allocate(actor=tm or group.treatment_manager, group=group, referral=referral)


def referred_before(referral: Referral, start_date: dt.date = START) -> Referral:
    """Referred well before the group starts (the pre-programme date may not precede the referral)."""
    Referral.objects.filter(pk=referral.pk).update(
        created_at=dt.datetime.combine(start_date - dt.timedelta(days=180), dt.time(9), tzinfo=LONDON)
    )
    referral.refresh_from_db()
    return referral


def sheet(battery: Battery, **overrides: Any) -> dict[str, Any]:
    """A score sheet with every scale at its non-offender mean (items spread to match), plus `overrides`."""
    scores: dict[str, Any] = {}
    for scale in battery.scales:
        if scale.items is None:
            scores[scale.code] = {"score": round(scale.norm_mean, 1)}
        else:
            middle = (scale.items.item_min + scale.items.item_max) // 2
            scores[scale.code] = {"items": [middle] * scale.item_count}
    scores.update(overrides)
    return scores


def problem_score(battery: Battery, code: str, *, better: bool = False) -> dict[str, float]:
    """A total well outside the normal range on the dysfunctional side (or well inside it with `better`)."""
    scale = battery.scale(code)
    sign = 1 if scale.direction == "higher_is_worse" else -1
    if better:
        sign = -sign
    value = scale.norm_mean + sign * 2.5 * scale.norm_sd
    return {"score": round(min(max(value, scale.score_min), scale.score_max), 1)}


def battery_of(version: BatteryVersion) -> Battery:
    return parse_battery(version.definition)


def complete_sessions(membership: Membership) -> Membership:
    """The member's sessions are complete. The attendance services set this status once every session is attended
    or caught up (tests/sessions covers that); here it is set directly so each test need not record 35 registers."""
    Membership.objects.filter(pk=membership.pk).update(status=MembershipStatus.SESSIONS_COMPLETE)
    membership.refresh_from_db()
    return membership
