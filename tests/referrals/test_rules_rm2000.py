"""Risk Matrix 2000 calculator: every band edge, every refusal, the scoring table checks (domain.md §4)."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.rules.rm2000 import (
    _BAND_TABLES,
    DEFAULT_SCORING_TABLE,
    InvalidScoringTable,
    RM2000Input,
    RM2000Refused,
    check_input,
    score,
    validate_scoring_table,
)

COMMENCEMENT = date(2020, 3, 1)
ASSESSMENT = date(2024, 3, 1)
FACTORS = ("male_victim", "stranger_victim", "non_contact_offence", "single")
CATEGORIES = ("low", "medium", "high", "very_high")


def make(age_at_commencement: int = 40, **overrides: Any) -> RM2000Input:
    """A man whose birthday falls on the commencement of risk date, so his age there is exact."""
    base = RM2000Input(
        sex="male",
        date_of_birth=date(COMMENCEMENT.year - age_at_commencement, 3, 1),
        assessment_date=ASSESSMENT,
        commencement_of_risk_date=COMMENCEMENT,
        sexual_appearances=1,
        criminal_appearances=1,
        violent_appearances=0,
        burglary=False,
        male_victim=False,
        stranger_victim=False,
        non_contact_offence=False,
        single=False,
    )
    return dataclasses.replace(base, **overrides)


def with_factors(n: int, **overrides: Any) -> RM2000Input:
    return make(**overrides, **{f: i < n for i, f in enumerate(FACTORS)})


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"sex": "female"}, "sex", "only valid for males"),
        (
            {"date_of_birth": date(2006, 3, 2), "commencement_of_risk_date": date(2024, 1, 1)},
            "date_of_birth",
            "17",
        ),
        ({"sexual_appearances": 0}, "sexual_appearances", "at least one sexual appearance"),
        ({"sexual_appearances": -1}, "sexual_appearances", "cannot be negative (-1)"),
        ({"criminal_appearances": -2}, "criminal_appearances", "cannot be negative (-2)"),
        ({"violent_appearances": -1}, "violent_appearances", "cannot be negative (-1)"),
        ({"sexual_appearances": 3, "criminal_appearances": 2}, "criminal_appearances", "cannot be fewer"),
        (
            {"commencement_of_risk_date": date(1970, 1, 1)},
            "commencement_of_risk_date",
            "before the date of birth",
        ),
        ({"sexual_offence_after_16": False}, "sexual_offence_after_16", "after the age of 16"),
    ],
)
def test_refusals_name_the_field_and_say_why(overrides: dict[str, Any], field: str, words: str) -> None:
    inp = make(**overrides)
    with pytest.raises(RM2000Refused) as excinfo:
        score(inp)
    assert excinfo.value.field == field
    assert words in excinfo.value.message
    assert str(excinfo.value) == excinfo.value.message
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize(
    ("date_of_birth", "refused"),
    [
        (date(2006, 3, 2), True),  # 17 on the assessment date: birthday is the next day
        (date(2006, 3, 1), False),  # 18 on the assessment date itself
        (date(2005, 3, 1), False),
    ],
)
def test_age_17_at_assessment_is_refused_and_18_is_scored(date_of_birth: date, refused: bool) -> None:
    inp = make(date_of_birth=date_of_birth, commencement_of_risk_date=date(2024, 3, 1))
    if refused:
        with pytest.raises(RM2000Refused, match="only valid from age 18: he is 17"):
            score(inp)
    else:
        assert score(inp).s_step1_points == 2  # 18 at commencement: 18-24 band


@pytest.mark.parametrize(("assessment", "refused"), [(date(2022, 2, 28), True), (date(2022, 3, 1), False)])
def test_29_february_birthday_reaches_18_on_1_march(assessment: date, refused: bool) -> None:
    inp = make(
        date_of_birth=date(2004, 2, 29), assessment_date=assessment, commencement_of_risk_date=assessment
    )
    assert bool(check_input(inp)) is refused


def test_female_is_refused_even_with_other_problems_and_check_input_lists_them_all() -> None:
    inp = make(sex="female", sexual_appearances=0, violent_appearances=-1)
    assert [r.field for r in check_input(inp)] == ["sex", "violent_appearances", "sexual_appearances"]
    with pytest.raises(RM2000Refused) as excinfo:
        score(inp)
    assert excinfo.value.field == "sex"
    assert excinfo.value.message == "Risk Matrix 2000 is only valid for males"


@pytest.mark.parametrize(
    ("commencement", "warned"),
    [(ASSESSMENT, False), (ASSESSMENT.replace(day=2), True), (date(2026, 3, 1), True)],
)
def test_a_commencement_after_the_assessment_is_a_pre_release_assessment(
    commencement: date, warned: bool
) -> None:
    """domain.md §4: accepted with a warning; the age item is the age at release."""
    inp = make(date_of_birth=date(1990, 3, 1), commencement_of_risk_date=commencement)
    result = score(inp)
    assert bool(result.warnings) is warned
    assert result.as_dict()["warnings"] == list(result.warnings)
    if warned:
        assert "pre-release assessment" in result.warnings[0]
        assert result.age_at_commencement == commencement.year - 1990


def test_age_at_commencement_below_every_band_is_refused() -> None:
    # 16 at commencement of risk, 20 at assessment: the table's youngest band starts at 18.
    with pytest.raises(RM2000Refused) as excinfo:
        score(make(age_at_commencement=16))
    assert excinfo.value.field == "commencement_of_risk_date"
    assert "(16)" in excinfo.value.message


# --- step 1 of RM2000/S ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "s_points", "v_points"),
    [(18, 2, 3), (24, 2, 3), (25, 1, 2), (34, 1, 2), (35, 0, 1), (44, 0, 1), (45, 0, 0), (70, 0, 0)],
)
def test_age_at_commencement_band_edges(age: int, s_points: int, v_points: int) -> None:
    result = score(make(age_at_commencement=age))
    assert result.s_step1_points == s_points  # sexual 1 and criminal 1 add nothing
    assert result.v_points == v_points  # no violence, no burglary


def test_age_at_commencement_is_whole_years_at_the_commencement_date() -> None:
    # 25th birthday the day after commencement: still 24, so 2 points.
    inp = make(date_of_birth=date(1995, 3, 2), commencement_of_risk_date=date(2020, 3, 1))
    assert score(inp).s_step1_points == 2
    assert score(make(date_of_birth=date(1995, 3, 1))).s_step1_points == 1


@pytest.mark.parametrize(
    ("sexual", "criminal", "points"),
    [
        (1, 1, 0),
        (2, 2, 1),
        (3, 3, 2),
        (4, 4, 2),
        (5, 5, 4),
        (9, 9, 4),
        (1, 4, 0),
        (1, 5, 1),
        (2, 4, 1),
        (4, 12, 3),
    ],
)
def test_sexual_and_criminal_appearance_band_edges(sexual: int, criminal: int, points: int) -> None:
    result = score(make(sexual_appearances=sexual, criminal_appearances=criminal))
    assert result.s_step1_points == points


@pytest.mark.parametrize(
    ("age", "sexual", "criminal", "total", "category"),
    [
        (40, 1, 1, 0, "low"),
        (30, 1, 1, 1, "medium"),
        (20, 1, 1, 2, "medium"),
        (20, 2, 2, 3, "high"),
        (20, 3, 3, 4, "high"),
        (20, 3, 5, 5, "very_high"),
        (20, 5, 5, 6, "very_high"),
    ],
)
def test_step1_totals_and_categories(age: int, sexual: int, criminal: int, total: int, category: str) -> None:
    result = score(make(age_at_commencement=age, sexual_appearances=sexual, criminal_appearances=criminal))
    assert (result.s_step1_points, result.s_step1_category) == (total, category)
    assert result.s_category == category  # no aggravating factors


# --- step 2 of RM2000/S ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step1", "factors", "expected", "capped"),
    [
        ({}, 0, "low", False),
        ({}, 1, "low", False),
        ({}, 2, "medium", False),
        ({}, 3, "medium", False),
        ({}, 4, "high", False),
        ({"age_at_commencement": 30}, 4, "very_high", False),  # medium + 2
        (
            {"age_at_commencement": 20, "sexual_appearances": 2, "criminal_appearances": 2},
            2,
            "very_high",
            False,
        ),
        (
            {"age_at_commencement": 20, "sexual_appearances": 2, "criminal_appearances": 2},
            4,
            "very_high",
            True,
        ),
        (
            {"age_at_commencement": 20, "sexual_appearances": 5, "criminal_appearances": 5},
            1,
            "very_high",
            False,
        ),
        (
            {"age_at_commencement": 20, "sexual_appearances": 5, "criminal_appearances": 5},
            3,
            "very_high",
            True,
        ),
    ],
)
def test_aggravating_factors_raise_the_category_never_above_very_high(
    step1: dict[str, Any], factors: int, expected: str, capped: bool
) -> None:
    result = score(with_factors(factors, **step1))
    assert result.aggravating_factors == factors
    assert result.s_category == expected
    assert any("capped at Very High" in line for line in result.working) is capped


@pytest.mark.parametrize("factor", FACTORS)
def test_each_aggravating_factor_counts(factor: str) -> None:
    assert score(make(**{factor: True})).aggravating_factors == 1


# --- RM2000/V and RM2000/C ------------------------------------------------------------------------


@pytest.mark.parametrize(("violent", "points"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (7, 3)])
def test_violent_appearance_band_edges(violent: int, points: int) -> None:
    assert score(make(age_at_commencement=45, violent_appearances=violent)).v_points == points


def test_burglary_adds_two_points() -> None:
    assert score(make(age_at_commencement=45, burglary=True)).v_points == 2


@pytest.mark.parametrize(
    ("age", "violent", "burglary", "total", "category"),
    [
        (45, 0, False, 0, "low"),
        (40, 0, False, 1, "low"),
        (30, 0, False, 2, "medium"),
        (20, 0, False, 3, "medium"),
        (20, 1, False, 4, "high"),
        (20, 2, False, 5, "high"),
        (20, 4, False, 6, "very_high"),
        (20, 4, True, 8, "very_high"),
    ],
)
def test_v_totals_and_categories(age: int, violent: int, burglary: bool, total: int, category: str) -> None:
    result = score(make(age_at_commencement=age, violent_appearances=violent, burglary=burglary))
    assert (result.v_points, result.v_category) == (total, category)


# At commencement age 35, S age points are 0 and V age points are 1, so S and V can be set independently.
S_AT_35 = {
    "low": {},
    "medium": {"sexual_appearances": 2, "criminal_appearances": 2},
    "high": {"sexual_appearances": 3, "criminal_appearances": 5},
    "very_high": {"sexual_appearances": 3, "criminal_appearances": 5, "male_victim": True, "single": True},
}
V_AT_35 = {
    "low": {},
    "medium": {"violent_appearances": 1},
    "high": {"violent_appearances": 4},
    "very_high": {"violent_appearances": 4, "burglary": True},
}
C_BY_SUM = {0: "low", 1: "medium", 2: "medium", 3: "high", 4: "high", 5: "very_high", 6: "very_high"}


@pytest.mark.parametrize("s_category", CATEGORIES)
@pytest.mark.parametrize("v_category", CATEGORIES)
def test_c_combines_s_and_v_category_points(s_category: str, v_category: str) -> None:
    result = score(make(age_at_commencement=35, **S_AT_35[s_category], **V_AT_35[v_category]))
    assert (result.s_category, result.v_category) == (s_category, v_category)
    assert result.c_category == C_BY_SUM[CATEGORIES.index(s_category) + CATEGORIES.index(v_category)]


# --- working and output ---------------------------------------------------------------------------


def test_working_shows_each_step_in_plain_english() -> None:
    result = score(
        make(
            age_at_commencement=23,
            sexual_appearances=3,
            criminal_appearances=5,
            male_victim=True,
            single=True,
            violent_appearances=2,
            burglary=True,
        )
    )
    working = "\n".join(result.working)
    assert "Age at commencement of risk 23 (18–24): 2 points" in working
    assert "Sexual appearances 3 (3–4): 2 points" in working
    assert "Criminal appearances 5 (5 or more): 1 point" in working
    assert "RM2000/S step 1 total 5: Very High" in working
    assert "2 aggravating factors (male victim, single): up 1 category" in working
    assert "burglary conviction yes: 2 points" in working
    assert "RM2000/V total 7: Very High" in working
    assert "RM2000/C: S Very High (3) + V Very High (3) = 6: Very High" in working
    assert result.table_version == "2003-commonly-cited-1"


def test_as_dict_has_the_agreed_shape_and_is_json() -> None:
    data = score(make()).as_dict()
    assert data["s"] == {
        "step1_points": 0,
        "step1_category": "low",
        "aggravating_factors": 0,
        "category": "low",
    }
    assert data["v"] == {"points": 1, "category": "low"}
    assert data["c"] == {"category": "low"}
    assert set(data) == {"s", "v", "c", "working", "warnings", "table_version"}
    assert json.loads(json.dumps(data)) == data


# --- the scoring table ----------------------------------------------------------------------------


def test_default_table_is_valid_and_json_serialisable() -> None:
    assert validate_scoring_table(DEFAULT_SCORING_TABLE) == []
    assert json.loads(json.dumps(DEFAULT_SCORING_TABLE)) == DEFAULT_SCORING_TABLE
    assert "Thornton (2007)" in DEFAULT_SCORING_TABLE["source_note"]
    assert (
        "sections 13 to 15" in DEFAULT_SCORING_TABLE["source_note"]
    )  # in words: the note is shown on screen


def _broken(change: Any) -> dict[str, Any]:
    table = copy.deepcopy(DEFAULT_SCORING_TABLE)
    change(table)
    return table


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t["s"]["sexual_appearances"][2].update(min=4), "gap, no band covers 3"),
        (lambda t: t["s"]["sexual_appearances"][2].update(min=2), "overlaps"),
        (lambda t: t["v"]["violent_appearances"][1].update(points=-1), "points must be a whole number"),
        (lambda t: t["v"]["violent_appearances"][1].update(points=True), "points must be a whole number"),
        (lambda t: t.update(extra=1), "unknown key(s): extra"),
        (lambda t: t["s"].update(colour="red"), "RM2000/S has unknown key(s): colour"),
        (lambda t: t["s"]["uplift"][0].update(bonus=1), "unknown key(s): bonus"),
        (lambda t: t.pop("version"), "missing: version"),
        (lambda t: t.update(version=""), "version must be some text"),
        (lambda t: t["v"]["categories"][3].update(max=7), "last band must be open-ended"),
        (lambda t: t["c"]["categories"][1].update(category="moderate"), "category must be one of"),
        (lambda t: t["c"]["categories"][2].update(category="low"), "must not go down"),
        (lambda t: t["s"]["uplift"][2].update(steps=0), "steps must not go down"),
        (lambda t: t["s"]["criminal_appearances"].pop(0), "first band must start at 1 or lower"),
        (lambda t: t["s"]["age_at_commencement"][0].update(min=20), "first band must start at 18 or lower"),
        (lambda t: t["s"]["criminal_appearances"][0].update(max=0), "max empty or at least min"),
        (lambda t: t["s"].update(sexual_appearances=[]), "at least one band"),
        (lambda t: t["s"].update(aggravating_factors=["tattoos"]), "aggravating factors must be a list"),
        (lambda t: t["s"].update(aggravating_factors=["single", "single"]), "more than once"),
        (lambda t: t["v"].update(burglary_points=-2), "burglary points"),
        (lambda t: t["c"]["category_points"].update(low=-1), "category points must be whole numbers"),
        (lambda t: t["c"]["category_points"].update(low=5), "must not go down from low"),
        (lambda t: t["c"]["category_points"].pop("high"), "missing: high"),
        (lambda t: t.update(v="none"), "RM2000/V must be an object"),
    ],
)
def test_validate_scoring_table_explains_each_problem(change: Any, words: str) -> None:
    problems = validate_scoring_table(_broken(change))
    assert problems, "expected a problem"
    assert any(words in p for p in problems), problems


def test_validate_scoring_table_refuses_a_non_object() -> None:
    assert validate_scoring_table(["not", "a", "table"]) == [
        "The scoring table must be an object with the keys c, s, source_note, v, version"
    ]


def test_score_refuses_an_invalid_table() -> None:
    table = _broken(lambda t: t["s"]["sexual_appearances"][2].update(min=4))
    with pytest.raises(InvalidScoringTable) as excinfo:
        score(make(), table)
    assert excinfo.value.problems == ("RM2000/S sexual appearances: there is a gap, no band covers 3",)


def test_an_edited_table_changes_the_score_and_the_version() -> None:
    table = copy.deepcopy(DEFAULT_SCORING_TABLE)
    table["version"] = "cheshire-2025-1"
    table["s"]["criminal_appearances"] = [
        {"min": 1, "max": 5, "points": 0},
        {"min": 6, "max": None, "points": 1},
    ]
    assert validate_scoring_table(table) == []
    inp = make(criminal_appearances=5)
    assert score(inp).s_step1_points == 1
    result = score(inp, table)
    assert result.s_step1_points == 0
    assert result.table_version == "cheshire-2025-1"
    assert "Scoring table cheshire-2025-1" in result.working[0]


# --- properties -----------------------------------------------------------------------------------

valid_inputs = st.builds(
    make,
    age_at_commencement=st.integers(18, 80),
    sexual_appearances=st.integers(1, 12),
    criminal_appearances=st.integers(12, 40),
    violent_appearances=st.integers(0, 10),
    burglary=st.booleans(),
    male_victim=st.booleans(),
    stranger_victim=st.booleans(),
    non_contact_offence=st.booleans(),
    single=st.booleans(),
)


@given(valid_inputs, st.sampled_from(FACTORS))
def test_adding_an_aggravating_factor_never_lowers_the_category(inp: RM2000Input, factor: str) -> None:
    without: dict[str, Any] = {factor: False}
    with_it: dict[str, Any] = {factor: True}
    before = score(dataclasses.replace(inp, **without))
    after = score(dataclasses.replace(inp, **with_it))
    assert CATEGORIES.index(after.s_category) >= CATEGORIES.index(before.s_category)
    assert CATEGORIES.index(after.c_category) >= CATEGORIES.index(before.c_category)


@given(valid_inputs, st.integers(1, 11))
def test_s_category_is_monotone_in_sexual_appearances(inp: RM2000Input, n: int) -> None:
    fewer = score(dataclasses.replace(inp, sexual_appearances=n))
    more = score(dataclasses.replace(inp, sexual_appearances=n + 1))
    assert more.s_step1_points >= fewer.s_step1_points
    assert CATEGORIES.index(more.s_category) >= CATEGORIES.index(fewer.s_category)


@given(valid_inputs)
def test_every_valid_input_scores_to_known_categories(inp: RM2000Input) -> None:
    result = score(inp)
    assert {result.s_step1_category, result.s_category, result.v_category, result.c_category} <= set(
        CATEGORIES
    )
    assert 0 <= result.s_step1_points <= 6
    assert CATEGORIES.index(result.s_category) >= CATEGORIES.index(result.s_step1_category)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_validate_scoring_table_never_crashes_on_any_json(value: object) -> None:
    problems = validate_scoring_table(value)
    assert problems and all(isinstance(p, str) for p in problems)


@given(st.sampled_from(["s", "v", "c"]), json_values)
def test_validate_scoring_table_never_crashes_on_a_damaged_scale(scale: str, value: object) -> None:
    table = copy.deepcopy(DEFAULT_SCORING_TABLE)
    table[scale] = value
    assert all(isinstance(p, str) for p in validate_scoring_table(table))


@given(st.sampled_from(sorted(_BAND_TABLES)), json_values)
def test_validate_scoring_table_never_crashes_on_a_damaged_band_table(
    where: tuple[str, str], value: object
) -> None:
    table = copy.deepcopy(DEFAULT_SCORING_TABLE)
    table[where[0]][where[1]] = value
    problems = validate_scoring_table(table)
    assert problems and all(isinstance(p, str) for p in problems)


@given(
    st.sampled_from(sorted(_BAND_TABLES)),
    st.integers(0, 3),
    st.sampled_from(["min", "max", "points", "steps", "category"]),
    json_values,
)
def test_validate_scoring_table_never_crashes_on_a_damaged_band(
    where: tuple[str, str], index: int, key: str, value: object
) -> None:
    table = copy.deepcopy(DEFAULT_SCORING_TABLE)
    bands = table[where[0]][where[1]]
    bands[index % len(bands)][key] = value
    assert all(isinstance(p, str) for p in validate_scoring_table(table))
