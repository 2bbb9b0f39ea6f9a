"""Reliable change and clinical significance per scale (domain.md §7; Jacobson & Truax 1991).

Pure rules: plain numbers in, plain values out. The worked check of §7 is the test of this module:
M_off 40, SD 7.5; M_norm 60, SD 7.5 → c = 50, a = 55, b = 45; r = .80 → SE 3.354, S_diff 4.743, and a change of
more than 9.30 points is reliable.

Decisions where the sources are silent:
- A score exactly on the cut-off has not crossed it (crossing means ending strictly on the functional side).
- "Recovered" needs the pre score on the dysfunctional side of the cut-off (or on it): a man who started in the
  functional range and improved reliably has "improved", he cannot recover from where he never was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

RELIABLE_Z = 1.96  # §7: reliable change when |RCI| > 1.96 (p < .05, Jacobson & Truax 1991)
# A change that lands on ±1.96 up to floating-point noise is on the threshold, not beyond it.
_TOLERANCE = 1e-9


class Direction(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"
    HIGHER_IS_BETTER = "higher_is_better"


class Classification(StrEnum):
    RECOVERED = "recovered"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"


CLASSIFICATION_LABELS = {
    Classification.RECOVERED: "Recovered",
    Classification.IMPROVED: "Improved",
    Classification.UNCHANGED: "Unchanged",
    Classification.DETERIORATED: "Deteriorated",
}


class CutoffKind(StrEnum):
    A = "a"
    B = "b"
    C = "c"


CUTOFF_LABELS = {
    CutoffKind.A: "a: 2 SD beyond the offender mean, towards the functional range",
    CutoffKind.B: "b: 2 SD beyond the non-offender mean, towards the dysfunctional range",
    CutoffKind.C: "c: between the offender and non-offender means, weighted by their SDs",
}


class InvalidScaleInput(ValueError):
    """A value the statistics cannot use: `field` names it (reliability outside 0-1, an SD that is not > 0)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ScaleNorms:
    """What the change statistics need to know about one scale."""

    direction: Direction
    norm_mean: float
    norm_sd: float
    reliability: float
    offender_mean: float | None = None
    offender_sd: float | None = None

    @property
    def has_offender_norms(self) -> bool:
        return self.offender_mean is not None and self.offender_sd is not None


# An SD this small makes the RCI of any change too large to write down (1e-300 gave infinity): a typing error.
MIN_SD = 1e-6


def _sd_problem(field: str, who: str, value: float) -> InvalidScaleInput | None:
    if not value > 0:
        return InvalidScaleInput(field, f"Enter {who} SD greater than 0")
    if value < MIN_SD:
        return InvalidScaleInput(field, f"Enter {who} SD of at least {MIN_SD:g}")
    return None


def norm_problems(norms: ScaleNorms) -> list[InvalidScaleInput]:
    """Every value the statistics cannot use, each naming its field (the one copy of these rules: the battery
    import and the change API both ask it)."""
    problems: list[InvalidScaleInput] = []
    if norms.direction not in tuple(Direction):
        problems.append(InvalidScaleInput("direction", "Choose higher_is_worse or higher_is_better"))
    # A reliability of 1 means no measurement error: S_diff is 0 and the RCI undefined.
    if not 0 <= norms.reliability < 1:
        problems.append(
            InvalidScaleInput("reliability", "Enter a reliability from 0 up to, but not including, 1")
        )
    norm_sd = _sd_problem("norm_sd", "a non-offender", norms.norm_sd)
    if norm_sd is not None:
        problems.append(norm_sd)
    if (norms.offender_mean is None) != (norms.offender_sd is None):
        field = "offender_sd" if norms.offender_sd is None else "offender_mean"
        problems.append(InvalidScaleInput(field, "Give both the offender mean and SD, or neither"))
    if norms.offender_sd is not None:
        offender_sd = _sd_problem("offender_sd", "an offender", norms.offender_sd)
        if offender_sd is not None:
            problems.append(offender_sd)
    return problems


def check_norms(norms: ScaleNorms) -> None:
    """Refuse values the statistics cannot use, naming the field (the first of `norm_problems`)."""
    problems = norm_problems(norms)
    if problems:
        raise problems[0]


def standard_error(norm_sd: float, reliability: float) -> float:
    # §7: SE = SD · √(1 − r), SD the non-offender norm SD (always configured; offender norms are optional).
    return norm_sd * math.sqrt(1 - reliability)


def s_diff(norm_sd: float, reliability: float) -> float:
    # §7: S_diff = √(2 · SE²)
    return math.sqrt(2 * standard_error(norm_sd, reliability) ** 2)


def reliable_change_threshold(norm_sd: float, reliability: float) -> float:
    """The smallest change in points that is reliable (1.96 · S_diff); 9.30 in the worked check."""
    return RELIABLE_Z * s_diff(norm_sd, reliability)


def rci(pre: float, post: float, norm_sd: float, reliability: float) -> float:
    """§7: RCI = (post − pre) / S_diff. A perfectly reliable scale (r = 1) makes any change infinitely reliable."""
    spread = s_diff(norm_sd, reliability)
    if spread == 0:
        return 0.0 if post == pre else math.copysign(math.inf, post - pre)
    return (post - pre) / spread


def is_reliable(value: float) -> bool:
    """§7: reliable change if |RCI| > 1.96 (strictly beyond it)."""
    return abs(value) - RELIABLE_Z > _TOLERANCE


def _better_sign(direction: Direction) -> int:
    """+1 when a rise is an improvement, −1 when a fall is."""
    return 1 if direction == Direction.HIGHER_IS_BETTER else -1


@dataclass(frozen=True)
class Cutoffs:
    a: float | None
    b: float
    c: float | None

    def chosen(self) -> tuple[CutoffKind, float]:
        # §7: use c when offender norms exist, else b.
        if self.c is not None:
            return CutoffKind.C, self.c
        return CutoffKind.B, self.b


def cutoffs(norms: ScaleNorms) -> Cutoffs:
    """Cut-offs a, b and c of §7, each on the side the scale's direction makes functional."""
    sign = _better_sign(norms.direction)
    # b: 2 SD from the non-offender mean towards the dysfunctional side.
    b = norms.norm_mean - sign * 2 * norms.norm_sd
    a = c = None
    if norms.offender_mean is not None and norms.offender_sd is not None:
        # a: 2 SD from the offender mean towards the functional side.
        a = norms.offender_mean + sign * 2 * norms.offender_sd
        # c = (SD_off · M_norm + SD_norm · M_off) / (SD_off + SD_norm)
        c = (norms.offender_sd * norms.norm_mean + norms.norm_sd * norms.offender_mean) / (
            norms.offender_sd + norms.norm_sd
        )
    return Cutoffs(a=a, b=b, c=c)


def is_functional(score: float, cutoff: float, direction: Direction) -> bool:
    """Strictly on the functional side of the cut-off (a score on the cut-off has not crossed it)."""
    return score > cutoff if direction == Direction.HIGHER_IS_BETTER else score < cutoff


@dataclass(frozen=True)
class Change:
    """The change on one scale, with its working and a plain-English reason."""

    pre: float
    post: float
    rci: float
    reliable: bool
    reliable_threshold: float
    cutoff_kind: CutoffKind
    cutoff: float
    cutoffs: Cutoffs
    crossed: bool
    classification: Classification
    code: str
    reason: str


def change(pre: float, post: float, norms: ScaleNorms) -> Change:
    """Classify the change from `pre` to `post` (§7): recovered, improved, unchanged or deteriorated."""
    check_norms(norms)
    value = rci(pre, post, norms.norm_sd, norms.reliability)
    reliable = is_reliable(value)
    all_cutoffs = cutoffs(norms)
    kind, cut = all_cutoffs.chosen()
    improving = (post - pre) * _better_sign(norms.direction) > 0
    crossed = not is_functional(pre, cut, norms.direction) and is_functional(post, cut, norms.direction)
    threshold = reliable_change_threshold(norms.norm_sd, norms.reliability)
    if not reliable:
        verdict, code = Classification.UNCHANGED, "CHANGE_NOT_RELIABLE"
        reason = (
            f"The change of {post - pre:+.2f} points is within the {threshold:.2f} points a score may vary by "
            f"chance (RCI {value:.2f}, not beyond ±{RELIABLE_Z})."
        )
    elif not improving:
        verdict, code = Classification.DETERIORATED, "RELIABLE_DETERIORATION"
        reason = f"A reliable change in the wrong direction (RCI {value:.2f})."
    elif crossed:
        verdict, code = Classification.RECOVERED, "RECOVERED"
        reason = (
            f"A reliable improvement (RCI {value:.2f}) that crossed cut-off {kind.value} ({cut:.2f}) "
            "into the functional range."
        )
    else:
        verdict, code = Classification.IMPROVED, "RELIABLE_IMPROVEMENT"
        reason = (
            f"A reliable improvement (RCI {value:.2f}) that did not cross cut-off {kind.value} ({cut:.2f})."
        )
    return Change(
        pre=pre,
        post=post,
        rci=value,
        reliable=reliable,
        reliable_threshold=threshold,
        cutoff_kind=kind,
        cutoff=cut,
        cutoffs=all_cutoffs,
        crossed=crossed,
        classification=verdict,
        code=code,
        reason=reason,
    )
