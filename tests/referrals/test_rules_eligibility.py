"""Eligibility engine: every rule code, the age edges, provisional decisions, N-SOGP routes, LI/HI, the
recommendation and the JSON shape (domain.md §2.4, §2.5, §3)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.rules.eligibility import (
    DEFAULT_CONFIG,
    LEGAL_BASES,
    MISSING_CODES,
    OFFENCE_CATEGORIES,
    ROUTE_LABELS,
    Candidate,
    EligibilityConfig,
    EligibilityDecision,
    ProgrammeDecision,
    ProgrammeTerms,
    age_on,
    config_from_dict,
    contact_refused,
)
from referrals.rules.eligibility import check as check_with_terms
from sessions.rules import DEFAULT_CATALOGUE
from sessions.rules.pathways import eligibility_terms

START = date(2025, 9, 1)


def born(age: int, on: date = START) -> date:
    """A date of birth whose birthday falls on `on`, so the age there is exactly `age`."""
    return date(on.year - age, on.month, on.day)


BASE = Candidate(
    sex="male",
    date_of_birth=born(35),
    planned_start=START,
    iq=100,
    offences=("iioc_possess",),
    rm2000_s="medium",
    deviance="low",
    rosh="medium",
    supervision_months=36,
    legal_basis="community_order",
    supervision_end=date(2028, 8, 31),
    offence_date=date(2024, 5, 1),
)
# The catalogue's terms (ages, and where each programme ends from START): the one source eligibility reads.
CATALOGUE = {entry["code"]: entry for entry in DEFAULT_CATALOGUE}
TERMS = eligibility_terms(CATALOGUE, start=START, jurisdiction="england_and_wales")


def check(
    candidate: Candidate, config: EligibilityConfig = DEFAULT_CONFIG, terms: dict | None = None
) -> EligibilityDecision:
    return check_with_terms(candidate, config, terms=TERMS if terms is None else terms)


LIHI = EligibilityConfig(lihi_enabled=True)
BAND = EligibilityConfig(young_adult_band_enabled=True)


def cand(**overrides: Any) -> Candidate:
    if "age" in overrides:
        overrides["date_of_birth"] = born(overrides.pop("age"))
    return dataclasses.replace(BASE, **overrides)


def get(decision: EligibilityDecision, programme: str, fmt: str = "group") -> ProgrammeDecision:
    found = decision.get(programme, fmt)
    assert found is not None, f"no decision for {programme} {fmt}"
    return found


def codes(reasons: tuple[Any, ...]) -> list[str]:
    return [r.code for r in reasons]


def isotp_both(decision: EligibilityDecision) -> tuple[ProgrammeDecision, ProgrammeDecision]:
    return get(decision, "isotp", "group"), get(decision, "isotp", "one_to_one")


# --- the base case --------------------------------------------------------------------------------


def test_a_typical_internet_offender_is_eligible_for_everything_and_recommended_the_isotp_group() -> None:
    decision = check(BASE)
    assert [(p.programme, p.format) for p in decision.programmes] == [
        ("isotp", "group"),
        ("isotp", "one_to_one"),
        ("nsogp", "group"),
    ]
    for p in decision.programmes:
        assert (p.eligible, p.provisional, p.reasons, p.warnings) == (True, False, (), ())
    assert get(decision, "isotp").route == "adult_band"
    assert get(decision, "nsogp").route == "core_and_better_lives"
    rec = decision.recommendation
    assert (rec.programme, rec.format, rec.route, rec.provisional) == ("isotp", "group", "adult_band", False)
    assert codes(decision.recommendation_reasons) == ["ISOTP_ELIGIBLE"]


# --- every i-SOTP code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"sex": "female"}, "NOT_MALE", "Only men can attend"),
        ({"iq": 79}, "IQ_BELOW_80", "IQ 79 is below 80"),
        ({"offences": ()}, "NO_QUALIFYING_OFFENCE", "No offence is recorded: i-SOTP needs"),
        ({"offences": ("non_contact_other",)}, "NO_QUALIFYING_OFFENCE", "Other non-contact sexual offence"),
        ({"offences": ("iioc_possess", "contact_sexual_child")}, "CONTACT_OFFENCE", "against a child"),
        ({"offences": ("iioc_take_make", "contact_sexual_adult")}, "CONTACT_OFFENCE", "against an adult"),
        ({"offences": ("iioc_possess", "grooming_meeting_child")}, "INTERNET_USED_TO_MEET_CHILDREN", "s.15"),
        ({"rm2000_s": "very_high"}, "RM2000_VERY_HIGH", "Very High"),
        ({"deviance": "high"}, "HIGH_DEVIANCE", "refer to N-SOGP"),
        ({"rosh": "very_high"}, "VERY_HIGH_RISK_OF_HARM", "refer to N-SOGP"),
        (
            {"supervision_months": 23},
            "SUPERVISION_TOO_SHORT",
            "gives 23 months of supervision, fewer than the 24",
        ),
        ({"legal_basis": None}, "NO_LEGAL_BASIS", "community order"),
    ],
)
def test_each_isotp_rule_fails_alone_with_its_code(overrides: dict[str, Any], code: str, words: str) -> None:
    for programme in isotp_both(check(cand(**overrides))):
        assert not programme.eligible
        assert not programme.provisional
        assert programme.route is None
        assert codes(programme.reasons) == [code]
        assert words in programme.reasons[0].message


@pytest.mark.parametrize(
    "offence",
    [
        "iioc_take_make",
        "iioc_distribute",
        "iioc_possess",
        "csec_cause_incite",
        "csec_control",
        "csec_arrange_facilitate",
    ],
)
def test_each_qualifying_offence_is_enough_for_isotp(offence: str) -> None:
    assert all(p.eligible for p in isotp_both(check(cand(offences=(offence,)))))


def test_offence_categories_flags() -> None:
    qualifying = {code for code, cat in OFFENCE_CATEGORIES.items() if cat.qualifies_isotp}
    assert qualifying == {
        "iioc_take_make",
        "iioc_distribute",
        "iioc_possess",
        "csec_cause_incite",
        "csec_control",
        "csec_arrange_facilitate",
    }
    assert {c for c, cat in OFFENCE_CATEGORIES.items() if cat.contact} == {
        "contact_sexual_child",
        "contact_sexual_adult",
    }
    assert OFFENCE_CATEGORIES["grooming_meeting_child"].internet
    assert not any(OFFENCE_CATEGORIES[c].contact for c in qualifying)
    assert set(LEGAL_BASES) == {
        "community_order",
        "suspended_sentence_order",
        "licence",
        "community_rehabilitation_order",
    }


def test_every_failure_is_listed_not_just_the_first() -> None:
    decision = check(cand(sex="female", iq=70, rm2000_s="very_high", legal_basis=None))
    assert set(codes(get(decision, "isotp", "one_to_one").reasons)) == {
        "NOT_MALE",
        "IQ_BELOW_80",
        "RM2000_VERY_HIGH",
        "NO_LEGAL_BASIS",
    }


# --- ages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "band", "group", "one_to_one", "route"),
    [
        (16, False, False, False, None),
        (17, False, False, True, None),
        (20, False, False, True, None),
        (21, False, True, True, "adult_band"),
        (16, True, False, False, None),
        (17, True, True, True, "young_adult_band"),
        (20, True, True, True, "young_adult_band"),
        (21, True, True, True, "adult_band"),
    ],
)
def test_age_edges_for_both_formats_and_the_young_adult_band(
    age: int, band: bool, group: bool, one_to_one: bool, route: str | None
) -> None:
    config = EligibilityConfig(young_adult_band_enabled=band)
    g, o = isotp_both(check(cand(age=age), config))
    assert (g.eligible, o.eligible, g.route) == (group, one_to_one, route)
    if not group:
        assert codes(g.reasons) == ["UNDER_AGE"]
    if not one_to_one:
        assert codes(o.reasons) == ["UNDER_AGE"]


def test_under_age_messages_give_the_age_and_the_minimum() -> None:
    g, o = isotp_both(check(cand(age=16)))
    assert (
        g.reasons[0].message == "Age at the planned start (16) is below 21, the minimum for the i-SOTP group"
    )
    assert (
        o.reasons[0].message == "Age at the planned start (16) is below 17, the minimum for i-SOTP one-to-one"
    )
    g = get(check(cand(age=16), BAND), "isotp")
    assert g.reasons[0].message == (
        "Age at the planned start (16) is below 17, the youngest age for the i-SOTP group for young adults"
    )
    g = get(check(cand(age=19)), "isotp")
    assert (
        g.reasons[0].message == "Age at the planned start (19) is below 21, the minimum for the i-SOTP group"
    )


def test_the_birthday_on_the_planned_start_counts_as_that_age() -> None:
    assert get(check(cand(date_of_birth=date(2004, 9, 1))), "isotp").eligible  # 21 on 1 September 2025
    assert not get(check(cand(date_of_birth=date(2004, 9, 2))), "isotp").eligible  # 21 the day after


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(2004, 2, 29), date(2025, 2, 28), 20),
        (date(2004, 2, 29), date(2025, 3, 1), 21),
        (date(2004, 2, 29), date(2028, 2, 29), 24),
        (date(2004, 2, 29), date(2028, 2, 28), 23),
        (date(2004, 3, 1), date(2025, 3, 1), 21),
        (date(2004, 12, 31), date(2025, 1, 1), 20),
        (date(2025, 9, 1), date(2025, 9, 1), 0),
    ],
)
def test_age_on(dob: date, on: date, age: int) -> None:
    assert age_on(dob, on) == age


def test_29_february_birthday_on_the_start_date() -> None:
    leapling = cand(date_of_birth=date(2004, 2, 29))
    assert not get(check(dataclasses.replace(leapling, planned_start=date(2025, 2, 28))), "isotp").eligible
    assert get(check(dataclasses.replace(leapling, planned_start=date(2025, 3, 1))), "isotp").eligible


# --- IQ, supervision, risk levels, legal bases ----------------------------------------------------


@pytest.mark.parametrize(
    ("iq", "eligible", "warning"), [(79, False, None), (80, True, None), (None, True, "IQ_NOT_KNOWN")]
)
def test_iq_edges(iq: int | None, eligible: bool, warning: str | None) -> None:
    for p in check(cand(iq=iq)).programmes:
        assert p.eligible is eligible
        assert not p.provisional  # unknown IQ is a warning, not a reason to wait
        assert codes(p.warnings) == ([warning] if warning else [])


@pytest.mark.parametrize(
    ("months", "eligible", "provisional"),
    [(23, False, False), (24, True, False), (60, True, False), (None, True, True)],
)
def test_supervision_edges(months: int | None, eligible: bool, provisional: bool) -> None:
    for p in isotp_both(check(cand(supervision_months=months))):
        assert (p.eligible, p.provisional) == (eligible, provisional)
    if months is None:
        assert codes(get(check(cand(supervision_months=None)), "isotp").warnings) == ["SUPERVISION_NOT_KNOWN"]
    # domain.md §3: 003's "relevant programme" covers N-SOGP as well as i-SOTP.
    nsogp = get(check(cand(supervision_months=months)), "nsogp")
    assert (nsogp.eligible, nsogp.provisional) == (eligible, provisional)


@pytest.mark.parametrize(
    ("field", "value", "eligible", "provisional", "code"),
    [
        ("rm2000_s", "low", True, False, None),
        ("rm2000_s", "medium", True, False, None),
        ("rm2000_s", "high", True, False, None),
        ("rm2000_s", "very_high", False, False, "RM2000_VERY_HIGH"),
        ("rm2000_s", None, True, True, "RM2000_NOT_ASSESSED"),
        ("deviance", "low", True, False, None),
        ("deviance", "high", False, False, "HIGH_DEVIANCE"),
        ("deviance", None, True, True, "DEVIANCE_NOT_ASSESSED"),
        ("rosh", "low", True, False, None),
        ("rosh", "medium", True, False, None),
        ("rosh", "high", True, False, None),
        ("rosh", "very_high", False, False, "VERY_HIGH_RISK_OF_HARM"),
        ("rosh", None, True, True, "ROSH_NOT_ASSESSED"),
    ],
)
def test_each_risk_level(
    field: str, value: str | None, eligible: bool, provisional: bool, code: str | None
) -> None:
    g, o = isotp_both(check(cand(**{field: value})))
    for p in (g, o):
        assert (p.eligible, p.provisional) == (eligible, provisional)
        assert codes(p.reasons + p.warnings) == ([code] if code else [])


@pytest.mark.parametrize("basis", sorted(LEGAL_BASES))
def test_each_legal_basis_is_enough(basis: str) -> None:
    offence_date = date(2005, 4, 3) if basis == "community_rehabilitation_order" else date(2005, 4, 4)
    decision = check(cand(legal_basis=basis, offence_date=offence_date), LIHI)
    assert all(p.eligible for p in decision.programmes if p.programme in ("isotp", "nsogp"))
    assert not any("NO_LEGAL_BASIS" in codes(p.reasons) for p in decision.programmes)


def test_no_legal_basis_fails_every_programme() -> None:
    decision = check(cand(legal_basis=None, offences=("contact_sexual_child",)), LIHI)
    assert all("NO_LEGAL_BASIS" in codes(p.reasons) for p in decision.programmes)
    assert decision.recommendation.programme is None


# --- provisional decisions ------------------------------------------------------------------------


def test_missing_rm2000_and_deviance_give_a_provisional_isotp_recommendation() -> None:
    decision = check(cand(rm2000_s=None, deviance=None))
    g = get(decision, "isotp")
    assert (g.eligible, g.provisional, g.route) == (True, True, "adult_band")
    assert codes(g.warnings) == ["RM2000_NOT_ASSESSED", "DEVIANCE_NOT_ASSESSED"]
    assert decision.recommendation.provisional
    assert decision.recommendation_reasons[-1].code == "PROVISIONAL"
    assert decision.recommendation_reasons[-1].message == (
        "Provisional until RM2000/S and psychometric deviance are recorded"
    )


def test_a_hard_failure_is_not_provisional_even_with_missing_assessments() -> None:
    g = get(check(cand(sex="female", deviance=None)), "isotp")
    assert (g.eligible, g.provisional) == (False, False)
    assert "DEVIANCE_NOT_ASSESSED" in codes(g.warnings)


# --- N-SOGP ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rm2000", "route", "provisional"),
    [
        ("low", "om_work_then_better_lives", False),
        ("medium", "core_and_better_lives", False),
        ("high", "core_and_better_lives", False),
        ("very_high", "core_and_better_lives", False),
        (None, None, True),
    ],
)
def test_nsogp_route_by_rm2000(rm2000: str | None, route: str | None, provisional: bool) -> None:
    n = get(check(cand(rm2000_s=rm2000, offences=("contact_sexual_adult",))), "nsogp")
    assert (n.eligible, n.route, n.provisional) == (True, route, provisional)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"sex": "female"}, "NOT_MALE"),
        ({"age": 20}, "UNDER_AGE"),
        ({"iq": 79}, "IQ_BELOW_80"),
        ({"offences": ()}, "NO_SEXUAL_OFFENCE"),
        ({"legal_basis": None}, "NO_LEGAL_BASIS"),
    ],
)
def test_each_nsogp_rule_fails_alone_with_its_code(overrides: dict[str, Any], code: str) -> None:
    n = get(check(cand(**overrides)), "nsogp")
    assert (n.eligible, n.route, codes(n.reasons)) == (False, None, [code])


@pytest.mark.parametrize("offence", sorted(OFFENCE_CATEGORIES))
def test_every_offence_category_counts_as_a_sexual_offence_for_nsogp(offence: str) -> None:
    assert get(check(cand(offences=(offence,))), "nsogp").eligible


def test_nsogp_minimum_age_comes_from_the_catalogue() -> None:
    assert not get(check(cand(age=18)), "nsogp").eligible
    edited = {**CATALOGUE, "nsogp_core_group": {**CATALOGUE["nsogp_core_group"], "min_age": 18}}
    terms = eligibility_terms(edited, start=START, jurisdiction="england_and_wales")
    assert get(check(cand(age=18), terms=terms), "nsogp").eligible
    assert get(check(cand(age=21)), "nsogp").eligible


def test_prison_sotp_completers_get_an_adjustment_note_not_a_new_route() -> None:
    n = get(check(cand(completed_prison_sotp=True, rm2000_s="high")), "nsogp")
    assert (n.eligible, n.route) == (True, "core_and_better_lives")
    assert codes(n.warnings) == ["PRISON_SOTP_ADJUSTMENT"]
    assert "Relapse Prevention Group without the Core Group" in n.warnings[0].message


# --- LI and HI (only when switched on) ------------------------------------------------------------


def test_li_and_hi_are_decided_only_when_switched_on() -> None:
    assert check(BASE).get("li") is None and check(BASE).get("hi") is None
    keys = [(p.programme, p.format) for p in check(BASE, LIHI).programmes]
    assert keys == [
        ("isotp", "group"),
        ("isotp", "one_to_one"),
        ("nsogp", "group"),
        ("li", "group"),
        ("hi", "group"),
    ]


@pytest.mark.parametrize(
    ("overrides", "li", "hi"),
    [
        # (eligible, route or failing code) for LI, then for HI
        ({"offences": ("contact_sexual_child",), "rm2000_s": "low"}, (True, "target_1"), (True, "contact")),
        (
            {"offences": ("contact_sexual_child",), "rm2000_s": "low", "active_appeal": True},
            (False, "ACTIVE_APPEAL"),
            (True, "contact"),
        ),
        (
            {"offences": ("contact_sexual_adult",), "rm2000_s": "medium"},
            (False, "CONTACT_OFFENCE_NOT_LOW_RISK"),
            (True, "contact"),
        ),
        # 004 (domain.md §3): LI counts online grooming (s.15) as non-contact; HI takes it as attempted contact.
        (
            {"offences": ("grooming_meeting_child",), "rm2000_s": "high"},
            (True, "target_2"),
            (True, "contact"),
        ),
        (
            {"offences": ("grooming_meeting_child",), "rm2000_s": "low"},
            (False, "RM2000_LOW"),
            (True, "contact"),
        ),
        # domain.md §3: a conviction recorded as involving no contact (online incitement) is non-contact.
        (
            {
                "offences": ("contact_sexual_child",),
                "no_contact": ("contact_sexual_child",),
                "rm2000_s": "high",
            },
            (True, "target_2"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("non_contact_other",), "rm2000_s": "low"},
            (False, "RM2000_LOW"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("non_contact_other",), "rm2000_s": "medium"},
            (True, "target_2"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("iioc_possess",), "rm2000_s": "high"},
            (False, "IMAGES_ONLY_BELOW_VERY_HIGH"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("iioc_possess", "iioc_distribute"), "rm2000_s": "medium"},
            (False, "IMAGES_ONLY_BELOW_VERY_HIGH"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("iioc_possess",), "rm2000_s": "very_high"},
            (True, "target_2"),
            (True, "diverted_non_contact"),
        ),
        (
            {"offences": ("iioc_possess", "csec_control"), "rm2000_s": "medium"},
            (True, "target_2"),
            (False, "NO_CONTACT_OFFENCE"),
        ),
        (
            {"offences": ("non_contact_other",), "rm2000_s": None},
            (False, "RM2000_NOT_ASSESSED"),
            (False, "RM2000_NOT_ASSESSED"),
        ),
        (
            {"offences": ("contact_sexual_child",), "rm2000_s": None},
            (False, "RM2000_NOT_ASSESSED"),
            (True, "contact"),
        ),
        ({"offences": (), "rm2000_s": "medium"}, (False, "NO_SEXUAL_OFFENCE"), (False, "NO_SEXUAL_OFFENCE")),
        (
            {"age": 17, "offences": ("contact_sexual_child",), "rm2000_s": "low"},
            (False, "UNDER_AGE"),
            (False, "UNDER_AGE"),
        ),
        # domain.md §3 "One source for ages": LI and HI take the catalogue's 21, as allocation does.
        (
            {"age": 20, "offences": ("contact_sexual_child",), "rm2000_s": "low"},
            (False, "UNDER_AGE"),
            (False, "UNDER_AGE"),
        ),
        (
            {"age": 21, "offences": ("contact_sexual_child",), "rm2000_s": "low"},
            (True, "target_1"),
            (True, "contact"),
        ),
        (
            {"iq": 79, "offences": ("contact_sexual_child",)},
            (False, "CONTACT_OFFENCE_NOT_LOW_RISK"),
            (False, "IQ_BELOW_80"),
        ),
    ],
)
def test_li_and_hi_target_groups(
    overrides: dict[str, Any], li: tuple[bool, str], hi: tuple[bool, str]
) -> None:
    decision = check(cand(**overrides), LIHI)
    for name, (eligible, expected) in (("li", li), ("hi", hi)):
        p = get(decision, name)
        assert p.eligible is eligible, (name, p.reasons)
        if eligible:
            assert p.route == expected
        else:
            assert expected in codes(p.reasons)


def test_missing_rm2000_makes_li_and_hi_provisional_not_eligible() -> None:
    decision = check(cand(offences=("non_contact_other",), rm2000_s=None), LIHI)
    for name in ("li", "hi"):
        p = get(decision, name)
        assert (p.eligible, p.provisional, p.route) == (False, True, None)


def test_very_high_non_contact_men_may_be_diverted_to_hi() -> None:
    decision = check(cand(offences=("iioc_possess",), rm2000_s="very_high"), LIHI)
    assert codes(get(decision, "li").warnings) == ["HI_DIVERSION_POSSIBLE"]
    assert codes(get(decision, "hi").warnings) == ["DIVERTED_FROM_LI"]


def test_men_maintaining_innocence_may_attend_hi() -> None:
    hi = get(check(cand(offences=("contact_sexual_child",), maintains_innocence=True), LIHI), "hi")
    assert hi.eligible
    assert codes(hi.warnings) == ["MAINTAINS_INNOCENCE"]


@pytest.mark.parametrize(
    ("rm2000", "ogrs3", "warned"),
    [("low", "low", True), ("low", "medium", False), ("medium", "low", False), ("low", None, False)],
)
def test_low_likelihood_warning_on_every_programme(rm2000: str, ogrs3: str | None, warned: bool) -> None:
    decision = check(cand(rm2000_s=rm2000, ogrs3=ogrs3), LIHI)
    for p in decision.programmes:
        assert ("LOW_LIKELIHOOD_NOT_COMMISSIONED" in codes(p.warnings)) is warned
        assert ("LOW_LIKELIHOOD_NOT_COMMISSIONED" in codes(p.reasons)) is False


# --- the recommendation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "config", "expected", "reason_codes"),
    [
        ({}, DEFAULT_CONFIG, ("isotp", "group", "adult_band"), ["ISOTP_ELIGIBLE"]),
        ({"age": 19}, DEFAULT_CONFIG, ("isotp", "one_to_one", None), ["ISOTP_ELIGIBLE", "UNDER_AGE"]),
        ({"age": 19}, BAND, ("isotp", "group", "young_adult_band"), ["ISOTP_ELIGIBLE"]),
        (
            {"rm2000_s": "very_high"},
            DEFAULT_CONFIG,
            ("nsogp", "group", "core_and_better_lives"),
            ["RM2000_VERY_HIGH", "NSOGP_RULES_HOLD"],
        ),
        (
            {"deviance": "high"},
            DEFAULT_CONFIG,
            ("nsogp", "group", "core_and_better_lives"),
            ["HIGH_DEVIANCE", "NSOGP_RULES_HOLD"],
        ),
        (
            {"rosh": "very_high"},
            DEFAULT_CONFIG,
            ("nsogp", "group", "core_and_better_lives"),
            ["VERY_HIGH_RISK_OF_HARM", "NSOGP_RULES_HOLD"],
        ),
        (
            {"offences": ("iioc_possess", "grooming_meeting_child")},
            DEFAULT_CONFIG,
            ("nsogp", "group", "core_and_better_lives"),
            ["INTERNET_USED_TO_MEET_CHILDREN", "NSOGP_RULES_HOLD"],
        ),
        (
            {"offences": ("contact_sexual_child",), "rm2000_s": "low"},
            DEFAULT_CONFIG,
            ("nsogp", "group", "om_work_then_better_lives"),
            ["NO_QUALIFYING_OFFENCE", "CONTACT_OFFENCE", "NSOGP_RULES_HOLD"],
        ),
        ({"iq": 72}, DEFAULT_CONFIG, ("adapted", None, None), ["ADAPTED_PROGRAMME"]),
        (
            {"iq": 72, "legal_basis": None},
            DEFAULT_CONFIG,
            ("adapted", None, None),
            ["ADAPTED_PROGRAMME", "NO_LEGAL_BASIS"],
        ),
        ({"sex": "female"}, DEFAULT_CONFIG, (None, None, None), ["NO_PROGRAMME", "NOT_MALE", "NOT_MALE"]),
        (
            {"sex": "female", "iq": 70},
            DEFAULT_CONFIG,
            (None, None, None),
            ["NO_PROGRAMME", "NOT_MALE", "IQ_BELOW_80", "NOT_MALE", "IQ_BELOW_80"],
        ),
        (
            {"age": 19, "offences": ("contact_sexual_child",)},
            DEFAULT_CONFIG,
            (None, None, None),
            ["NO_PROGRAMME", "NO_QUALIFYING_OFFENCE", "CONTACT_OFFENCE", "UNDER_AGE"],
        ),
        (
            {"age": 19, "offences": ("contact_sexual_child",)},
            LIHI,
            (None, None, None),
            [
                "NO_PROGRAMME",
                "NO_QUALIFYING_OFFENCE",
                "CONTACT_OFFENCE",
                "UNDER_AGE",  # N-SOGP: 21
                "UNDER_AGE",  # LI: the catalogue's 21
                "CONTACT_OFFENCE_NOT_LOW_RISK",
                "UNDER_AGE",  # HI: 21
            ],
        ),
        (
            {"age": 22, "offences": ("contact_sexual_child",), "rm2000_s": "very_high"},
            LIHI,
            ("nsogp", "group", "core_and_better_lives"),
            ["NO_QUALIFYING_OFFENCE", "CONTACT_OFFENCE", "RM2000_VERY_HIGH", "NSOGP_RULES_HOLD"],
        ),
        ({"age": 16}, DEFAULT_CONFIG, (None, None, None), ["NO_PROGRAMME", "UNDER_AGE", "UNDER_AGE"]),
    ],
)
def test_recommendation(
    overrides: dict[str, Any], config: EligibilityConfig, expected: tuple[Any, ...], reason_codes: list[str]
) -> None:
    decision = check(cand(**overrides), config)
    rec = decision.recommendation
    assert (rec.programme, rec.format, rec.route) == expected
    assert codes(decision.recommendation_reasons) == reason_codes
    assert all(r.message for r in decision.recommendation_reasons)


def test_nsogp_recommendation_can_be_provisional_without_a_route() -> None:
    decision = check(cand(offences=("contact_sexual_child",), rm2000_s=None))
    rec = decision.recommendation
    assert (rec.programme, rec.route, rec.provisional) == ("nsogp", None, True)
    assert "route is set once RM2000/S is assessed" in decision.recommendation_reasons[-2].message
    assert decision.recommendation_reasons[-1].message == "Provisional until RM2000/S is recorded"


def test_the_adapted_recommendation_names_the_programmes() -> None:
    reasons = check(cand(iq=70)).recommendation_reasons
    assert "IQ 70 is below 80" in reasons[0].message and "Becoming New Me" in reasons[0].message


# --- JSON shape -----------------------------------------------------------------------------------


def test_as_dict_has_exactly_the_agreed_shape() -> None:
    data = check(
        cand(rm2000_s=None, iq=None, offences=("iioc_possess", "contact_sexual_child")), LIHI
    ).as_dict()
    assert set(data) == {"programmes", "recommendation"}
    for p in data["programmes"]:
        assert set(p) == {"programme", "format", "eligible", "provisional", "route", "reasons", "warnings"}
        for r in p["reasons"] + p["warnings"]:
            assert set(r) == {"code", "message"}
    assert set(data["recommendation"]) == {"programme", "format", "route", "provisional", "reasons"}
    assert json.loads(json.dumps(data)) == data


# --- configuration and validation -----------------------------------------------------------------


def test_default_config_values() -> None:
    assert DEFAULT_CONFIG.as_dict() == {
        "young_adult_band_enabled": False,
        "min_iq": 80,
        "min_supervision_months": 24,
        "lihi_enabled": False,
    }


def test_retired_age_settings_still_load_and_are_ignored() -> None:
    """Ages moved to the catalogue (domain.md §3): an area's old stored values do not break its configuration."""
    stored = {"isotp_group_min_age": 25, "lihi_min_age": 18, "nsogp_min_age": 18, "min_iq": 75}
    assert config_from_dict(stored) == EligibilityConfig(min_iq=75)


def test_config_round_trips_and_missing_keys_take_defaults() -> None:
    config = EligibilityConfig(min_iq=75, lihi_enabled=True, young_adult_band_enabled=True)
    assert config_from_dict(json.loads(json.dumps(config.as_dict()))) == config
    assert config_from_dict({}) == DEFAULT_CONFIG
    assert config_from_dict({"min_supervision_months": 18}).min_supervision_months == 18


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"colour": "red"}, "Unknown eligibility setting(s): colour"),
        ({"min_iq": "80"}, "min_iq must be a whole number"),
        ({"min_iq": -1}, "min_iq must be a whole number"),
        ({"min_iq": True}, "min_iq must be a whole number"),
        ({"lihi_enabled": 1}, "lihi_enabled must be true or false"),
    ],
)
def test_bad_config_is_refused(data: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        config_from_dict(data)


def test_thresholds_come_from_the_config() -> None:
    config = EligibilityConfig(min_iq=70, min_supervision_months=12)
    edited = {**CATALOGUE, "isotp_group": {**CATALOGUE["isotp_group"], "min_age": 25}}
    terms = eligibility_terms(edited, start=START, jurisdiction="england_and_wales")
    decision = check(cand(iq=75, supervision_months=12, age=24), config, terms)
    g, o = isotp_both(decision)
    assert (g.eligible, o.eligible) == (False, True)
    assert "below 25" in g.reasons[0].message


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"offences": ("iioc_possess", "arson")}, "Unknown offence category code(s): arson"),
        ({"rm2000_s": "extreme"}, "rm2000_s must be one of"),
        ({"deviance": "medium"}, "deviance must be one of"),
        ({"rosh": "none"}, "rosh must be one of"),
        ({"ogrs3": "0.5"}, "ogrs3 must be one of"),
        ({"legal_basis": "caution"}, "legal_basis must be one of"),
        ({"supervision_months": -1}, "cannot be negative"),
    ],
)
def test_values_outside_the_vocabulary_are_programming_errors(overrides: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        check(cand(**overrides))


# --- properties -----------------------------------------------------------------------------------

levels = st.sampled_from(["low", "medium", "high", "very_high"])
candidates = st.builds(
    Candidate,
    sex=st.sampled_from(["male", "female"]),
    date_of_birth=st.dates(date(1940, 1, 1), date(2012, 12, 31)),
    planned_start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    iq=st.none() | st.integers(55, 140),
    offences=st.lists(st.sampled_from(sorted(OFFENCE_CATEGORIES)), max_size=3, unique=True).map(tuple),
    rm2000_s=st.none() | levels,
    deviance=st.none() | st.sampled_from(["low", "high"]),
    rosh=st.none() | levels,
    supervision_months=st.none() | st.integers(0, 120),
    legal_basis=st.none() | st.sampled_from(sorted(LEGAL_BASES)),
    active_appeal=st.booleans(),
    maintains_innocence=st.booleans(),
    completed_prison_sotp=st.booleans(),
    ogrs3=st.none() | levels,
)
configs = st.builds(EligibilityConfig, young_adult_band_enabled=st.booleans(), lihi_enabled=st.booleans())


@given(candidates, configs)
def test_eligible_exactly_when_there_are_no_reasons(candidate: Candidate, config: EligibilityConfig) -> None:
    for p in check(candidate, config).programmes:
        assert p.eligible == (not p.reasons)
        if not p.eligible:
            assert p.route is None
        if p.provisional:
            assert all(r.code in MISSING_CODES for r in p.reasons)
            assert any(r.code in MISSING_CODES for r in p.reasons + p.warnings)


@given(candidates, configs, st.sampled_from(["contact_sexual_child", "contact_sexual_adult"]))
def test_adding_a_contact_offence_never_makes_isotp_eligible(
    candidate: Candidate, config: EligibilityConfig, contact: str
) -> None:
    worse = dataclasses.replace(candidate, offences=(*candidate.offences, contact))
    for before, after in zip(
        isotp_both(check(candidate, config)), isotp_both(check(worse, config)), strict=True
    ):
        assert not after.eligible
        assert "CONTACT_OFFENCE" in codes(after.reasons)
        assert len(after.reasons) >= len(before.reasons)


@given(candidates, configs)
def test_as_dict_is_json_serialisable(candidate: Candidate, config: EligibilityConfig) -> None:
    data = check(candidate, config).as_dict()
    assert json.loads(json.dumps(data)) == data


@given(candidates, configs)
def test_the_recommendation_follows_the_programme_decisions(
    candidate: Candidate, config: EligibilityConfig
) -> None:
    decision = check(candidate, config)
    rec = decision.recommendation
    g, o = isotp_both(decision)
    assert decision.recommendation_reasons
    if g.eligible:
        assert (rec.programme, rec.format, rec.route, rec.provisional) == (
            "isotp",
            "group",
            g.route,
            g.provisional,
        )
    elif o.eligible:
        assert (rec.programme, rec.format) == ("isotp", "one_to_one")
    elif get(decision, "nsogp").eligible:
        assert rec.programme == "nsogp"
    elif rec.programme in ("li", "hi"):
        assert config.lihi_enabled and get(decision, rec.programme).eligible
    elif rec.programme == "adapted":
        assert candidate.iq is not None and candidate.iq < 80
    else:
        assert rec.programme is None
        assert decision.recommendation_reasons[0].code == "NO_PROGRAMME"
        assert len(decision.recommendation_reasons) > 1


@given(candidates)
def test_group_eligibility_implies_one_to_one_eligibility(candidate: Candidate) -> None:
    g, o = isotp_both(check(candidate, BAND))
    if g.eligible:
        assert o.eligible


def test_every_route_has_a_plain_label() -> None:
    config = EligibilityConfig(lihi_enabled=True, young_adult_band_enabled=True)
    seen = set()
    for overrides in (
        {},
        {"age": 18},
        {"rm2000_s": "low"},
        {"offences": ("contact_sexual_child",), "rm2000_s": "low"},
        {"offences": ("non_contact_other",)},
        {"rm2000_s": "very_high"},
    ):
        seen |= {p.route for p in check(cand(**overrides), config).programmes if p.route}
    assert seen == set(ROUTE_LABELS)


def test_the_rules_package_imports_no_django() -> None:
    import ast
    import pathlib

    import referrals.rules

    for path in pathlib.Path(referrals.rules.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] in ("django", "rest_framework") for name in names), path


# --- corrections of issue 7 (domain.md §3, §4) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "offence_date", "failed", "warned"),
    [
        # domain.md §3: CJA 2003 orders from 4 April 2005; a community rehabilitation order only before it.
        ("community_order", date(2005, 4, 3), True, False),
        ("community_order", date(2005, 4, 4), False, False),
        ("suspended_sentence_order", date(2005, 4, 3), True, False),
        ("suspended_sentence_order", date(2005, 4, 4), False, False),
        ("community_rehabilitation_order", date(2005, 4, 3), False, False),
        ("community_rehabilitation_order", date(2005, 4, 4), True, False),
        ("licence", date(1999, 1, 1), False, False),
        ("licence", None, False, False),
        ("community_order", None, False, True),
        ("community_rehabilitation_order", None, False, True),
    ],
)
def test_legal_basis_by_offence_date(
    basis: str, offence_date: date | None, failed: bool, warned: bool
) -> None:
    decision = check(cand(legal_basis=basis, offence_date=offence_date), LIHI)
    for p in decision.programmes:
        assert ("NO_LEGAL_BASIS" in codes(p.reasons)) is failed, p.programme
        assert ("OFFENCE_DATE_NOT_KNOWN" in codes(p.warnings)) is warned, p.programme


def test_a_cro_for_a_later_offence_says_what_would_do() -> None:
    reason = next(
        r
        for r in get(check(cand(legal_basis="community_rehabilitation_order")), "isotp").reasons
        if r.code == "NO_LEGAL_BASIS"
    )
    assert "before 4 April 2005" in reason.message and "1 May 2024" in reason.message


def _terms_ending(ends_on: date) -> dict:
    return {key: dataclasses.replace(t, ends_on=ends_on) for key, t in TERMS.items()}


@pytest.mark.parametrize(
    ("supervision_end", "ends_on", "failed"),
    [
        (date(2026, 6, 1), date(2026, 6, 1), False),  # the last session on the last day of supervision
        (date(2026, 6, 1), date(2026, 6, 2), True),
        (date(2026, 6, 1), date(2026, 5, 1), False),
    ],
)
def test_supervision_ends_too_soon_for_every_programme(
    supervision_end: date, ends_on: date, failed: bool
) -> None:
    decision = check(cand(supervision_end=supervision_end), LIHI, _terms_ending(ends_on))
    for p in decision.programmes:
        assert ("SUPERVISION_ENDS_TOO_SOON" in codes(p.reasons)) is failed, p.programme
    if failed:
        reason = next(r for r in get(decision, "isotp").reasons if r.code == "SUPERVISION_ENDS_TOO_SOON")
        assert (
            "2 June 2026" in reason.message
            and "1 June 2026" in reason.message
            and "35 sessions" in reason.message
        )


def test_the_catalogue_schedule_decides_the_end() -> None:
    """From START, the i-SOTP group's 35 weekly sessions with the bank holidays end on TERMS' date."""
    end = TERMS[("isotp", "group")].ends_on
    assert end is not None
    assert "SUPERVISION_ENDS_TOO_SOON" not in codes(get(check(cand(supervision_end=end)), "isotp").reasons)
    day_before = end - dataclasses.replace(BASE).planned_start.resolution
    assert "SUPERVISION_ENDS_TOO_SOON" in codes(get(check(cand(supervision_end=day_before)), "isotp").reasons)


def test_an_unknown_supervision_end_is_a_plain_warning() -> None:
    decision = check(cand(supervision_end=None))
    for p in decision.programmes:
        assert "SUPERVISION_END_NOT_KNOWN" in codes(p.warnings)
        assert p.eligible and not p.provisional


def test_supervision_too_short_holds_for_nsogp() -> None:
    nsogp = get(check(cand(supervision_months=23, offences=("contact_sexual_child",))), "nsogp")
    assert codes(nsogp.reasons) == ["SUPERVISION_TOO_SHORT"]


@pytest.mark.parametrize(("age", "applicable"), [(17, False), (18, True)])
def test_rm2000_is_not_applicable_under_18(age: int, applicable: bool) -> None:
    """domain.md §3: under 18 at the planned start RM2000 is not applicable, so the one-to-one can be final."""
    one = get(check(cand(age=age, rm2000_s=None)), "isotp", "one_to_one")
    assert ("RM2000_NOT_APPLICABLE" in codes(one.warnings)) is not applicable
    assert ("RM2000_NOT_ASSESSED" in codes(one.warnings)) is applicable
    assert one.eligible and one.provisional is applicable
    rec = check(cand(age=age, rm2000_s=None)).recommendation
    assert (rec.programme, rec.format, rec.provisional) == ("isotp", "one_to_one", applicable)


def test_a_recorded_rm2000_is_not_read_under_18() -> None:
    one = get(check(cand(age=17, rm2000_s="very_high")), "isotp", "one_to_one")
    assert one.eligible and "RM2000_VERY_HIGH" not in codes(one.reasons)


@pytest.mark.parametrize(("no_contact", "contact_failed"), [((), True), (("contact_sexual_child",), False)])
def test_contact_is_a_fact_of_the_conviction(no_contact: tuple[str, ...], contact_failed: bool) -> None:
    """domain.md §3: the offence table gives the default; a conviction recorded as no contact is not contact."""
    decision = check(cand(offences=("iioc_possess", "contact_sexual_child"), no_contact=no_contact))
    assert ("CONTACT_OFFENCE" in codes(get(decision, "isotp").reasons)) is contact_failed


def test_online_grooming_still_fails_isotp() -> None:
    decision = check(cand(offences=("iioc_possess", "grooming_meeting_child")))
    assert "INTERNET_USED_TO_MEET_CHILDREN" in codes(get(decision, "isotp").reasons)


@pytest.mark.parametrize(
    ("age", "route"), [(16, None), (17, "young_adult_band"), (20, "young_adult_band"), (21, "adult_band")]
)
def test_the_young_adult_band_comes_from_the_catalogue(age: int, route: str | None) -> None:
    group = get(check(cand(age=age), BAND), "isotp")
    assert group.route == route
    narrower = {
        **TERMS,
        ("isotp", "group"): dataclasses.replace(TERMS[("isotp", "group")], young_adult_band=(18, 21)),
    }
    assert get(check(cand(age=17), BAND, narrower), "isotp").route is None


def test_missing_terms_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no terms for nsogp group"):
        check(BASE, terms={k: v for k, v in TERMS.items() if k != ("nsogp", "group")})


def test_programme_terms_are_plain_values() -> None:
    assert ProgrammeTerms(min_age=21) == ProgrammeTerms(21, None, None, None, None)


# --- contact recorded on the conviction (review of issue 7, no. 2) ---------------------------------------------


@pytest.mark.parametrize(
    ("offence_code", "category", "contact", "refused"),
    [
        ("soa2003_s5", "contact_sexual_child", False, True),
        ("soa2003_s7", "contact_sexual_child", False, True),
        ("soa2003_s1", "contact_sexual_adult", False, True),
        ("soa2003_s8", "contact_sexual_child", False, False),
        ("soa2003_s10", "contact_sexual_child", False, False),
        ("soa2003_s5", "contact_sexual_child", True, False),
        ("soa2003_s5", "contact_sexual_child", None, False),
        ("cja1988_s160", "iioc_possess", True, False),
        ("cja1988_s160", "iioc_possess", False, False),
    ],
)
def test_contact_may_be_recorded_only_as_the_offence_allows(offence_code, category, contact, refused):
    assert (contact_refused(offence_code, category, contact) is not None) is refused


def test_an_image_offence_recorded_as_contact_is_contact():
    decision = get(check(cand(recorded_contact=("iioc_possess",))), "isotp")
    assert "CONTACT_OFFENCE" in {r.code for r in decision.reasons}
    assert not decision.eligible
    assert "CONTACT_OFFENCE" not in {r.code for r in get(check(cand()), "isotp").reasons}


def test_recorded_contact_must_name_a_recorded_offence():
    with pytest.raises(ValueError, match="recorded_contact"):
        check(cand(recorded_contact=("contact_sexual_child",)))
