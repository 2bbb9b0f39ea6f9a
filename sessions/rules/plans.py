"""One-to-one plans, age bands and group capacity: pure rules with rule codes and plain-English messages.

The one-to-one rule follows domain.md §2.2: the sources disagree (the module ranges in 000 add to 28-36 sessions,
the total is 20-30), so the total is the hard rule and a module outside its range only needs a recorded rationale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """A rule outcome: ``code`` for machines (e.g. ``GROUP_FULL``), ``message`` for people."""

    code: str
    message: str
    module: int | None = None  # the module it is about, so a form can mark that module's field


@dataclass(frozen=True)
class PlanCheck:
    """``errors`` block the plan; ``needs_rationale`` lists departures a treatment manager must justify."""

    errors: tuple[Issue, ...]
    needs_rationale: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _range_text(low: int, high: int) -> str:
    return f"{low} session{'s' if low != 1 else ''}" if low == high else f"{low} to {high} sessions"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g} hours"


def validate_one_to_one_plan(sessions_per_module: Mapping[int, int], entry: Mapping[str, Any]) -> PlanCheck:
    """Check a one-to-one plan (module number -> sessions) against its catalogue entry."""
    errors: list[Issue] = []
    rationale: list[Issue] = []
    modules = {m["number"]: m for m in entry["modules"]}
    for number in sorted(set(sessions_per_module) - set(modules)):
        errors.append(Issue("UNKNOWN_MODULE", f"There is no module {number} in {entry['name']}."))
    for number, module in modules.items():
        count = sessions_per_module.get(number, 0)
        name = f"Module {number} ({module['title']})"
        if count < 0:
            errors.append(
                Issue("NEGATIVE_SESSIONS", f"{name} cannot have a negative number of sessions.", number)
            )
        elif count == 0:
            # domain.md §2.2 / 000: every module is part of the one-to-one format.
            errors.append(
                Issue("MODULE_MISSING", f"{name} has no sessions: every module must be delivered.", number)
            )
        else:
            low = module.get("sessions_min", module.get("sessions"))
            high = module.get("sessions_max", module.get("sessions"))
            if not low <= count <= high:
                # domain.md §2.2: module ranges are guidance; a departure needs a TM rationale.
                rationale.append(
                    Issue(
                        "MODULE_OUTSIDE_RANGE",
                        f"{name} has {count} session{'s' if count != 1 else ''}, outside the guidance of "
                        f"{_range_text(low, high)}: the treatment manager must record a rationale.",
                        number,
                    )
                )
    total = sum(sessions_per_module.values())
    low, high = entry["sessions_min"], entry["sessions_max"]
    if not low <= total <= high:
        # 000: 20 to 30 sessions of 90 minutes, up to 45 hours — the hard rule (domain.md §2.2).
        errors.append(
            Issue(
                "TOTAL_OUT_OF_RANGE",
                f"The plan has {total} sessions: a one-to-one plan must have {low} to {high} sessions "
                f"(at most {_hours(high * entry['session_minutes'])}).",
            )
        )
    return PlanCheck(errors=tuple(errors), needs_rationale=tuple(rationale))


def check_age_band(age: int, band_min: int, band_max: int | None) -> Issue | None:
    """UNDER_AGE or OVER_AGE when ``age`` is outside the band (both ends inclusive; no top when ``band_max`` is None).

    000: the group format is for men aged 21 and over, the one-to-one from 17; 003: groups may be formed by age
    band (17-21, 21+). The code UNDER_AGE matches the eligibility rule of domain.md §3.
    """
    if age < band_min:
        upper = "and over" if band_max is None else f"to {band_max}"
        return Issue("UNDER_AGE", f"Aged {age}: this is for people aged {band_min} {upper}.")
    if band_max is not None and age > band_max:
        return Issue("OVER_AGE", f"Aged {age}: this is for people aged {band_min} to {band_max}.")
    return None


def check_capacity(current_members: int, group_max: int) -> Issue | None:
    """GROUP_FULL when one more member would pass the group's maximum (000: never more than 10 for i-SOTP).

    A pure check: the service that allocates must hold a row lock so that two allocations cannot both pass it
    (domain.md §5).
    """
    if current_members >= group_max:
        return Issue(
            "GROUP_FULL",
            f"The group is full: it has {current_members} members and takes at most {group_max}.",
        )
    return None
