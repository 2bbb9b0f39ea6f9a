"""The whole result of a member's battery (domain.md §7), composed from the other rules: each scale against its
normal range, problem flags, the change per scale, deviance, the treated profile, the caution flag and the
treatment needs. Plain values in (a parsed battery and scores by scale code), plain dataclasses out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .battery import DOMAIN_LABELS, Battery
from .change import CLASSIFICATION_LABELS, CUTOFF_LABELS, Change, change
from .profile import (
    Caution,
    Deviance,
    NormalRange,
    TreatedProfile,
    TreatmentNeed,
    caution,
    deviance,
    is_problem,
    normal_range,
    treated_profile,
    treatment_needs,
)


@dataclass(frozen=True)
class ScaleChange:
    rci: float
    reliable: bool
    reliable_threshold: float
    cutoff_used: str
    cutoff_label: str
    cutoff: float
    cutoff_a: float | None
    cutoff_b: float
    cutoff_c: float | None
    crossed: bool
    classification: str
    classification_label: str
    code: str
    reason: str


@dataclass(frozen=True)
class ScaleResult:
    code: str
    name: str
    domain: str
    domain_label: str
    direction: str
    score_min: float
    score_max: float
    norm_mean: float
    norm_sd: float
    reliability: float
    offender_mean: float | None
    offender_sd: float | None
    normal_range: NormalRange
    pre: float | None
    post: float | None
    pre_problem: bool
    post_problem: bool
    change: ScaleChange | None


@dataclass(frozen=True)
class ProfileResults:
    scales: tuple[ScaleResult, ...]
    deviance: Deviance | None
    treated_profile: TreatedProfile | None
    pre_caution: Caution | None
    post_caution: Caution | None
    treatment_needs: tuple[TreatmentNeed, ...]
    classification_counts: dict[str, int]


def _scale_change(found: Change) -> ScaleChange:
    return ScaleChange(
        rci=found.rci,
        reliable=found.reliable,
        reliable_threshold=found.reliable_threshold,
        cutoff_used=found.cutoff_kind.value,
        cutoff_label=CUTOFF_LABELS[found.cutoff_kind],
        cutoff=found.cutoff,
        cutoff_a=found.cutoffs.a,
        cutoff_b=found.cutoffs.b,
        cutoff_c=found.cutoffs.c,
        crossed=found.crossed,
        classification=found.classification.value,
        classification_label=CLASSIFICATION_LABELS[found.classification],
        code=found.code,
        reason=found.reason,
    )


def change_classifications(
    battery: Battery, pre: Mapping[str, float] | None, post: Mapping[str, float] | None
) -> dict[str, str]:
    """Scale code -> the classification of its pre-post change, for the scales measured both times (response-bias
    scales have none): what `profile_results` says of each scale's change, without the rest of the profile (the
    statistics classify every completer's scales; issue 11)."""
    out: dict[str, str] = {}
    for scale in battery.scales:
        before = pre.get(scale.code) if pre else None
        after = post.get(scale.code) if post else None
        if before is not None and after is not None and scale.domain.value != "response_bias":
            out[scale.code] = change(before, after, scale.norms).classification.value
    return out


def profile_results(
    battery: Battery, pre: Mapping[str, float] | None, post: Mapping[str, float] | None
) -> ProfileResults:
    """Everything §7 says about a member's pre (and, once recorded, post) scores under `battery`."""
    width = battery.rules.normal_range_sd
    rows: list[ScaleResult] = []
    counts: dict[str, int] = {}
    for scale in battery.scales:
        before = pre.get(scale.code) if pre else None
        after = post.get(scale.code) if post else None
        moved = None
        # Response-bias scales measure how the man answered, not a need: no change statistics for them.
        if before is not None and after is not None and scale.domain.value != "response_bias":
            moved = _scale_change(change(before, after, scale.norms))
            counts[moved.classification] = counts.get(moved.classification, 0) + 1
        rows.append(
            ScaleResult(
                code=scale.code,
                name=scale.name,
                domain=scale.domain.value,
                domain_label=DOMAIN_LABELS[scale.domain],
                direction=scale.direction.value,
                score_min=scale.score_min,
                score_max=scale.score_max,
                norm_mean=scale.norm_mean,
                norm_sd=scale.norm_sd,
                reliability=scale.reliability,
                offender_mean=scale.offender_mean,
                offender_sd=scale.offender_sd,
                normal_range=normal_range(scale, width),
                pre=before,
                post=after,
                pre_problem=before is not None and is_problem(scale, before, width),
                post_problem=after is not None and is_problem(scale, after, width),
                change=moved,
            )
        )
    return ProfileResults(
        scales=tuple(rows),
        deviance=deviance(battery, pre) if pre else None,
        treated_profile=treated_profile(battery, post) if post else None,
        pre_caution=caution(battery, pre) if pre else None,
        post_caution=caution(battery, post) if post else None,
        treatment_needs=treatment_needs(battery, pre) if pre else (),
        classification_counts=counts,
    )
