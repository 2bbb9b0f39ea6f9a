"""The one place that turns a person (and referral) into the rules' `Candidate` and asks for a decision.

The TM's assessment page, the referral API and the waiting list all call `decision_for`, so they cannot disagree.
Reads the person's related rows through `.all()`, so a caller that preloaded them (the selectors do) pays no
extra queries; the area's configuration is one query unless passed in.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from referrals.rules import (
    DEFAULT_CONFIG,
    Candidate,
    EligibilityConfig,
    EligibilityDecision,
    check,
    config_from_dict,
)

if TYPE_CHECKING:
    from accounts.models import ProbationArea
    from referrals.models import (
        DevianceAssessment,
        Person,
        Referral,
        RiskMatrixAssessment,
        RoshAssessment,
        Sentence,
    )

# How many weeks each programme runs when delivered at its usual pace: the waiting list uses it to say how soon a
# referral must start to finish within supervision (rules.waiting). Data, not logic: change it here.
PROGRAMME_WEEKS: dict[tuple[str, str], int] = {
    ("isotp", "group"): 35,  # 000: 35 weekly sessions (twice weekly would halve it; weekly is the longest)
    ("isotp", "one_to_one"): 30,  # 000: up to 30 sessions, weekly
    ("nsogp", "group"): 48,  # 002: Core Group up to 36 weekly days, then 12 Relapse Prevention sessions
    ("li", "group"): 26,  # 004 gives no dosage in weeks: assumed half a year until an area sets it
    ("hi", "group"): 52,  # 004 gives no dosage in weeks: assumed a year until an area sets it
}


def programme_weeks(programme: str, fmt: str) -> int:
    """The length in weeks used for waiting-list urgency (see PROGRAMME_WEEKS)."""
    return PROGRAMME_WEEKS.get((programme, fmt), PROGRAMME_WEEKS[("isotp", "group")])


def config_for_area(area: ProbationArea) -> EligibilityConfig:
    """The area's stored thresholds, or the defaults with the area's LI/HI switch (one query)."""
    from referrals.models import EligibilityConfiguration

    row = EligibilityConfiguration.objects.filter(area=area).first()
    values: dict[str, object] = {"lihi_enabled": area.lihi_enabled}
    if row is not None:
        values.update(row.values)
    if values == {"lihi_enabled": DEFAULT_CONFIG.lihi_enabled}:
        return DEFAULT_CONFIG
    return config_from_dict(values)


def supervision_months(start: dt.date, end: dt.date) -> int:
    """Whole months of supervision, counting the end date as the last day (24 months from 10 January 2025 end
    on 9 January 2027, and count as 24)."""
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month - (after.day < start.day)


def current_sentence(person: Person) -> Sentence | None:
    """The latest sentence (by start date): the one that gives the legal basis now."""
    return max(person.sentences.all(), key=lambda s: (s.start_date, s.pk), default=None)


def latest_rm2000(person: Person) -> RiskMatrixAssessment | None:
    return max(person.rm2000_assessments.all(), key=lambda a: (a.assessed_on, a.pk), default=None)


def latest_rosh(person: Person) -> RoshAssessment | None:
    return max(person.rosh_assessments.all(), key=lambda a: (a.assessed_on, a.pk), default=None)


def latest_deviance(person: Person) -> DevianceAssessment | None:
    return max(person.deviance_assessments.all(), key=lambda a: (a.recorded_at, a.pk), default=None)


def candidate_for(
    person: Person,
    *,
    planned_start: dt.date,
    active_appeal: bool = False,
    maintains_innocence: bool = False,
    completed_prison_sotp: bool = False,
) -> Candidate:
    """The facts the rules read, from the person's record as it stands."""
    sentence = current_sentence(person)
    rm2000, rosh, deviance = latest_rm2000(person), latest_rosh(person), latest_deviance(person)
    # 003: the legal basis counts only with an accredited-programme requirement or licence condition.
    legal_basis = sentence.legal_basis if sentence is not None and sentence.programme_requirement else None
    offences = tuple(dict.fromkeys(c.offence.category for c in person.convictions.all()))
    return Candidate(
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        planned_start=planned_start,
        iq=person.iq,
        offences=offences,
        rm2000_s=rm2000.s if rm2000 else None,
        deviance=deviance.level if deviance else None,
        rosh=rosh.level if rosh else None,
        supervision_months=supervision_months(sentence.start_date, sentence.supervision_end_date)
        if sentence
        else None,
        legal_basis=legal_basis,
        active_appeal=active_appeal,
        maintains_innocence=maintains_innocence,
        completed_prison_sotp=completed_prison_sotp,
    )


def candidate_for_referral(referral: Referral, today: dt.date) -> Candidate:
    """The referral's person on its planned start (today when none is planned yet)."""
    return candidate_for(
        referral.person,
        planned_start=referral.planned_start or today,
        active_appeal=referral.active_appeal,
        maintains_innocence=referral.maintains_innocence,
        completed_prison_sotp=referral.completed_prison_sotp,
    )


def decision_for(
    referral: Referral, today: dt.date, *, config: EligibilityConfig | None = None
) -> EligibilityDecision:
    """The eligibility decision for a referral, with its area's configuration (pages, API, waiting list)."""
    return check(candidate_for_referral(referral, today), config or config_for_area(referral.area))


def decision_for_person(
    person: Person, *, planned_start: dt.date, config: EligibilityConfig | None = None, **flags: bool
) -> EligibilityDecision:
    """The decision for a person before any referral exists (e.g. the person page's preview)."""
    return check(
        candidate_for(person, planned_start=planned_start, **flags), config or config_for_area(person.area)
    )
