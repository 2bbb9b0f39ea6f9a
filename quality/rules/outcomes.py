"""Observed proven reoffending beside the rate OGRS3 predicted, per cohort (issue 14; domain.md §4.1).

Pure. A cohort is the people whose place ended in the period: completers (PC 09/2007) and non-completers. For a
follow-up of one or two years, only people followed up for the whole window are "at risk" (their place ended at
least that long before today); of those, the observed rate is the share with a proven reoffence (the offence date)
inside the window, shown with its Wilson 95% interval, beside the mean of their 1- or 2-year OGRS3 probability
(domain.md §4.1: OGRS3 predicts any proven reoffending within one and two years). Sexual reoffending is shown
beside it, with the cohort's RM2000/S mix (no OGRS3-like probability exists for it here). A cohort of fewer than
10 people at risk is suppressed, as in MoJ statistics.

Disclosure control (reviews of issue 14): suppression alone is beaten by differencing, so (1) outcomes are reported
for one fixed cohort only: the people whose place ended in one whole calendar year (`cohort_year`: the year of the
end date asked for), the way MoJ proven reoffending statistics publish by annual cohort. Two requests therefore give
either the same cohort or two cohorts with nobody in common, never overlapping ranges whose difference is one person
(quarters were not enough: 2020-01-01..Q2 minus 2020-01-01..Q1 singled out one man); (2) a suppressed cell blanks
its counts of people and of people at risk too, not only the rates; (3) when a filter selects a subset (a programme), a cell is also suppressed when the
complementary subset (everyone in scope minus this subset) has 1 to 9 people at risk (secondary suppression), so
"all minus this programme" cannot reveal a small group.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from quality.rules.figures import Proportion, proportion, suppressed
from quality.rules.programme import Period

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


def cohort_year(period: Period) -> Period:
    """The fixed, non-overlapping outcomes cohort for a requested period: the whole calendar year of its end date.

    # MoJ Proven reoffending statistics (guide, "cohort"): offenders are grouped into fixed annual cohorts and
    # published per cohort, never for arbitrary ranges. Any two answers are the same cohort or disjoint cohorts, so
    # no subtraction of one answer from another isolates a person (reviews of issue 14)."""
    year = period.end.year
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


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


def _at_risk(members: Sequence[CohortMember], *, cohort: str, years: int, today: dt.date) -> int:
    return sum(1 for m in members if m.cohort == cohort and window_end(m.ended_on, years) <= today)


def _shown(p: Proportion, hide: bool) -> Proportion:
    return Proportion(count=None, n=p.n, value=None, interval=None, suppressed=True) if hide else p


def cohort_outcome(
    members: Sequence[CohortMember],
    *,
    cohort: str,
    years: int,
    today: dt.date,
    complement_at_risk: int = 0,
) -> CohortOutcome:
    """One cohort's observed 1- or 2-year proven reoffending, predicted rate, interval and mix. Suppressed under 10
    at risk, and also when the complementary subset has 1 to 9 at risk (secondary suppression)."""
    people = [m for m in members if m.cohort == cohort]
    at_risk = [m for m in people if window_end(m.ended_on, years) <= today]

    def reoffended(m: CohortMember, *, sexual_only: bool) -> bool:
        end = window_end(m.ended_on, years)
        return any(m.ended_on < r.offence_on <= end and (r.sexual or not sexual_only) for r in m.reoffences)

    scores = [s for m in at_risk if (s := (m.ogrs3_one_year if years == 1 else m.ogrs3_two_year)) is not None]
    secondary = complement_at_risk > 0 and suppressed(complement_at_risk)
    hide = suppressed(len(at_risk)) or secondary
    mix: dict[str, float] | None = None
    if not hide:
        counts = Counter(m.rm2000_s or "unknown" for m in at_risk)
        mix = {k: counts[k] / len(at_risk) for k in RM2000_ORDER if counts[k]}
    return CohortOutcome(
        cohort=cohort,
        years=years,
        people=len(people),
        at_risk=len(at_risk),
        observed=_shown(
            proportion(sum(reoffended(m, sexual_only=False) for m in at_risk), len(at_risk)), hide
        ),
        sexual=_shown(proportion(sum(reoffended(m, sexual_only=True) for m in at_risk), len(at_risk)), hide),
        predicted=None if hide or not scores else sum(scores) / len(scores),
        scored=len(scores),
        rm2000_mix=mix,
    )


def outcomes(
    members: Sequence[CohortMember], *, today: dt.date, others: Sequence[CohortMember] | None = None
) -> list[CohortOutcome]:
    """Every cohort × follow-up window, completers first. `others`: when the members are a filtered subset, the
    rest of the scope (everyone minus the subset) for secondary suppression."""
    return [
        cohort_outcome(
            members,
            cohort=c,
            years=y,
            today=today,
            complement_at_risk=_at_risk(others, cohort=c, years=y, today=today) if others else 0,
        )
        for c in COHORTS
        for y in WINDOWS
    ]
