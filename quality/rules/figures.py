"""The arithmetic every statistic uses: rates, medians, the Wilson interval and small-cell suppression.

Pure: no Django, plain numbers in and out. Sources:
- Wilson (1927) score interval for a binomial proportion, the interval MoJ's proven reoffending statistics publish;
  z = 1.959964 for 95%.
- MoJ statistics suppress small cells: a figure based on fewer than 10 people is not shown (issue 14, seed 000's
  national QA context), so that no person can be recognised and no rate is read from a handful of cases.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054
# Issue 14 / MoJ proven reoffending statistics: cells under 10 people are suppressed.
SUPPRESS_BELOW = 10
SUPPRESSED = "Fewer than 10 people: not shown"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, n: int, z: float = Z_95) -> Interval | None:
    """Wilson score interval for `successes` out of `n` (None when n is 0). Always within [0, 1]."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("successes must be between 0 and n")
    if n == 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Exact at the ends (0 of n starts at 0, n of n ends at 1) and never past the observed rate, whatever the
    # floating-point rounding of centre ± half.
    low = 0.0 if successes == 0 else min(p, max(0.0, centre - half))
    high = 1.0 if successes == n else max(p, min(1.0, centre + half))
    return Interval(low=low, high=high)


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when nothing could be counted."""
    return numerator / denominator if denominator else None


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the middle two for an even count), or None for no values."""
    return statistics.median(values) if values else None


def suppressed(n: int) -> bool:
    """MoJ practice: a figure about fewer than 10 people is not shown."""
    return n < SUPPRESS_BELOW


def count_suppressed(n: int) -> bool:
    """# MoJ statistics' small-cell suppression (issue 14): a count of 1 to 9 people is not shown; 0 is shown, as
    it singles no one out. Tester of issue 14, finding A: 'Starts 1' and 'Deselected 1' were shown in full."""
    return 0 < n < SUPPRESS_BELOW


def derived_suppressed(people: int) -> bool:
    """# MoJ statistics' small-cell suppression (issue 14): a median or a rate worked out from fewer than 10 people
    (including none) is not shown, as it would be one man's (or a handful of men's) own figure."""
    return people < SUPPRESS_BELOW


@dataclass(frozen=True)
class Proportion:
    """A share of people with its interval, or suppressed (then `value` and `interval` are None)."""

    count: int | None
    n: int
    value: float | None
    interval: Interval | None
    suppressed: bool

    @property
    def note(self) -> str:
        return SUPPRESSED if self.suppressed else ""


def proportion(count: int, n: int, *, suppress: bool = True) -> Proportion:
    """`count` of `n` people as a share with its Wilson 95% interval; suppressed under 10 people when asked."""
    if suppress and suppressed(n):
        return Proportion(count=None, n=n, value=None, interval=None, suppressed=True)
    return Proportion(
        count=count, n=n, value=rate(count, n), interval=wilson_interval(count, n), suppressed=False
    )


def percent(value: float | None, places: int = 1) -> str:
    """0.1234 -> '12.3%'; None -> '—'."""
    if value is None:
        return "—"
    return f"{value * 100:.{places}f}%"
