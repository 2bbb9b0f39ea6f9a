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
- LI/HI have no published age floor: `lihi_min_age` defaults to 18, where RM2000 (which defines them) starts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

MALE = "male"
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "very_high")
RISK_LABELS: dict[str, str] = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very High"}
DEVIANCE_LEVELS: tuple[str, ...] = ("low", "high")
# 003: the legal routes into the programme (a CRO only for offences before the CJA 2003, 1 April 2005).
LEGAL_BASES: dict[str, str] = {
    "community_order": "Community order with an accredited programme requirement",
    "suspended_sentence_order": "Suspended sentence order with an accredited programme requirement",
    "licence": "Licence condition to attend the programme",
    "community_rehabilitation_order": "Community rehabilitation order (offences before 1 April 2005)",
}

ISOTP, NSOGP, LI, HI, ADAPTED = "isotp", "nsogp", "li", "hi", "adapted"
GROUP, ONE_TO_ONE = "group", "one_to_one"
ROUTE_LABELS: dict[str, str] = {
    "adult_band": "adult group (21 and over)",  # 000
    "young_adult_band": "young-adult group (17 to 20)",  # 003
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


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a date; the birthday itself counts as the new age.

    A 29 February birthday is reached on 1 March in a non-leap year (Family Law Reform Act 1969 s.9).
    """
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(d: date) -> str:
    """A date as people write it ("3 March 2027"), whatever the server's locale."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


@dataclass(frozen=True)
class Candidate:
    """The facts about one person that the rules read; the age is taken on `planned_start`."""

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


@dataclass(frozen=True)
class EligibilityConfig:
    """Every threshold the rules use (domain.md: configurable per area)."""

    isotp_group_min_age: int = 21  # 000: group format for men aged 21 and over
    young_adult_band_enabled: bool = False  # 003: a 17-21 group when there are enough referrals
    young_adult_band_min_age: int = 17  # 003
    isotp_one_to_one_min_age: int = 17  # 000: one-to-one suitable from 17
    min_iq: int = 80  # 000, 002: normal IQ range (80+)
    min_supervision_months: int = 24  # 003: a minimum of 2 years' supervision
    nsogp_min_age: int = 21  # 002: 21 and over (one page says 18): domain.md §2.4
    lihi_enabled: bool = False  # domain.md §2.5: an optional suite an area switches on
    lihi_min_age: int = 18  # sources silent: RM2000, which defines LI/HI, is valid from 18 (domain.md §4)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(f.default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"{f.name} must be true or false, not {value!r}")
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{f.name} must be a whole number of 0 or more, not {value!r}")
        if self.young_adult_band_min_age > self.isotp_group_min_age:
            raise ValueError("young_adult_band_min_age cannot be above isotp_group_min_age")

    def as_dict(self) -> dict[str, int | bool]:
        """A JSON-serialisable copy for storage."""
        return dataclasses.asdict(self)


DEFAULT_CONFIG = EligibilityConfig()


def config_from_dict(data: Mapping[str, Any]) -> EligibilityConfig:
    """Build a config from stored data: missing keys take the default, unknown keys are refused."""
    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(EligibilityConfig)})
    if unknown:
        raise ValueError(f"Unknown eligibility setting(s): {', '.join(unknown)}")
    return EligibilityConfig(**dict(data))


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


def _basics(c: Candidate, age: int, min_age: int | None, cfg: EligibilityConfig, out: _Collector) -> None:
    """Rules every programme shares: male, minimum age, IQ, legal basis, the low-likelihood warning."""
    what = out.what
    if c.sex != MALE:  # 000, 002, 004: programmes for men
        out.fail("NOT_MALE", f"Only men can attend {what}; sex is recorded as {c.sex or 'not known'}")
    if min_age is not None and age < min_age:
        out.fail("UNDER_AGE", f"Age at the planned start ({age}) is below {min_age}, the minimum for {what}")
    if c.iq is None:  # domain.md §3: unknown IQ is a warning, not a failure
        out.warn(
            "IQ_NOT_KNOWN",
            f"IQ is not recorded: {what} needs an IQ of {cfg.min_iq} or more; check "
            "for learning difficulties before allocation",
        )
    elif c.iq < cfg.min_iq:  # 000, 002: normal IQ range (80+); 004: adapted programmes below that
        out.fail("IQ_BELOW_80", f"IQ {c.iq} is below {cfg.min_iq}, the minimum for {what}")
    if c.legal_basis is None:  # 003: an order with a programme requirement, a licence, or a CRO
        out.fail(
            "NO_LEGAL_BASIS",
            f"No legal basis is recorded for {what}: it needs a community order or "
            "suspended sentence order with an accredited programme requirement, a licence condition, "
            "or (offences before 1 April 2005) a community rehabilitation order",
        )
    if c.rm2000_s == "low" and c.ogrs3 == "low":  # 004: not routinely commissioned for low likelihood
        out.warn(
            "LOW_LIKELIHOOD_NOT_COMMISSIONED",
            "RM2000/S and OGRS3 are both Low: accredited "
            "programmes are not routinely commissioned for men at low likelihood of reoffending (MoJ, "
            "2013); record why treatment is needed",
        )


def _isotp(c: Candidate, age: int, fmt: str, cfg: EligibilityConfig) -> ProgrammeDecision:
    """domain.md §3: every i-SOTP rule for one format."""
    out = _Collector("the i-SOTP group" if fmt == GROUP else "i-SOTP one-to-one")
    route: str | None = None
    if fmt == ONE_TO_ONE:
        _basics(c, age, cfg.isotp_one_to_one_min_age, cfg, out)  # 000: one-to-one from 17
    else:
        _basics(c, age, None, cfg, out)
        if age >= cfg.isotp_group_min_age:  # 000: group format for 21 and over
            route = "adult_band"
        elif cfg.young_adult_band_enabled and age >= cfg.young_adult_band_min_age:  # 003: a 17-21 group
            route = "young_adult_band"
        else:
            band = cfg.young_adult_band_enabled
            minimum = cfg.young_adult_band_min_age if band else cfg.isotp_group_min_age
            what = "the i-SOTP young-adult group band" if band else "the i-SOTP group"
            out.fail(
                "UNDER_AGE", f"Age at the planned start ({age}) is below {minimum}, the minimum for {what}"
            )
    cats = {code: OFFENCE_CATEGORIES[code] for code in c.offences}
    if not any(cat.qualifies_isotp for cat in cats.values()):  # 003: eligible offences
        listed = _labels(list(cats))
        found = f"None of the offences recorded ({listed}) qualifies" if cats else "No offence is recorded"
        out.fail(
            "NO_QUALIFYING_OFFENCE",
            f"{found}: i-SOTP needs a conviction for taking, making, "
            "possessing or distributing indecent images of children, or for causing, controlling or "
            "arranging child sexual exploitation (003)",
        )
    if contact := [code for code, cat in cats.items() if cat.contact]:  # 001: internet offending only
        out.fail(
            "CONTACT_OFFENCE",
            f"A contact sexual offence is recorded ({_labels(contact)}): i-SOTP is "
            "not for contact offending; consider N-SOGP (001)",
        )
    if meeting := [code for code, cat in cats.items() if cat.attempted_contact]:  # 001
        out.fail(
            "INTERNET_USED_TO_MEET_CHILDREN",
            "The internet was used to arrange meeting a child "
            f"({_labels(meeting)}): i-SOTP is not suitable; consider N-SOGP, a longer programme (001)",
        )
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
            "N-SOGP, which gives more treatment time (001, 003)",
        )
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
            "N-SOGP, which gives more treatment time (001, 003)",
        )
    if c.rosh is None:
        out.warn(
            "ROSH_NOT_ASSESSED",
            "OASys risk of serious harm is not recorded: i-SOTP excludes Very "
            "High, so the decision is provisional until it is recorded",
        )
    elif c.rosh == "very_high":  # 003: Very High Risk of Harm stays with N-SOGP
        out.fail("VERY_HIGH_RISK_OF_HARM", "OASys risk of serious harm is Very High: refer to N-SOGP (003)")
    months, minimum = c.supervision_months, cfg.min_supervision_months
    if months is None:
        out.warn(
            "SUPERVISION_NOT_KNOWN",
            "The length of supervision is not recorded: the order or licence "
            f"must give at least {minimum} months so the programme can be completed (003)",
        )
    elif months < minimum:  # 003: a minimum of 2 years' supervision
        out.fail(
            "SUPERVISION_TOO_SHORT",
            f"The order or licence gives {months} months of supervision, "
            f"fewer than the {minimum} needed so the programme can be completed (003)",
        )
    return out.decide(ISOTP, fmt, route)


def _nsogp(c: Candidate, age: int, cfg: EligibilityConfig) -> ProgrammeDecision:
    """domain.md §2.4 (002): N-SOGP rules and the route by RM2000/S."""
    out = _Collector("N-SOGP")
    _basics(c, age, cfg.nsogp_min_age, cfg, out)
    if not c.offences:  # 002: offences against children and/or adults, and non-contact offences
        out.fail(
            "NO_SEXUAL_OFFENCE",
            "No sexual offence is recorded: N-SOGP is for men convicted of a sexual offence",
        )
    route: str | None = None
    if c.rm2000_s is None:
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
            "Core Group (002); record the rationale",
        )
    return out.decide(NSOGP, GROUP, route)


def _li_hi(c: Candidate, age: int, cfg: EligibilityConfig) -> tuple[ProgrammeDecision, ProgrammeDecision]:
    """domain.md §2.5 (004): Low Intensity and High Intensity target groups."""
    li, hi = _Collector("the Low Intensity programme (LI)"), _Collector("the High Intensity programme (HI)")
    cats = [OFFENCE_CATEGORIES[code] for code in c.offences]
    contact = any(cat.contact or cat.attempted_contact for cat in cats)
    images_only = bool(cats) and all(cat.indecent_images for cat in cats)
    rm = c.rm2000_s
    level = RISK_LABELS.get(rm or "", "")
    for out in (li, hi):
        _basics(c, age, cfg.lihi_min_age, cfg, out)
        if not cats:
            out.fail("NO_SEXUAL_OFFENCE", f"No sexual offence is recorded: {out.what} needs one")
    unknown = "RM2000/S is not assessed yet: {} target groups are defined by it (004); record it to decide"
    if cats and contact:
        if rm is None:
            li.fail("RM2000_NOT_ASSESSED", unknown.format("LI"))
        elif rm != "low":  # 004 LI target 1: contact or sexually motivated offending at low static risk
            li.fail(
                "CONTACT_OFFENCE_NOT_LOW_RISK",
                "Contact or attempted contact offending with RM2000/S "
                f"{level}: LI takes contact offending only at Low (004); consider HI",
            )
        if c.active_appeal:  # 004 LI target 1: no active appeal against conviction
            li.fail("ACTIVE_APPEAL", "An appeal against conviction is active: LI target 1 excludes him (004)")
    elif cats and rm is None:
        li.fail("RM2000_NOT_ASSESSED", unknown.format("LI"))
        hi.fail("RM2000_NOT_ASSESSED", unknown.format("HI"))
    elif cats:
        if rm == "low":  # 004 LI target 2: non-contact offending, Medium or higher
            li.fail(
                "RM2000_LOW",
                "Non-contact offending with RM2000/S Low: LI target 2 is for Medium or higher (004)",
            )
        elif images_only and rm != "very_high":  # 004: images-only men only if Very High
            li.fail(
                "IMAGES_ONLY_BELOW_VERY_HIGH",
                "His only convictions are for indecent images of "
                f"children and RM2000/S is {level}: LI takes them only at Very High (004)",
            )
        if rm == "very_high":  # 004: Very High non-contact men may be diverted to HI
            li.warn(
                "HI_DIVERSION_POSSIBLE",
                "RM2000/S is Very High: he may be diverted to HI if LI cannot meet his treatment needs (004)",
            )
            hi.warn("DIVERTED_FROM_LI", "Non-contact offending at Very High RM2000/S: diverted from LI (004)")
        else:  # 004: HI is for contact or attempted contact offending
            hi.fail(
                "NO_CONTACT_OFFENCE",
                "No contact or attempted contact offence and RM2000/S is "
                f"{level}: HI takes non-contact men only when Very High on RM2000/S or when LI cannot "
                "meet their needs (004)",
            )
    if c.maintains_innocence:  # 004: men maintaining innocence but willing to do treatment may attend HI
        hi.warn(
            "MAINTAINS_INNOCENCE",
            "He maintains his innocence: HI may accept him if he is willing to do treatment (004, pilot)",
        )
    li_route, hi_route = ("target_1", "contact") if contact else ("target_2", "diverted_non_contact")
    return li.decide(LI, GROUP, li_route), hi.decide(HI, GROUP, hi_route)


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
        why = [*not_isotp, Reason("NSOGP_RULES_HOLD", f"N-SOGP rules hold: {how} (002)")]
        return Recommendation(NSOGP, GROUP, nsogp.route, nsogp.provisional), tuple(why + _pending(nsogp))
    others = [d for d in decisions if d.programme in (LI, HI)]
    for d in others:  # the 2013 pilot suite after the established programmes: LI (lower dosage) before HI
        if d.eligible:
            name = d.programme.upper()
            holds = Reason(f"{name}_RULES_HOLD", f"{name} rules hold: {ROUTE_LABELS[d.route or '']} (004)")
            why = [*not_isotp, *nsogp.reasons, holds]
            return Recommendation(d.programme, GROUP, d.route, d.provisional), tuple(why + _pending(d))
    if c.iq is not None and c.iq < cfg.min_iq and c.sex == MALE and c.offences:  # 004: the adapted suite
        adapted = Reason(
            "ADAPTED_PROGRAMME",
            f"IQ {c.iq} is below {cfg.min_iq}: an adapted programme "
            "(Becoming New Me, New Me Coping or Living as New Me) is needed; it is delivered "
            "outside this system (004)",
        )
        rest = [r for r in nsogp.reasons if r.code != "IQ_BELOW_80"]  # N-SOGP is its mainstream counterpart
        return Recommendation(ADAPTED, None, None), tuple(dict.fromkeys([adapted, *rest]))
    every = [*not_isotp, *nsogp.reasons, *(r for d in others for r in d.reasons)]
    none_fits = Reason("NO_PROGRAMME", "No programme fits, for the reasons below")
    return Recommendation(None, None, None), tuple(dict.fromkeys([none_fits, *every]))


def check(candidate: Candidate, config: EligibilityConfig = DEFAULT_CONFIG) -> EligibilityDecision:
    """Decide every programme for one person and recommend a pathway (domain.md §2-3)."""
    _validate(candidate)
    age = age_on(candidate.date_of_birth, candidate.planned_start)
    decisions = [
        _isotp(candidate, age, GROUP, config),
        _isotp(candidate, age, ONE_TO_ONE, config),
        _nsogp(candidate, age, config),
    ]
    if config.lihi_enabled:  # domain.md §2.5: only when the area switches the suite on
        decisions.extend(_li_hi(candidate, age, config))
    recommendation, reasons = _recommend(candidate, config, tuple(decisions))
    return EligibilityDecision(tuple(decisions), recommendation, reasons)
