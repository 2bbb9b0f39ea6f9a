"""The one place that turns a person (and referral) into the rules' `Candidate` and asks for a decision.

The TM's assessment page, the referral API and the waiting list all call `decision_for`, so they cannot disagree.
Reads the person's related rows through `.all()`, so a caller that preloaded them (the selectors do) pays no
extra queries; the area's configuration is one query and its catalogue two, unless passed in.

The current sentence and risk records are the latest *entered* (domain.md §3, issue 7): a correction is a new
entry that supersedes the one before, and the history keeps both. The index conviction, whose offence date
decides the legal basis, is the latest conviction (the one the current sentence is for).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from referrals.programme_terms import AreaCatalogue, catalogue_for
from referrals.rules import (
    DEFAULT_CONFIG,
    OFFENCE_CATEGORIES,
    Candidate,
    EligibilityConfig,
    EligibilityDecision,
    check,
    config_from_dict,
)
from referrals.rules.eligibility import long_date
from referrals.rules.ogrs3 import percent

if TYPE_CHECKING:
    from accounts.models import ProbationArea
    from referrals.models import (
        Conviction,
        DevianceAssessment,
        Ogrs3Assessment,
        Person,
        Referral,
        RiskMatrixAssessment,
        RoshAssessment,
        Sentence,
    )


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
    """The latest sentence entered: the one that gives the legal basis now (a correction supersedes)."""
    return max(person.sentences.all(), key=lambda s: s.pk, default=None)


def latest_rm2000(person: Person) -> RiskMatrixAssessment | None:
    """The latest RM2000 entered (a correction supersedes the one before)."""
    return max(person.rm2000_assessments.all(), key=lambda a: a.pk, default=None)


def latest_rosh(person: Person) -> RoshAssessment | None:
    """The latest OASys RoSH entered."""
    return max(person.rosh_assessments.all(), key=lambda a: a.pk, default=None)


def latest_ogrs3(person: Person) -> Ogrs3Assessment | None:
    """The latest OGRS3 entered (domain.md §4.1: 004's low-likelihood warning reads its band)."""
    return max(person.ogrs3_assessments.all(), key=lambda a: a.pk, default=None)


@dataclass(frozen=True)
class EarlierEntry:
    """A superseded sentence or risk record, for the person's history (domain.md §3: the history shows both)."""

    what: str
    value: str
    at: dt.datetime


def earlier_sentences(person: Person) -> list[EarlierEntry]:
    """Every sentence that a later entry superseded, newest first (reads preloaded rows): the Sentence card's
    history; the card itself shows only the current one."""
    groups: list[tuple[str, list[Any], Any]] = [
        (
            "Sentence",
            list(person.sentences.all()),
            lambda s: f"{s.get_legal_basis_display()}, supervision to {long_date(s.supervision_end_date)}",
        ),
    ]
    return _superseded(groups)


def earlier_entries(person: Person) -> list[EarlierEntry]:
    """Every risk record (RM2000, RoSH, OGRS3) that a later entry superseded, newest first (reads preloaded rows):
    the Risk card's history. Superseded sentences are the Sentence card's (`earlier_sentences`)."""
    groups: list[tuple[str, list[Any], Any]] = [
        (
            "RM2000",
            list(person.rm2000_assessments.all()),
            lambda a: f"S {a.get_s_display()}, V {a.get_v_display()}, C {a.get_c_display()}",
        ),
        ("OASys risk of serious harm", list(person.rosh_assessments.all()), lambda a: a.get_level_display()),
        (
            "OGRS3",
            list(person.ogrs3_assessments.all()),
            lambda a: (
                f"{a.get_band_display()} ({percent(float(a.one_year))}% / {percent(float(a.two_year))}%)"
            ),
        ),
    ]
    return _superseded(groups)


def _superseded(groups: list[tuple[str, list[Any], Any]]) -> list[EarlierEntry]:
    """Of each kind, every row but the latest entered (the current one), newest first."""
    found: list[tuple[int, EarlierEntry]] = []
    for what, rows, describe in groups:
        current = max(rows, key=lambda r: r.pk, default=None)
        found += [(r.pk, EarlierEntry(what, describe(r), r.recorded_at)) for r in rows if r is not current]
    return [entry for _, entry in sorted(found, key=lambda pair: (pair[1].at, pair[0]), reverse=True)]


def index_conviction(person: Person) -> Conviction | None:
    """The latest conviction: the index offence whose date decides the legal basis (domain.md §3)."""
    return max(person.convictions.all(), key=lambda c: (c.conviction_date, c.pk), default=None)


def no_contact_categories(convictions: list[Conviction]) -> tuple[str, ...]:
    """Offence categories whose every conviction was recorded as involving no contact (domain.md §3)."""
    by_category: dict[str, bool] = {}
    for c in convictions:
        category = c.offence.category
        contact = OFFENCE_CATEGORIES[category].contact if c.contact is None else c.contact
        by_category[category] = by_category.get(category, False) or contact
    return tuple(
        cat for cat, contact in by_category.items() if not contact and OFFENCE_CATEGORIES[cat].contact
    )


def recorded_contact_categories(convictions: list[Conviction]) -> tuple[str, ...]:
    """Offence categories, not contact by default, with a conviction recorded as involving contact (domain.md §3)."""
    return tuple(
        dict.fromkeys(
            c.offence.category
            for c in convictions
            if c.contact is True and not OFFENCE_CATEGORIES[c.offence.category].contact
        )
    )


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
    ogrs3, index = latest_ogrs3(person), index_conviction(person)
    # 003: the legal basis counts only with an accredited-programme requirement or licence condition.
    legal_basis = sentence.legal_basis if sentence is not None and sentence.programme_requirement else None
    convictions = list(person.convictions.all())
    offences = tuple(dict.fromkeys(c.offence.category for c in convictions))
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
        ogrs3=ogrs3.band if ogrs3 else None,
        supervision_end=sentence.supervision_end_date if sentence else None,
        offence_date=index.offence_date if index else None,
        no_contact=no_contact_categories(convictions),
        recorded_contact=recorded_contact_categories(convictions),
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
    referral: Referral,
    today: dt.date,
    *,
    config: EligibilityConfig | None = None,
    catalogue: AreaCatalogue | None = None,
) -> EligibilityDecision:
    """The eligibility decision for a referral, with its area's configuration and catalogue (pages, API, lists:
    a list passes both in, loaded once)."""
    candidate = candidate_for_referral(referral, today)
    terms = (catalogue or catalogue_for(referral.area)).terms(candidate.planned_start)
    return check(candidate, config or config_for_area(referral.area), terms=terms)


def decision_for_person(
    person: Person,
    *,
    planned_start: dt.date,
    config: EligibilityConfig | None = None,
    catalogue: AreaCatalogue | None = None,
    **flags: bool,
) -> EligibilityDecision:
    """The decision for a person before any referral exists (e.g. the person page's preview)."""
    terms = (catalogue or catalogue_for(person.area)).terms(planned_start)
    return check(
        candidate_for(person, planned_start=planned_start, **flags),
        config or config_for_area(person.area),
        terms=terms,
    )
