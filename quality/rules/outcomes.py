"""Observed proven reoffending beside the rate OGRS3 predicted, per cohort (issue 14; domain.md §4.1).

Pure. A cohort is the people whose place ended in the period: completers (PC 09/2007) and non-completers. For a
follow-up of one or two years, only people followed up for the whole window are "at risk" (their place ended at
least that long before today); of those, the observed rate is the share with a proven reoffence (the offence date)
inside the window, shown with its Wilson 95% interval, beside the mean of their 1- or 2-year OGRS3 probability
(domain.md §4.1: OGRS3 predicts any proven reoffending within one and two years). Sexual reoffending is shown
beside it, with the cohort's RM2000/S mix (no OGRS3-like probability exists for it here). A cohort of fewer than
10 people at risk is suppressed, as in MoJ statistics.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from quality.rules.figures import Proportion, proportion, suppressed

COHORTS = {"completers": "Completers", "non_completers": "Non-completers"}
WINDOWS = (1, 2)
RM2000_ORDER = ("low", "medium", "high", "very_high", "unknown")


@dataclass(frozen=True)
class Reoffence:
    offence_on: dt.date
    sexual: bool


@dataclass(frozen=True)
class CohortMember:
    cohort: str  # a key of COHORTS
    ended_on: dt.date
    ogrs3_one_year: float | None = None  # probability 0..1
    ogrs3_two_year: float | None = None
    rm2000_s: str = "unknown"
    reoffences: Sequence[Reoffence] = field(default_factory=tuple)


def window_end(ended_on: dt.date, years: int) -> dt.date:
    """The last day of a follow-up of `years` years (29 February falls back to 28 February)."""
    try:
        return ended_on.replace(year=ended_on.year + years)
    except ValueError:
        return ended_on.replace(year=ended_on.year + years, day=28)


@dataclass(frozen=True)
class CohortOutcome:
    cohort: str
    years: int
    people: int  # in the cohort
    at_risk: int  # followed up for the whole window
    observed: Proportion  # any proven reoffence
    sexual: Proportion  # a proven sexual reoffence
    predicted: float | None  # mean OGRS3 probability of those at risk with a score
    scored: int  # of those at risk, how many had an OGRS3 score
    rm2000_mix: dict[str, float] | None  # share per RM2000/S category, None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.observed.suppressed


def cohort_outcome(
    members: Sequence[CohortMember], *, cohort: str, years: int, today: dt.date
) -> CohortOutcome:
    """One cohort's observed 1- or 2-year proven reoffending, predicted rate, interval and mix."""
    people = [m for m in members if m.cohort == cohort]
    at_risk = [m for m in people if window_end(m.ended_on, years) <= today]

    def reoffended(m: CohortMember, *, sexual_only: bool) -> bool:
        end = window_end(m.ended_on, years)
        return any(m.ended_on < r.offence_on <= end and (r.sexual or not sexual_only) for r in m.reoffences)

    scores = [s for m in at_risk if (s := (m.ogrs3_one_year if years == 1 else m.ogrs3_two_year)) is not None]
    hide = suppressed(len(at_risk))
    mix: dict[str, float] | None = None
    if not hide:
        counts = Counter(m.rm2000_s or "unknown" for m in at_risk)
        mix = {k: counts[k] / len(at_risk) for k in RM2000_ORDER if counts[k]}
    return CohortOutcome(
        cohort=cohort,
        years=years,
        people=len(people),
        at_risk=len(at_risk),
        observed=proportion(sum(reoffended(m, sexual_only=False) for m in at_risk), len(at_risk)),
        sexual=proportion(sum(reoffended(m, sexual_only=True) for m in at_risk), len(at_risk)),
        predicted=None if hide or not scores else sum(scores) / len(scores),
        scored=len(scores),
        rm2000_mix=mix,
    )


def outcomes(members: Sequence[CohortMember], *, today: dt.date) -> list[CohortOutcome]:
    """Every cohort × follow-up window, completers first."""
    return [cohort_outcome(members, cohort=c, years=y, today=today) for c in COHORTS for y in WINDOWS]
