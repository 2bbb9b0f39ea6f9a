"""Eligibility engine: which accredited programme fits a person referred, and why.

Pure rules: no Django, the planned start date is passed in, plain values in and a decision out. Every
failure is a `Reason(code, message)` a treatment manager can act on. Sources: domain.md §2.4 (N-SOGP, 002),
§2.5 (LI/HI and the adapted suite, 004), §3 (i-SOTP, 000/001/003). Every threshold is data in
`EligibilityConfig`, which the Django layer stores per probation area.

Where the sources are silent, this module decides:
- Information an assessment will supply (RM2000/S, deviance, OASys RoSH, length of supervision) is not a
  failure when missing: it adds a *_NOT_ASSESSED / SUPERVISION_NOT_KNOWN warning. `provisional` is True when
  such a code is present and nothing else stands in the way: the decision may change once it is recorded.
- LI/HI (004) define their target groups by RM2000/S, so there a missing RM2000/S is a reason (not eligible,
  provisional) unless the offences alone decide it.
- The 004 "low likelihood" commissioning decision covers accredited SOTPs in general: its warning is shown on
  every programme.
- Ages come from the programme catalogue only (domain.md §3 "One source for ages"): the caller passes each
  programme's `ProgrammeTerms` (its age band and where its schedule ends from the planned start), built from the
  catalogue the sessions app holds, so eligibility and allocation read the same numbers.
- An unknown supervision end date or offence date is a plain warning (SUPERVISION_END_NOT_KNOWN,
  OFFENCE_DATE_NOT_KNOWN): the length of supervision and the legal basis already make a decision provisional.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from isotp.dates import age_on, long_date, too_old

MALE = "male"
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "very_high")
RISK_LABELS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very High"}
DEVIANCE_LEVELS: tuple[str, ...] = ("low", "high")
# 003: the legal routes into the programme. domain.md §3: the CJA 2003 sentencing provisions commenced on
# 4 April 2005 (003 says "1st April 2005"): community and suspended sentence orders for offences from that date,
# a community rehabilitation order only for offences before it.
CJA_2003_COMMENCEMENT = date(2005, 4, 4)
LEGAL_BASES: dict[str, str] = {
    "community_order": "Community order with an accredited programme requirement",
    "suspended_sentence_order": "Suspended sentence order with an accredited programme requirement",
    "licence": "Licence condition to attend the programme",
    "community_rehabilitation_order": "Community rehabilitation order (offences before 4 April 2005)",
}
CJA_2003_ORDERS = frozenset({"community_order", "suspended_sentence_order"})
RM2000_MIN_AGE = 18  # domain.md §3, §4: RM2000 is valid only from 18

ISOTP, NSOGP, LI, HI, ADAPTED = "isotp", "nsogp", "li", "hi", "adapted"
GROUP, ONE_TO_ONE = "group", "one_to_one"
ROUTE_LABELS: dict[str, str] = {
    # One wording for the age bands wherever they appear (issue 13): "aged 21 and over", "young adults aged 17 to 21".
    "adult_band": "group for men aged 21 and over",  # 000
    "young_adult_band": "group for young adults aged 17 to 21",  # 003
    "om_work_then_better_lives": "individual work with the OM, then Better Lives",  # 002: RM2000/S Low
    "core_and_better_lives": "the Core Group, then Relapse Prevention and Better Lives",  # 002: Medium+
    "target_1": "target group 1: contact offending at Low RM2000/S",  # 004
    "target_2": "target group 2: non-contact offending at Medium RM2000/S or above",  # 004
    "contact": "contact or attempted contact offending",  # 004
    "diverted_non_contact": "non-contact offending at Very High RM2000/S, diverted from LI",  # 004
}
# Information still to come: these codes make a decision provisional, never a plain failure.
MISSING_CODES: dict[str, str] = {
    "RM2000_NOT_ASSESSED": "RM2000/S",
    "DEVIANCE_NOT_ASSESSED": "psychometric deviance",
    "ROSH_NOT_ASSESSED": "OASys risk of serious harm",
    "SUPERVISION_NOT_KNOWN": "the length of supervision",
}


@dataclass(frozen=True)
class OffenceCategory:
    """One offence category: a plain label and the flags the rules read."""

    label: str
    contact: bool  # an actual contact sexual offence
    attempted_contact: bool  # 004 "attempted contact": meeting a child after grooming (SOA 2003 s.15)
    internet: bool  # 003: "sexual offences related to the use of the internet"
    indecent_images: bool  # 004: men whose only convictions are for indecent images of children
    qualifies_isotp: bool  # 003: the list of eligible offences


def _cat(label: str, *flags: int) -> OffenceCategory:
    return OffenceCategory(label, *(bool(f) for f in flags))


OFFENCE_CATEGORIES: dict[str, OffenceCategory] = {
    # flags: contact, attempted contact, internet, indecent images, qualifies for i-SOTP
    # 003: taking or making (PCA 1978 s.1); distribution and showing, s.1(1)(b)-(c) (domain.md §3).
    "iioc_take_make": _cat("Taking or making indecent photographs of children (PCA 1978 s.1)", 0, 0, 1, 1, 1),
    "iioc_distribute": _cat(
        "Distributing or showing indecent photographs of children (PCA 1978 s.1(1)(b)-(c))", 0, 0, 1, 1, 1
    ),
    "iioc_possess": _cat("Possession of an indecent photograph of a child (CJA 1988 s.160)", 0, 0, 1, 1, 1),
    # 003: SOA 2003 ss.48-50.
    "csec_cause_incite": _cat(
        "Causing or inciting child prostitution or pornography (SOA 2003 s.48)", 0, 0, 1, 0, 1
    ),
    "csec_control": _cat(
        "Controlling a child prostitute or a child involved in pornography (SOA 2003 s.49)", 0, 0, 1, 0, 1
    ),
    "csec_arrange_facilitate": _cat(
        "Arranging or facilitating child prostitution or pornography (SOA 2003 s.50)", 0, 0, 1, 0, 1
    ),
    # 001: using the internet to meet children for abuse needs a longer programme.
    "grooming_meeting_child": _cat("Meeting a child after sexual grooming (SOA 2003 s.15)", 0, 1, 1, 0, 0),
    "contact_sexual_child": _cat("Contact sexual offence against a child", 1, 0, 0, 0, 0),
    "contact_sexual_adult": _cat("Contact sexual offence against an adult", 1, 0, 0, 0, 0),
    "non_contact_other": _cat("Other non-contact sexual offence (e.g. exposure, voyeurism)", 0, 0, 0, 0, 0),
}
OFFENCE_CHOICES: list[tuple[str, str]] = [(code, cat.label) for code, cat in OFFENCE_CATEGORIES.items()]
# domain.md §3: "SOA 2003 ss.8 and 10 'causing or inciting' default to contact and the person entering the conviction
# can record that it involved no actual or attempted contact (online incitement)". Every other offence of a contact
# category is contact by what it is (s.5 rape of a child under 13 cannot be recorded as non-contact); any offence
# may be recorded as involving contact, and the rules then treat it as contact (review of issue 7, no. 2).
MAY_BE_NON_CONTACT: frozenset[str] = frozenset({"soa2003_s8", "soa2003_s10"})


def contact_refused(offence_code: str, category: str, contact: bool | None) -> str | None:
    """Why a conviction for `offence_code` cannot be recorded with this contact answer (None: it can)."""
    if contact is False and OFFENCE_CATEGORIES[category].contact and offence_code not in MAY_BE_NON_CONTACT:
        return (
            "This offence always involves contact: only causing or inciting a child (SOA 2003 ss.8 and 10) can be "
            "recorded as involving no actual or attempted contact"
        )
    return None


@dataclass(frozen=True)
class ProgrammeTerms:
    """What one programme's catalogue entry says that eligibility reads (domain.md §3 "One source for ages").

    `ends_on` is the date of its last session when it starts on the candidate's planned start, at its catalogue
    cadence with the area's bank holidays and closures (the waiting list's "must start by" uses the same
    calculation); None when it is not known.
    """

    min_age: int
    max_age: int | None = None
    young_adult_band: tuple[int, int] | None = None
    sessions: int | None = None
    ends_on: date | None = None


Terms = Mapping[tuple[str, str], ProgrammeTerms]


@dataclass(frozen=True)
class Candidate:
    """The facts about one person that the rules read; the age is taken on `planned_start`.

    `no_contact` lists offence categories whose every conviction was recorded as involving no actual or attempted
    contact (domain.md §3: contact is a fact of the conviction; the offence table gives only the default).
    """

    sex: str
    date_of_birth: date
    planned_start: date
    iq: int | None
    offences: tuple[str, ...]
    rm2000_s: str | None
    deviance: str | None
    rosh: str | None
    supervision_months: int | None
    legal_basis: str | None
    active_appeal: bool = False
    maintains_innocence: bool = False
    completed_prison_sotp: bool = False
    ogrs3: str | None = None
    supervision_end: date | None = None
    offence_date: date | None = None  # the index offence's (domain.md §3 NO_LEGAL_BASIS)
    no_contact: tuple[str, ...] = ()
    recorded_contact: tuple[
        str, ...
    ] = ()  # categories not contact by default with a conviction recorded as contact


# Age settings an area stored before ages moved to the catalogue (domain.md §3 "One source for ages"): read and
# ignored, so an old stored configuration still loads.
RETIRED_SETTINGS = frozenset(
    {
        "isotp_group_min_age",
        "young_adult_band_min_age",
        "isotp_one_to_one_min_age",
        "nsogp_min_age",
        "lihi_min_age",
    }
)


@dataclass(frozen=True)
class EligibilityConfig:
    """Every threshold the rules use that is not the catalogue's (domain.md: configurable per area)."""

    young_adult_band_enabled: bool = False  # 003: a 17-21 group when there are enough referrals
    min_iq: int = 80  # 000, 002: normal IQ range (80+)
    min_supervision_months: int = 24  # 003: a minimum of 2 years' supervision
    lihi_enabled: bool = False  # domain.md §2.5: an optional suite an area switches on

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(f.default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{f.name} must be true or false, not {value!r}")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{f.name} must be a whole number of 0 or more, not {value!r}")

    def as_dict(self) -> dict[str, int | bool]:
        """A JSON-serialisable copy for storage."""
        return dataclasses.asdict(self)


DEFAULT_CONFIG = EligibilityConfig()


def config_from_dict(data: Mapping[str, Any]) -> EligibilityConfig:
    """Build a config from stored data: missing keys take the default, unknown keys are refused (the retired age
    settings are ignored: ages come from the catalogue)."""
    current = {key: value for key, value in data.items() if key not in RETIRED_SETTINGS}
    unknown = sorted(set(current) - {f.name for f in dataclasses.fields(EligibilityConfig)})
    if unknown:
        raise ValueError(f"Unknown eligibility setting(s): {', '.join(unknown)}")
    return EligibilityConfig(**current)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class ProgrammeDecision:
    programme: str
    format: str
    eligible: bool
    provisional: bool
    route: str | None
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "format": self.format,
            "eligible": self.eligible,
            "provisional": self.provisional,
            "route": self.route,
            "reasons": [r.as_dict() for r in self.reasons],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass(frozen=True)
class Recommendation:
    programme: str | None  # isotp | nsogp | li | hi | adapted | None
    format: str | None
    route: str | None
    provisional: bool = False


@dataclass(frozen=True)
class EligibilityDecision:
    programmes: tuple[ProgrammeDecision, ...]
    recommendation: Recommendation
    recommendation_reasons: tuple[Reason, ...]

    def get(self, programme: str, format: str = GROUP) -> ProgrammeDecision | None:
        """The decision for one programme and format, if it was made."""
        return next((p for p in self.programmes if (p.programme, p.format) == (programme, format)), None)

    def as_dict(self) -> dict[str, Any]:
        rec = self.recommendation
        return {
            "programmes": [p.as_dict() for p in self.programmes],
            "recommendation": {
                "programme": rec.programme,
                "format": rec.format,
                "route": rec.route,
                "provisional": rec.provisional,
                "reasons": [r.as_dict() for r in self.recommendation_reasons],
            },
        }


class _Collector:
    """Gathers the failures and warnings of one programme decision."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.reasons: list[Reason] = []
        self.warnings: list[Reason] = []

    def fail(self, code: str, message: str) -> None:
        self.reasons.append(Reason(code, message))

    def warn(self, code: str, message: str) -> None:
        self.warnings.append(Reason(code, message))

    def decide(self, programme: str, fmt: str, route: str | None) -> ProgrammeDecision:
        eligible = not self.reasons
        missing = any(r.code in MISSING_CODES for r in (*self.reasons, *self.warnings))
        provisional = missing and all(r.code in MISSING_CODES for r in self.reasons)
        route = route if eligible else None
        return ProgrammeDecision(
            programme, fmt, eligible, provisional, route, tuple(self.reasons), tuple(self.warnings)
        )


def _labels(codes: list[str]) -> str:
    return "; ".join(OFFENCE_CATEGORIES[c].label for c in codes)


def _is_contact(c: Candidate, code: str) -> bool:
    """domain.md §3: contact is a fact of the conviction; the offence table gives only the default."""
    if (
        code in c.recorded_contact
    ):  # e.g. CJA 1988 s.160 recorded as involving contact (review of issue 7, no. 2)
        return True
    return OFFENCE_CATEGORIES[code].contact and code not in c.no_contact


_ORDER_NAMES = {
    "community_order": "community order",
    "suspended_sentence_order": "suspended sentence order",
    "community_rehabilitation_order": "community rehabilitation order",
}


def _legal_basis(c: Candidate, out: _Collector) -> None:
    """003, domain.md §3 NO_LEGAL_BASIS: an order with a programme requirement, a licence, or a CRO, by offence date."""
    what = out.what
    if c.legal_basis is None:  # 003: an order with a programme requirement, a licence, or a CRO
        out.fail(
            "NO_LEGAL_BASIS",
            f"No legal basis is recorded for {what}: it needs a community order or "
            "suspended sentence order with an accredited programme requirement, a licence condition, "
            "or (offences before 4 April 2005) a community rehabilitation order",
        )
        return
    name = _ORDER_NAMES.get(c.legal_basis)
    if name is None:  # a licence condition does not depend on the offence date
        return
    cro = c.legal_basis == "community_rehabilitation_order"
    commenced = long_date(CJA_2003_COMMENCEMENT)
    if c.offence_date is None:
        when = f"before {commenced}" if cro else f"on or after {commenced}"
        out.warn(
            "OFFENCE_DATE_NOT_KNOWN",
            f"The index offence's date is not recorded: a {name} is a legal basis only for offences committed "
            f"{when}; record it to confirm",
        )
    elif cro and c.offence_date >= CJA_2003_COMMENCEMENT:  # domain.md §3: a CRO only before 4 April 2005
        out.fail(
            "NO_LEGAL_BASIS",
            f"A community rehabilitation order is a legal basis only for offences committed before {commenced}; "
            f"the index offence was on {long_date(c.offence_date)}: {what} needs a community order or suspended "
            "sentence order with an accredited programme requirement, or a licence condition",
        )
    elif not cro and c.offence_date < CJA_2003_COMMENCEMENT:  # CJA 2003 orders only from 4 April 2005
        out.fail(
            "NO_LEGAL_BASIS",
            f"A {name} applies only to offences committed on or after {commenced} (CJA 2003); the index offence "
            f"was on {long_date(c.offence_date)}: {what} needs a community rehabilitation order or a licence "
            "condition",
        )


def _age_band(age: int, terms: ProgrammeTerms, out: _Collector) -> None:
    """domain.md §3 UNDER_AGE: the catalogue's age band, the one allocation also reads."""
    if age < terms.min_age:
        out.fail(
            "UNDER_AGE",
            f"Age at the planned start ({age}) is below {terms.min_age}, the minimum for {out.what}",
        )
    elif terms.max_age is not None and age > terms.max_age:
        out.fail(
            "OVER_AGE",
            f"Age at the planned start ({age}) is above {terms.max_age}, the maximum for {out.what}",
        )


def _basics(c: Candidate, age: int, cfg: EligibilityConfig, out: _Collector) -> None:
    """Rules every programme shares: male, IQ, legal basis, the low-likelihood warning."""
    what = out.what
    if c.sex != MALE:  # 000, 002, 004: programmes for men
        out.fail("NOT_MALE", f"Only men can attend {what}; sex is recorded as {c.sex or 'not known'}")
    if c.iq is None:  # domain.md §3: unknown IQ is a warning, not a failure
        out.warn(
            "IQ_NOT_KNOWN",
            f"IQ is not recorded: {what} needs an IQ of {cfg.min_iq} or more; check "
            "for learning difficulties before allocation",
        )
    elif c.iq < cfg.min_iq:  # 000, 002: normal IQ range (80+); 004: adapted programmes below that
        out.fail("IQ_BELOW_80", f"IQ {c.iq} is below {cfg.min_iq}, the minimum for {what}")
    _legal_basis(c, out)
    if _rm2000(c, age) == "low" and c.ogrs3 == "low":  # 004: not routinely commissioned for low likelihood
        out.warn(
            "LOW_LIKELIHOOD_NOT_COMMISSIONED",
            "RM2000/S and OGRS3 are both Low: accredited "
            "programmes are not routinely commissioned for men at low likelihood of reoffending (MoJ, "
            "2013); record why treatment is needed",
        )


def _rm2000(c: Candidate, age: int) -> str | None:
    """RM2000/S as the rules may read it: not applicable under 18 (domain.md §3, §4)."""
    return c.rm2000_s if age >= RM2000_MIN_AGE else None


def _rm2000_not_applicable(age: int, out: _Collector) -> bool:
    """domain.md §3: under 18 at the planned start RM2000 is not applicable, not missing (a plain warning)."""
    if age >= RM2000_MIN_AGE:
        return False
    out.warn(
        "RM2000_NOT_APPLICABLE",
        f"He is {age} at the planned start: RM2000 is valid only from {RM2000_MIN_AGE}, so it does not apply and "
        "the treatment manager's assessment of risk stands in its place",
    )
    return True


def _supervision(
    c: Candidate, terms: ProgrammeTerms, cfg: EligibilityConfig, out: _Collector, *, months_rule: bool
) -> None:
    """003: enough supervision to complete the programme; domain.md §3 SUPERVISION_TOO_SHORT (i-SOTP and N-SOGP)
    and SUPERVISION_ENDS_TOO_SOON (every programme, from its catalogue schedule)."""
    months, minimum = c.supervision_months, cfg.min_supervision_months
    if months_rule and months is None:
        out.warn(
            "SUPERVISION_NOT_KNOWN",
            "The length of supervision is not recorded: the order or licence "
            f"must give at least {minimum} months so the programme can be completed",
        )
    elif months_rule and months is not None and months < minimum:  # 003: a minimum of 2 years' supervision
        out.fail(
            "SUPERVISION_TOO_SHORT",
            f"The order or licence gives {months} months of supervision, "
            f"fewer than the {minimum} needed so the programme can be completed",
        )
    if c.supervision_end is None:
        if not (months_rule and months is None):
            out.warn(
                "SUPERVISION_END_NOT_KNOWN",
                f"The supervision end date is not recorded: check that {out.what} can finish before it",
            )
    elif terms.ends_on is not None and terms.ends_on > c.supervision_end:  # 003: so it can be completed
        sessions = f" {terms.sessions} sessions" if terms.sessions else " sessions"
        out.fail(
            "SUPERVISION_ENDS_TOO_SOON",
            f"Starting on {long_date(c.planned_start)}, the{sessions} of {out.what} end on "
            f"{long_date(terms.ends_on)}, after supervision ends on {long_date(c.supervision_end)}: it cannot be "
            "completed in time",
        )


def _isotp(
    c: Candidate, age: int, fmt: str, cfg: EligibilityConfig, terms: ProgrammeTerms
) -> ProgrammeDecision:
    """domain.md §3: every i-SOTP rule for one format, in the order the reasons are shown."""
    out = _Collector("the i-SOTP group" if fmt == GROUP else "i-SOTP one-to-one")
    _basics(c, age, cfg, out)
    route = _isotp_age(age, fmt, cfg, terms, out)
    _isotp_offences(c, out)
    _isotp_rm2000(c, age, out)
    _isotp_deviance_and_harm(c, out)
    _supervision(c, terms, cfg, out, months_rule=True)
    return out.decide(ISOTP, fmt, route)


def _isotp_age(
    age: int, fmt: str, cfg: EligibilityConfig, terms: ProgrammeTerms, out: _Collector
) -> str | None:
    """000, 003: the age band for the format (one-to-one from 17; the adult group, or the 17-21 group band where
    the area runs it); answers the group route, if any."""
    band = terms.young_adult_band if cfg.young_adult_band_enabled else None
    if fmt == ONE_TO_ONE:
        _age_band(age, terms, out)  # 000: one-to-one from 17 (the catalogue's entry)
        return None
    if age >= terms.min_age and (terms.max_age is None or age <= terms.max_age):  # 000: the adult group
        return "adult_band"
    if band is not None and band[0] <= age <= band[1]:  # 003: a 17-21 group band
        return "young_adult_band"
    if band is not None and age < band[0]:
        out.fail(
            "UNDER_AGE",
            f"Age at the planned start ({age}) is below {band[0]}, the youngest age for the i-SOTP group for young adults",
        )
    else:
        _age_band(age, terms, out)
    return None


def _isotp_offences(c: Candidate, out: _Collector) -> None:
    """001, 003: a qualifying internet offence, and no contact offence or use of the internet to meet a child."""
    cats = {code: OFFENCE_CATEGORIES[code] for code in c.offences}
    if not any(cat.qualifies_isotp for cat in cats.values()):  # 003: eligible offences
        listed = _labels(list(cats))
        found = f"None of the offences recorded ({listed}) qualifies" if cats else "No offence is recorded"
        out.fail(
            "NO_QUALIFYING_OFFENCE",
            f"{found}: i-SOTP needs a conviction for taking, making, "
            "possessing or distributing indecent images of children, or for causing, controlling or "
            "arranging child sexual exploitation",
        )
    if contact := [code for code in cats if _is_contact(c, code)]:  # 001: internet offending only
        out.fail(
            "CONTACT_OFFENCE",
            f"A contact sexual offence is recorded ({_labels(contact)}): i-SOTP is "
            "not for contact offending; consider N-SOGP",
        )
    if meeting := [code for code, cat in cats.items() if cat.attempted_contact]:  # 001
        out.fail(
            "INTERNET_USED_TO_MEET_CHILDREN",
            "The internet was used to arrange meeting a child "
            f"({_labels(meeting)}): i-SOTP is not suitable; consider N-SOGP, a longer programme",
        )


def _isotp_rm2000(c: Candidate, age: int, out: _Collector) -> None:
    """001: RM2000/S Low, Medium or High (not applicable under 18, domain.md §3)."""
    if _rm2000_not_applicable(age, out):
        return
    if c.rm2000_s is None:
        out.warn(
            "RM2000_NOT_ASSESSED",
            "RM2000/S is not assessed yet: i-SOTP needs Low, Medium or High, "
            "so the decision is provisional until it is recorded",
        )
    elif c.rm2000_s == "very_high":  # 001: assessed as low, medium or high risk on RM2000
        out.fail(
            "RM2000_VERY_HIGH",
            "RM2000/S is Very High: i-SOTP is for Low, Medium or High; refer to "
            "N-SOGP, which gives more treatment time",
        )


def _isotp_deviance_and_harm(c: Candidate, out: _Collector) -> None:
    """001, 003: low deviance only; Very High risk of serious harm stays with N-SOGP."""
    if c.deviance is None:  # domain.md §3: usually unknown until the pre-programme psychometrics
        out.warn(
            "DEVIANCE_NOT_ASSESSED",
            "Deviance is not assessed yet (it comes from the pre-programme "
            "psychometrics): the decision is provisional until it is recorded",
        )
    elif c.deviance == "high":  # 001, 003: low deviance only
        out.fail(
            "HIGH_DEVIANCE",
            "Psychometric deviance is High: i-SOTP is for low deviance; refer to "
            "N-SOGP, which gives more treatment time",
        )
    if c.rosh is None:
        out.warn(
            "ROSH_NOT_ASSESSED",
            "OASys risk of serious harm is not recorded: i-SOTP excludes Very "
            "High, so the decision is provisional until it is recorded",
        )
    elif c.rosh == "very_high":  # 003: Very High Risk of Harm stays with N-SOGP
        out.fail("VERY_HIGH_RISK_OF_HARM", "OASys risk of serious harm is Very High: refer to N-SOGP")


def _nsogp(c: Candidate, age: int, cfg: EligibilityConfig, terms: ProgrammeTerms) -> ProgrammeDecision:
    """domain.md §2.4 (002): N-SOGP rules and the route by RM2000/S."""
    out = _Collector("N-SOGP")
    _basics(c, age, cfg, out)
    _age_band(age, terms, out)
    if not c.offences:  # 002: offences against children and/or adults, and non-contact offences
        out.fail(
            "NO_SEXUAL_OFFENCE",
            "No sexual offence is recorded: N-SOGP is for men convicted of a sexual offence",
        )
    route: str | None = None
    if _rm2000_not_applicable(age, out):
        pass
    elif c.rm2000_s is None:
        out.warn(
            "RM2000_NOT_ASSESSED",
            "RM2000/S is not assessed yet: it sets the N-SOGP route (Low: work "
            "with the OM then Better Lives; Medium and above: the Core Group then Better Lives)",
        )
    elif c.rm2000_s == "low":  # 002: individual work with the OM (36 hours) then Better Lives
        route = "om_work_then_better_lives"
    else:  # 002: all four Core Group blocks then Relapse Prevention / Better Lives
        route = "core_and_better_lives"
    if c.completed_prison_sotp:  # 002: adjustments for men who attended a prison programme
        out.warn(
            "PRISON_SOTP_ADJUSTMENT",
            "He completed a prison SOTP: if he made significant progress a "
            "treatment manager may adjust his route, e.g. the Relapse Prevention Group without the "
            "Core Group; record the rationale",
        )
    # domain.md §3: 003's two years of supervision hold for "the relevant programme", N-SOGP as well as i-SOTP.
    _supervision(c, terms, cfg, out, months_rule=True)
    return out.decide(NSOGP, GROUP, route)


@dataclass(frozen=True)
class _Offending:
    """What 004's LI and HI target groups read from the convictions and RM2000/S."""

    any_offence: bool
    contact: bool
    attempted: bool
    images_only: bool
    rm: str | None
    level: str


_UNKNOWN_RM2000 = "RM2000/S is not assessed yet: {} target groups are defined by it; record it to decide"


def _li_hi(
    c: Candidate, age: int, cfg: EligibilityConfig, li_terms: ProgrammeTerms, hi_terms: ProgrammeTerms
) -> tuple[ProgrammeDecision, ProgrammeDecision]:
    """domain.md §2.5 (004): Low Intensity and High Intensity target groups."""
    li, hi = _Collector("the Low Intensity programme (LI)"), _Collector("the High Intensity programme (HI)")
    cats = {code: OFFENCE_CATEGORIES[code] for code in c.offences}
    rm = _rm2000(c, age)
    seen = _Offending(
        any_offence=bool(cats),
        # 004 (domain.md §3): LI counts online grooming (s.15) as non-contact; HI takes attempted contact as contact.
        contact=any(_is_contact(c, code) for code in cats),
        attempted=any(cat.attempted_contact for cat in cats.values()),
        images_only=bool(cats) and all(cat.indecent_images for cat in cats.values()),
        rm=rm,
        level=RISK_LABELS.get(rm or "", ""),
    )
    for out, terms in ((li, li_terms), (hi, hi_terms)):
        _basics(c, age, cfg, out)
        _age_band(age, terms, out)
        if not cats:
            out.fail("NO_SEXUAL_OFFENCE", f"No sexual offence is recorded: {out.what} needs one")
    if seen.any_offence and seen.contact:
        _li_contact(c, seen, li)
    elif seen.any_offence and rm is None:
        li.fail("RM2000_NOT_ASSESSED", _UNKNOWN_RM2000.format("LI"))
        if not seen.attempted:
            hi.fail("RM2000_NOT_ASSESSED", _UNKNOWN_RM2000.format("HI"))
    elif seen.any_offence:
        _li_hi_non_contact(seen, li, hi)
    if c.maintains_innocence:  # 004: men maintaining innocence but willing to do treatment may attend HI
        hi.warn(
            "MAINTAINS_INNOCENCE",
            "He maintains his innocence: HI may accept him if he is willing to do treatment",
        )
    _supervision(c, li_terms, cfg, li, months_rule=False)
    _supervision(c, hi_terms, cfg, hi, months_rule=False)
    li_route = "target_1" if seen.contact else "target_2"
    hi_route = "contact" if seen.contact or seen.attempted else "diverted_non_contact"
    return li.decide(LI, GROUP, li_route), hi.decide(HI, GROUP, hi_route)


def _li_contact(c: Candidate, seen: _Offending, li: _Collector) -> None:
    """004 LI target 1: contact or sexually motivated offending at low static risk, and no active appeal."""
    if seen.rm is None:
        li.fail("RM2000_NOT_ASSESSED", _UNKNOWN_RM2000.format("LI"))
    elif seen.rm != "low":  # 004 LI target 1: contact or sexually motivated offending at low static risk
        li.fail(
            "CONTACT_OFFENCE_NOT_LOW_RISK",
            "Contact or attempted contact offending with RM2000/S "
            f"{seen.level}: LI takes contact offending only at Low; consider HI",
        )
    if c.active_appeal:  # 004 LI target 1: no active appeal against conviction
        li.fail("ACTIVE_APPEAL", "An appeal against conviction is active: LI target 1 excludes him")


def _li_hi_non_contact(seen: _Offending, li: _Collector, hi: _Collector) -> None:
    """004 LI target 2 (non-contact, Medium or higher; images only at Very High) and HI's diversion of Very High
    non-contact men."""
    if seen.rm == "low":  # 004 LI target 2: non-contact offending, Medium or higher
        li.fail(
            "RM2000_LOW",
            "Non-contact offending with RM2000/S Low: LI target 2 is for Medium or higher",
        )
    elif seen.images_only and seen.rm != "very_high":  # 004: images-only men only if Very High
        li.fail(
            "IMAGES_ONLY_BELOW_VERY_HIGH",
            "His only convictions are for indecent images of "
            f"children and RM2000/S is {seen.level}: LI takes them only at Very High",
        )
    if seen.rm == "very_high":  # 004: Very High non-contact men may be diverted to HI
        li.warn(
            "HI_DIVERSION_POSSIBLE",
            "RM2000/S is Very High: he may be diverted to HI if LI cannot meet his treatment needs",
        )
        if not seen.attempted:
            hi.warn("DIVERTED_FROM_LI", "Non-contact offending at Very High RM2000/S: diverted from LI")
    elif not seen.attempted:  # 004: HI is for contact or attempted contact offending
        hi.fail(
            "NO_CONTACT_OFFENCE",
            "No contact or attempted contact offence and RM2000/S is "
            f"{seen.level}: HI takes non-contact men only when Very High on RM2000/S or when LI cannot "
            "meet their needs",
        )


def _validate(c: Candidate) -> None:
    if unknown := [code for code in c.offences if code not in OFFENCE_CATEGORIES]:
        raise ValueError(f"Unknown offence category code(s): {', '.join(unknown)}")
    enums: tuple[tuple[str, str | None, tuple[str, ...]], ...] = (
        ("rm2000_s", c.rm2000_s, RISK_LEVELS),
        ("deviance", c.deviance, DEVIANCE_LEVELS),
        ("rosh", c.rosh, RISK_LEVELS),
        ("ogrs3", c.ogrs3, RISK_LEVELS),
        ("legal_basis", c.legal_basis, tuple(LEGAL_BASES)),
    )
    for name, value, allowed in enums:
        if value is not None and value not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)} or not given, not {value!r}")
    if c.supervision_months is not None and c.supervision_months < 0:
        raise ValueError("supervision_months cannot be negative")
    if unknown := [code for code in c.no_contact if code not in c.offences]:
        raise ValueError(f"no_contact names offence categories not among the offences: {', '.join(unknown)}")
    if unknown := [code for code in c.recorded_contact if code not in c.offences]:
        raise ValueError(
            f"recorded_contact names offence categories not among the offences: {', '.join(unknown)}"
        )


@dataclass(frozen=True)
class FactRefused:
    """A fact given to the eligibility check that cannot be right, on its field (review of issue 7, nos. 3, 14)."""

    field: str
    message: str


def check_facts(c: Candidate) -> tuple[FactRefused, ...]:
    """Every date given to `check` that cannot be right, in field order: a date of birth that makes him older than
    MAX_AGE, a planned start before the birth, an offence before the birth or after the planned start (an offence
    not yet committed has no sentence), a supervision end before the birth. The API and pages refuse these (400
    naming the field) before calling `check`."""
    out: list[FactRefused] = []
    dob, start = c.date_of_birth, c.planned_start
    born = long_date(dob)
    if oldest := too_old(dob, start):
        out.append(FactRefused("date_of_birth", oldest))
    if start < dob:
        out.append(
            FactRefused(
                "planned_start",
                f"The planned start ({long_date(start)}) is before the date of birth ({born})",
            )
        )
    if c.offence_date is not None:
        if c.offence_date < dob:
            out.append(
                FactRefused(
                    "offence_date",
                    f"The offence date ({long_date(c.offence_date)}) is before the date of birth ({born})",
                )
            )
        elif c.offence_date > start:
            out.append(
                FactRefused(
                    "offence_date",
                    f"The offence date ({long_date(c.offence_date)}) is after the planned start ({long_date(start)})",
                )
            )
    if c.supervision_end is not None and c.supervision_end < dob:
        out.append(
            FactRefused(
                "supervision_end",
                f"The supervision end ({long_date(c.supervision_end)}) is before the date of birth ({born})",
            )
        )
    return tuple(out)


def _pending(d: ProgrammeDecision) -> list[Reason]:
    if not d.provisional:
        return []
    found = (MISSING_CODES[r.code] for r in (*d.reasons, *d.warnings) if r.code in MISSING_CODES)
    missing = list(dict.fromkeys(found))
    verb = "is" if len(missing) == 1 else "are"
    return [Reason("PROVISIONAL", f"Provisional until {' and '.join(missing)} {verb} recorded")]


def _recommend(
    c: Candidate, cfg: EligibilityConfig, decisions: tuple[ProgrammeDecision, ...]
) -> tuple[Recommendation, tuple[Reason, ...]]:
    """domain.md §3 "Pathway recommendation": i-SOTP, else N-SOGP, else LI/HI, else adapted, else none."""
    by_key = {(d.programme, d.format): d for d in decisions}
    group, one, nsogp = by_key[ISOTP, GROUP], by_key[ISOTP, ONE_TO_ONE], by_key[NSOGP, GROUP]
    for d in (group, one):  # 000: the group for 21 and over (or the young-adult band), else one-to-one
        if d.eligible:
            fmt = d.format.replace("_", "-")
            why = [Reason("ISOTP_ELIGIBLE", f"Meets every i-SOTP rule for the {fmt} format")]
            why += [r for r in group.reasons if r.code == "UNDER_AGE"] if d is one else []
            return Recommendation(ISOTP, d.format, d.route, d.provisional), tuple(why + _pending(d))
    # One-to-one has the widest age range, so its reasons say why i-SOTP does not fit at all.
    not_isotp = list(one.reasons)
    if nsogp.eligible:  # 001, 003: Very High RM2000, high deviance, Very High RoSH, meeting children
        how = ROUTE_LABELS.get(nsogp.route or "", "the route is set once RM2000/S is assessed")
        why = [*not_isotp, Reason("NSOGP_RULES_HOLD", f"N-SOGP rules hold: {how}")]
        return Recommendation(NSOGP, GROUP, nsogp.route, nsogp.provisional), tuple(why + _pending(nsogp))
    others = [d for d in decisions if d.programme in (LI, HI)]
    for d in others:  # the 2013 pilot suite after the established programmes: LI (lower dosage) before HI
        if d.eligible:
            name = d.programme.upper()
            holds = Reason(f"{name}_RULES_HOLD", f"{name} rules hold: {ROUTE_LABELS[d.route or '']}")
            why = [*not_isotp, *nsogp.reasons, holds]
            return Recommendation(d.programme, GROUP, d.route, d.provisional), tuple(why + _pending(d))
    if c.iq is not None and c.iq < cfg.min_iq and c.sex == MALE and c.offences:  # 004: the adapted suite
        adapted = Reason(
            "ADAPTED_PROGRAMME",
            f"IQ {c.iq} is below {cfg.min_iq}: an adapted programme "
            "(Becoming New Me, New Me Coping or Living as New Me) is needed; it is delivered "
            "outside this system",
        )
        rest = [r for r in nsogp.reasons if r.code != "IQ_BELOW_80"]  # N-SOGP is its mainstream counterpart
        return Recommendation(ADAPTED, None, None), tuple(dict.fromkeys([adapted, *rest]))
    every = [*not_isotp, *nsogp.reasons, *(r for d in others for r in d.reasons)]
    none_fits = Reason("NO_PROGRAMME", "No programme fits, for the reasons below")
    return Recommendation(None, None, None), tuple(dict.fromkeys([none_fits, *every]))


def _terms(terms: Terms, programme: str, fmt: str) -> ProgrammeTerms:
    found = terms.get((programme, fmt))
    if found is None:
        raise ValueError(f"The catalogue gives no terms for {programme} {fmt}")
    return found


def check(
    candidate: Candidate, config: EligibilityConfig = DEFAULT_CONFIG, *, terms: Terms
) -> EligibilityDecision:
    """Decide every programme for one person and recommend a pathway (domain.md §2-3).

    `terms` are the catalogue's terms of each (programme, format) on the planned start (see `ProgrammeTerms`).
    """
    _validate(candidate)
    age = age_on(candidate.date_of_birth, candidate.planned_start)
    decisions = [
        _isotp(candidate, age, GROUP, config, _terms(terms, ISOTP, GROUP)),
        _isotp(candidate, age, ONE_TO_ONE, config, _terms(terms, ISOTP, ONE_TO_ONE)),
        _nsogp(candidate, age, config, _terms(terms, NSOGP, GROUP)),
    ]
    if config.lihi_enabled:  # domain.md §2.5: only when the area switches the suite on
        decisions.extend(_li_hi(candidate, age, config, _terms(terms, LI, GROUP), _terms(terms, HI, GROUP)))
    recommendation, reasons = _recommend(candidate, config, tuple(decisions))
    return EligibilityDecision(tuple(decisions), recommendation, reasons)
