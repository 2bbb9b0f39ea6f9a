"""A profile of scale scores against the norms (domain.md §7): the normal range, problem scales, deviance,
the treated profile, the social-desirability caution and the treatment needs (§2.3).

Decisions where the sources are silent (each is configuration where §7 says so):
- The normal range is the non-offender mean ± `normal_range_sd` SDs (2 by default, the same distance as cut-off b),
  clipped to the scale's range. A scale is a problem when the score lies beyond it on the dysfunctional side; a
  score better than the normal range is not a treatment need.
- Deviance counts problems among the pro-offending-attitude and socio-affective scales only (§7); the default
  threshold is half of those scales, rounded up, and the page says it is the configured rule.
- Response-bias scales are never problems, never deviance and never needs: they only flag "interpret with caution".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .battery import TARGET_SHORT, TREATMENT_TARGETS, Battery, Domain, Scale
from .change import Direction

DEVIANCE_DOMAINS = (Domain.PRO_OFFENDING, Domain.SOCIO_AFFECTIVE)  # §7


@dataclass(frozen=True)
class NormalRange:
    low: float
    high: float


def normal_range(scale: Scale, width_sd: float) -> NormalRange:
    low = max(scale.score_min, scale.norm_mean - width_sd * scale.norm_sd)
    high = min(scale.score_max, scale.norm_mean + width_sd * scale.norm_sd)
    return NormalRange(low=low, high=high)


def is_problem(scale: Scale, score: float, width_sd: float) -> bool:
    """§7: a scale is a problem when the score is outside the normal range (on its dysfunctional side)."""
    if scale.domain == Domain.RESPONSE_BIAS:
        return False
    band = normal_range(scale, width_sd)
    return score > band.high if scale.direction == Direction.HIGHER_IS_WORSE else score < band.low


def deviance_threshold(battery: Battery) -> int:
    """The configured threshold, or half of the attitude and socio-affective scales (rounded up)."""
    if battery.rules.deviance_threshold is not None:
        return battery.rules.deviance_threshold
    counted = sum(1 for s in battery.scales if s.domain in DEVIANCE_DOMAINS)
    return max(1, math.ceil(counted / 2))


@dataclass(frozen=True)
class Deviance:
    level: str  # "low" | "high"
    problem_count: int
    threshold: int
    counted_scales: int
    problem_scales: tuple[str, ...]
    threshold_configured: bool
    code: str
    reason: str


def deviance(battery: Battery, scores: Mapping[str, float]) -> Deviance:
    """§7: high deviance when the problem scales among pro-offending attitudes and socio-affective functioning
    reach the configured threshold."""
    width = battery.rules.normal_range_sd
    counted = [s for s in battery.scales if s.domain in DEVIANCE_DOMAINS and s.code in scores]
    problems = tuple(s.code for s in counted if is_problem(s, scores[s.code], width))
    threshold = deviance_threshold(battery)
    configured = battery.rules.deviance_threshold is not None
    rule = (
        f"the configured threshold of {threshold}"
        if configured
        else f"the default threshold of {threshold} (half of the {len(counted)} scales, rounded up)"
    )
    if len(problems) >= threshold:
        level, code = "high", "DEVIANCE_HIGH"
        reason = (
            f"{len(problems)} of the {len(counted)} pro-offending attitude and socio-affective scales are outside "
            f"the normal range, reaching {rule}."
        )
    else:
        level, code = "low", "DEVIANCE_LOW"
        reason = (
            f"{len(problems)} of the {len(counted)} pro-offending attitude and socio-affective scales are outside "
            f"the normal range, below {rule}."
        )
    return Deviance(
        level=level,
        problem_count=len(problems),
        threshold=threshold,
        counted_scales=len(counted),
        problem_scales=problems,
        threshold_configured=configured,
        code=code,
        reason=reason,
    )


@dataclass(frozen=True)
class TreatedProfile:
    treated: bool
    offence_specific_problems: tuple[str, ...]
    socio_affective_problems: tuple[str, ...]
    allowed_socio_affective: int
    code: str
    reason: str


def treated_profile(battery: Battery, scores: Mapping[str, float]) -> TreatedProfile:
    """§7 (Beech, Mandeville-Norden & Goodwill 2012): after the programme, no offence-specific problems and no more
    than the configured number of socio-affective problems."""
    width = battery.rules.normal_range_sd
    offence = tuple(
        s.code
        for s in battery.scales
        if s.domain == Domain.PRO_OFFENDING and s.code in scores and is_problem(s, scores[s.code], width)
    )
    socio = tuple(
        s.code
        for s in battery.scales
        if s.domain == Domain.SOCIO_AFFECTIVE and s.code in scores and is_problem(s, scores[s.code], width)
    )
    allowed = battery.rules.treated_max_socio_affective_problems
    treated = not offence and len(socio) <= allowed
    if treated:
        code = "TREATED_PROFILE"
        reason = (
            f"No offence-specific problem scales and {len(socio)} socio-affective problem scales "
            f"(at most {allowed} allowed)."
        )
    else:
        code = "NOT_TREATED_PROFILE"
        parts = []
        if offence:
            parts.append(f"{len(offence)} offence-specific problem scales remain")
        if len(socio) > allowed:
            parts.append(f"{len(socio)} socio-affective problem scales remain (at most {allowed} allowed)")
        reason = "; ".join(parts).capitalize() + "."
    return TreatedProfile(
        treated=treated,
        offence_specific_problems=offence,
        socio_affective_problems=socio,
        allowed_socio_affective=allowed,
        code=code,
        reason=reason,
    )


@dataclass(frozen=True)
class Caution:
    flagged: bool
    scales: tuple[str, ...]
    reason: str


def caution(battery: Battery, scores: Mapping[str, float]) -> Caution:
    """§7: a social-desirability score above its threshold flags the profile "interpret with caution"."""
    flagged = tuple(
        s.code
        for s in battery.scales
        if s.caution_above is not None and s.code in scores and scores[s.code] > s.caution_above
    )
    if not flagged:
        return Caution(False, (), "")
    names = ", ".join(battery.scale(code).name for code in flagged)
    return Caution(
        True,
        flagged,
        f"Interpret with caution: {names} is above its threshold, so the answers may present too good a picture.",
    )


@dataclass(frozen=True)
class TreatmentNeed:
    target: int
    title: str
    short: str
    scales: tuple[str, ...]  # the pre-programme problem scales that indicate it


def treatment_needs(battery: Battery, scores: Mapping[str, float]) -> tuple[TreatmentNeed, ...]:
    """001 (the exercises focus on each man's needs): the treatment targets (§2.3) that the pre-programme problem
    scales bear on, in target order, each with the scales that indicate it."""
    width = battery.rules.normal_range_sd
    by_target: dict[int, list[str]] = {}
    for scale in battery.scales:
        if scale.code in scores and is_problem(scale, scores[scale.code], width):
            for target in scale.targets:
                by_target.setdefault(target, []).append(scale.code)
    return tuple(
        TreatmentNeed(target=t, title=TREATMENT_TARGETS[t], short=TARGET_SHORT[t], scales=tuple(by_target[t]))
        for t in sorted(by_target)
    )
