"""A psychometric battery as configuration (domain.md §7), and scoring one scale from its items.

The battery is data: a JSON-serialisable definition that administrators edit, import and export, and that the
Django layer stores as immutable versions. `parse_battery` turns a definition into frozen dataclasses or raises
`InvalidBattery` with one message per problem, each naming the scale and the field, so an administrator can fix an
imported file. Results are always computed from the version an administration was recorded under, so a new version
never changes results already recorded.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from .change import Direction, ScaleNorms, norm_problems

ILLUSTRATIVE_NOTE = "illustrative — replace with your area's values"


class Domain(StrEnum):
    # §7: the four domains of the National Probation Service battery (Beech; Mandeville-Norden; Elliott et al.)
    PRO_OFFENDING = "pro_offending_attitudes"
    SOCIO_AFFECTIVE = "socio_affective_functioning"
    SELF_MANAGEMENT = "self_management"
    RESPONSE_BIAS = "response_bias"


DOMAIN_LABELS = {
    Domain.PRO_OFFENDING: "Pro-offending attitudes",
    Domain.SOCIO_AFFECTIVE: "Socio-affective functioning",
    Domain.SELF_MANAGEMENT: "Self-management",
    Domain.RESPONSE_BIAS: "Response bias",
}

# §2.3: the six i-SOTP treatment targets (000, 001).
TREATMENT_TARGETS: dict[int, str] = {
    1: "Increase motivation, decrease denial, reduce the discrepancy between pro-social values and behaviour",
    2: "Challenge offence-supportive attitudes and behaviours",
    3: "Build an empathic response: children in indecent images are real victims of abuse",
    4: "Reduce the use of sex as coping and emotional avoidance; build problem solving",
    5: "Develop relationship, intimacy and coping skills; improve self-esteem and internal locus of control",
    6: "Develop realistic relapse-prevention strategies and pro-social life goals (the New Life Plan)",
}
TARGET_SHORT: dict[int, str] = {
    1: "Motivation and denial",
    2: "Offence-supportive attitudes",
    3: "Victim empathy",
    4: "Sex as coping; problem solving",
    5: "Relationships, intimacy, self-esteem",
    6: "Relapse prevention and New Life Plan",
}


class InvalidBattery(ValueError):
    """The definition cannot be used: `problems` lists each one, naming the scale and the field."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class ItemKey:
    """How a scale is scored from its items: each item's range, the reverse-scored items (1-based), and the most
    missing items that may be prorated."""

    item_min: int
    item_max: int
    reverse: tuple[int, ...] = ()
    max_missing: int = 0


@dataclass(frozen=True)
class Scale:
    code: str
    name: str
    domain: Domain
    item_count: int
    score_min: float
    score_max: float
    direction: Direction
    norm_mean: float
    norm_sd: float
    reliability: float
    offender_mean: float | None = None
    offender_sd: float | None = None
    targets: tuple[int, ...] = ()
    items: ItemKey | None = None
    caution_above: float | None = None  # response-bias scales: above this, "interpret with caution" (§7)

    @property
    def norms(self) -> ScaleNorms:
        return ScaleNorms(
            direction=self.direction,
            norm_mean=self.norm_mean,
            norm_sd=self.norm_sd,
            reliability=self.reliability,
            offender_mean=self.offender_mean,
            offender_sd=self.offender_sd,
        )


@dataclass(frozen=True)
class BatteryRules:
    """The battery's configured decision rules (§7)."""

    normal_range_sd: float = 2.0  # the normal range is the non-offender mean ± this many SDs
    deviance_threshold: int | None = None  # None: half the attitude and socio-affective scales (rounded up)
    treated_max_socio_affective_problems: int = 2  # "few" socio-affective problems (Beech et al. 2012)


@dataclass(frozen=True)
class Battery:
    code: str
    name: str
    scales: tuple[Scale, ...]
    rules: BatteryRules = field(default_factory=BatteryRules)
    illustrative: bool = False
    note: str = ""

    def scale(self, code: str) -> Scale:
        for scale in self.scales:
            if scale.code == code:
                return scale
        raise KeyError(code)


SCALE_FIELDS = (
    "code",
    "name",
    "domain",
    "item_count",
    "min",
    "max",
    "direction",
    "norm_mean",
    "norm_sd",
    "reliability",
    "offender_mean",
    "offender_sd",
    "targets",
    "items",
    "caution_above",
)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


Bad = Callable[[str, str], None]


def _check_scale_fields(raw: Mapping[str, Any], bad: Bad) -> None:
    """Each field of a scale has its type: text, one of the enums, whole numbers and numbers."""
    for key in ("code", "name"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            bad(key, "enter text")
    if raw.get("domain") not in tuple(Domain):
        bad("domain", f"must be one of {', '.join(Domain)}")
    if raw.get("direction") not in tuple(Direction):
        bad("direction", f"must be one of {', '.join(Direction)}")
    if not _integer(raw.get("item_count")) or raw["item_count"] < 1:
        bad("item_count", "must be a whole number of at least 1")
    for key in ("min", "max", "norm_mean", "norm_sd", "reliability"):
        if not _number(raw.get(key)):
            bad(key, "must be a number")
    for key in ("offender_mean", "offender_sd", "caution_above"):
        if raw.get(key) is not None and not _number(raw.get(key)):
            bad(key, "must be a number or null")
    if _number(raw.get("min")) and _number(raw.get("max")) and raw["min"] >= raw["max"]:
        bad("max", "must be greater than min")


def _check_scale_norms(raw: Mapping[str, Any], bad: Bad) -> None:
    """The statistics' own rules (one copy, in .change), asked of every norm that is at least a number, so an
    import reports every problem in one round."""
    typed = {
        key: raw.get(key) if _number(raw.get(key)) else None
        for key in ("norm_mean", "norm_sd", "reliability", "offender_mean", "offender_sd")
    }
    if typed["norm_sd"] is None or typed["reliability"] is None:
        return
    norms = ScaleNorms(
        direction=Direction.HIGHER_IS_WORSE,  # checked with the fields; the norms' rules do not depend on it
        norm_mean=typed["norm_mean"] or 0.0,
        norm_sd=typed["norm_sd"],
        reliability=typed["reliability"],
        offender_mean=typed["offender_mean"] if raw.get("offender_mean") is not None else None,
        offender_sd=typed["offender_sd"] if raw.get("offender_sd") is not None else None,
    )
    for problem in norm_problems(norms):
        if raw.get(problem.field) is not None and not _number(raw.get(problem.field)):
            continue  # already named: not a number
        bad(problem.field, problem.message[0].lower() + problem.message[1:])


def _scale_targets(raw: Mapping[str, Any], bad: Bad) -> list[int]:
    targets = raw.get("targets", [])
    if not isinstance(targets, list) or any(not _integer(t) or t not in TREATMENT_TARGETS for t in targets):
        bad("targets", "must be a list of treatment targets 1 to 6")
        return []
    return targets


def _check_scale_extras(raw: Mapping[str, Any], bad: Bad) -> None:
    """A caution threshold only on a response-bias scale; no unknown fields."""
    if raw.get("caution_above") is not None and raw.get("domain") != Domain.RESPONSE_BIAS:
        bad("caution_above", "only a response-bias scale flags a profile for caution")
    for unknown in sorted(set(raw) - set(SCALE_FIELDS)):
        bad(unknown, "is not a field of a scale")


def _parse_scale(raw: Any, where: str, problems: list[str]) -> Scale | None:
    """One scale from its JSON, or None with its problems appended (`where` names it)."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: each scale must be an object")
        return None
    start = len(problems)

    def bad(field_name: str, message: str) -> None:
        problems.append(f"{where}, {field_name}: {message}")

    _check_scale_fields(raw, bad)
    _check_scale_norms(raw, bad)
    targets = _scale_targets(raw, bad)
    items = None
    if raw.get("items") is not None:
        items = _parse_items(raw["items"], raw.get("item_count"), lambda f, m: bad(f"items.{f}", m))
    _check_scale_extras(raw, bad)
    if len(problems) > start:
        return None
    return Scale(
        code=raw["code"].strip(),
        name=raw["name"].strip(),
        domain=Domain(raw["domain"]),
        item_count=raw["item_count"],
        score_min=raw["min"],
        score_max=raw["max"],
        direction=Direction(raw["direction"]),
        norm_mean=raw["norm_mean"],
        norm_sd=raw["norm_sd"],
        reliability=raw["reliability"],
        offender_mean=raw.get("offender_mean"),
        offender_sd=raw.get("offender_sd"),
        targets=tuple(sorted(set(targets))),
        items=items,
        caution_above=raw.get("caution_above"),
    )


def _parse_items(raw: Any, item_count: Any, bad: Any) -> ItemKey | None:
    if not isinstance(raw, Mapping):
        bad("min", "the item key must be an object with min, max, reverse and max_missing")
        return None
    ok = True
    for key in ("min", "max"):
        if not _integer(raw.get(key)):
            bad(key, "must be a whole number")
            ok = False
    if ok and raw["min"] >= raw["max"]:
        bad("max", "must be greater than min")
        ok = False
    reverse = raw.get("reverse", [])
    count = item_count if _integer(item_count) else 0
    if not isinstance(reverse, list) or any(not _integer(i) or not 1 <= i <= count for i in reverse):
        bad("reverse", f"must list item numbers from 1 to {count}")
        ok = False
    max_missing = raw.get("max_missing", 0)
    if not _integer(max_missing) or not 0 <= max_missing < max(count, 1):
        bad("max_missing", "must be a whole number from 0 to one less than the item count")
        ok = False
    if not ok:
        return None
    return ItemKey(
        item_min=raw["min"], item_max=raw["max"], reverse=tuple(sorted(set(reverse))), max_missing=max_missing
    )


def _parse_rules(raw_rules: Any, problems: list[str]) -> BatteryRules:
    """The battery's rules (defaults for what is left out), with their problems appended."""
    rules = BatteryRules()
    if not isinstance(raw_rules, Mapping):
        problems.append("Battery, rules: must be an object")
        return rules
    sd = raw_rules.get("normal_range_sd", rules.normal_range_sd)
    threshold = raw_rules.get("deviance_threshold")
    treated = raw_rules.get(
        "treated_max_socio_affective_problems", rules.treated_max_socio_affective_problems
    )
    if not _number(sd) or sd <= 0:
        problems.append("Battery, rules.normal_range_sd: must be a number greater than 0")
    if threshold is not None and (not _integer(threshold) or threshold < 1):
        problems.append("Battery, rules.deviance_threshold: must be a whole number of at least 1, or null")
    if not _integer(treated) or treated < 0:
        problems.append("Battery, rules.treated_max_socio_affective_problems: must be a whole number")
    if problems:
        return rules
    return BatteryRules(
        normal_range_sd=sd, deviance_threshold=threshold, treated_max_socio_affective_problems=treated
    )


def _parse_scales(raw_scales: Any, problems: list[str]) -> list[Scale]:
    """Every scale, each named by its number and code in its problems; codes are unique."""
    if not isinstance(raw_scales, list) or not raw_scales:
        problems.append("Battery, scales: list at least one scale")
        return []
    scales: list[Scale] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_scales, start=1):
        label = raw.get("code") if isinstance(raw, Mapping) and isinstance(raw.get("code"), str) else ""
        where = f"Scale {index} ({label})" if label else f"Scale {index}"
        scale = _parse_scale(raw, where, problems)
        if scale is None:
            continue
        if scale.code in seen:
            problems.append(f"{where}, code: another scale already uses {scale.code}")
        seen.add(scale.code)
        scales.append(scale)
    return scales


def parse_battery(definition: Any) -> Battery:
    """A battery from its JSON definition, or `InvalidBattery` listing every problem (scale and field named)."""
    problems: list[str] = []
    if not isinstance(definition, Mapping):
        raise InvalidBattery(["The battery must be a JSON object with code, name, rules and scales"])
    for key in ("code", "name"):
        if not isinstance(definition.get(key), str) or not definition[key].strip():
            problems.append(f"Battery, {key}: enter text")
    rules = _parse_rules(definition.get("rules") or {}, problems)
    scales = _parse_scales(definition.get("scales"), problems)
    if problems:
        raise InvalidBattery(problems)
    return Battery(
        code=definition["code"].strip(),
        name=definition["name"].strip(),
        scales=tuple(scales),
        rules=rules,
        illustrative=bool(definition.get("illustrative", False)),
        note=str(definition.get("note", "")),
    )


def battery_definition(battery: Battery) -> dict[str, Any]:
    """The JSON definition of a battery (what export writes and import reads)."""
    scales = []
    for s in battery.scales:
        scales.append(
            {
                "code": s.code,
                "name": s.name,
                "domain": s.domain.value,
                "item_count": s.item_count,
                "min": s.score_min,
                "max": s.score_max,
                "direction": s.direction.value,
                "norm_mean": s.norm_mean,
                "norm_sd": s.norm_sd,
                "reliability": s.reliability,
                "offender_mean": s.offender_mean,
                "offender_sd": s.offender_sd,
                "targets": list(s.targets),
                "items": None
                if s.items is None
                else {
                    "min": s.items.item_min,
                    "max": s.items.item_max,
                    "reverse": list(s.items.reverse),
                    "max_missing": s.items.max_missing,
                },
                "caution_above": s.caution_above,
            }
        )
    return {
        "code": battery.code,
        "name": battery.name,
        "illustrative": battery.illustrative,
        "note": battery.note,
        "rules": asdict(battery.rules),
        "scales": scales,
    }


# --- scoring ---------------------------------------------------------------------------------------------------


class ScoreRefused(ValueError):
    """A score or item responses the scale cannot accept; the message says what to change."""


@dataclass(frozen=True)
class ScaleScore:
    score: float
    prorated: bool = False
    missing_items: int = 0


def check_total(scale: Scale, score: float) -> ScaleScore:
    """A total typed in directly, within the scale's range."""
    if not scale.score_min <= score <= scale.score_max:
        raise ScoreRefused(
            f"Enter a score for {scale.name} from {_fmt(scale.score_min)} to {_fmt(scale.score_max)}"
        )
    return ScaleScore(score=float(score))


def score_items(scale: Scale, responses: Sequence[int | None]) -> ScaleScore:
    """The scale score from its item responses: reverse-scored items turned round, and up to `max_missing` missing
    items prorated (the mean of the answered items stands in for each missing one); beyond that, refused."""
    key = scale.items
    if key is None:
        raise ScoreRefused(f"{scale.name} is scored as a total, not item by item")
    if len(responses) != scale.item_count:
        raise ScoreRefused(
            f"Give {scale.item_count} item responses for {scale.name} (leave missing ones blank)"
        )
    answered: list[int] = []
    for number, value in enumerate(responses, start=1):
        if value is None:
            continue
        if not key.item_min <= value <= key.item_max:
            raise ScoreRefused(f"Item {number} of {scale.name} must be from {key.item_min} to {key.item_max}")
        answered.append(key.item_min + key.item_max - value if number in key.reverse else value)
    missing = scale.item_count - len(answered)
    if missing > key.max_missing:
        raise ScoreRefused(
            f"{scale.name} has {missing} missing items: at most {key.max_missing} may be prorated, "
            "so this scale cannot be scored"
        )
    total = float(sum(answered))
    if missing:
        total = round(total * scale.item_count / len(answered), 2)
    return ScaleScore(score=total, prorated=missing > 0, missing_items=missing)


def _fmt(value: float) -> str:
    return f"{value:g}"
