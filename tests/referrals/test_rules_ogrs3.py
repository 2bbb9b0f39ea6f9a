"""OGRS3 (domain.md §4.1): the published check values exactly, every band edge, every refusal, the table checks,
and the properties that hold for any input (more previous sanctions never lowers the score; 2 years >= 1 year)."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.rules.ogrs3 import (
    DEFAULT_COEFFICIENT_TABLE,
    InvalidCoefficientTable,
    OGRS3Input,
    OGRS3Refused,
    band_for,
    check_input,
    percent,
    score,
    validate_coefficient_table,
)

CONVICTED = date(2020, 6, 1)


def make(age: int = 20, **overrides: Any) -> OGRS3Input:
    """Someone whose birthday falls on the conviction date, assessed that day: both ages are exactly `age`."""
    base = OGRS3Input(
        sex="male",
        date_of_birth=date(CONVICTED.year - age, 6, 1),
        conviction_date=CONVICTED,
        assessment_date=CONVICTED,
        age_at_first_sanction=age,
        previous_sanctions=0,
        offence_group="violence",
    )
    return dataclasses.replace(base, **overrides)


# --- the published check values (rsr-calculator tests, domain.md §4.1) ---------------------------------


@pytest.mark.parametrize(
    ("previous", "first", "one_year", "two_year"),
    [
        (0, 20, 0.121616, 0.221305),  # convicted of violence at 20, first sanction at 20, no previous
        (1, 20, 0.315812, 0.486518),  # the same with one previous sanction
    ],
)
def test_published_check_values_exactly(previous, first, one_year, two_year):
    result = score(make(20, previous_sanctions=previous, age_at_first_sanction=first))
    assert (result.one_year, result.two_year) == (one_year, two_year)
    assert (result.one_year_percent, result.two_year_percent) == (
        round(one_year * 100),
        round(two_year * 100),
    )
    assert result.band == "low"
    assert result.table_version == DEFAULT_COEFFICIENT_TABLE["version"]


def test_working_shows_each_term_and_the_result():
    working = score(make(20)).working
    assert working[0] == "Coefficient table ogrs3-2009-1"
    assert any(line.startswith("Copas rate: ln((0 + 1) / (10 + 20 \u2212 20))") for line in working)
    assert any("no previous sanction: +0.1261" in line for line in working)
    assert any("male (18\u201320): \u22120.6251" in line for line in working)
    assert any(line.startswith("1 year:") and "0.1216 (12%)" in line for line in working)
    assert any(line.startswith("2 years:") and "0.2213 (22%)" in line for line in working)
    assert working[-1] == "Band on the 2-year score, 22% (0\u201349): Low"


# --- bands and rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("two_year_percent", "band"),
    [
        (0, "low"),
        (49, "low"),
        (50, "medium"),
        (74, "medium"),
        (75, "high"),
        (89, "high"),
        (90, "very_high"),
        (100, "very_high"),
    ],
)
def test_band_edges(two_year_percent, band):
    assert band_for(two_year_percent) == band


@pytest.mark.parametrize(
    ("p", "whole"),
    [(0.0, 0), (0.494999, 49), (0.495, 50), (0.485, 49), (0.745, 75), (0.8949, 89), (1.0, 100)],
)
def test_percentages_round_half_up(p, whole):
    assert percent(p) == whole


def _scored_at_each_band() -> list[tuple[OGRS3Input, str]]:
    """Real inputs on both sides of each band edge, found by walking the previous sanctions up."""
    found: dict[str, OGRS3Input] = {}
    for previous in range(1, 60):
        inp = make(20, age_at_first_sanction=10, previous_sanctions=previous, offence_group="theft_non_motor")
        found.setdefault(score(inp).band, inp)
    return [(inp, band) for band, inp in found.items()]


@pytest.mark.parametrize(("inp", "band"), _scored_at_each_band())
def test_every_band_is_reached_by_a_real_score(inp, band):
    result = score(inp)
    assert result.band == band == band_for(result.two_year_percent)


def test_all_four_bands_are_reachable():
    assert {band for _, band in _scored_at_each_band()} == {"low", "medium", "high", "very_high"}


@pytest.mark.parametrize(
    ("age", "male", "female"),
    [
        (18, -0.625103618, -0.897480934),
        (20, -0.625103618, -0.897480934),
        (21, -1.051515067, -1.028488454),
        (49, -1.499690953, -1.524652221),
        (50, -2.025261458, -2.449837160),
        (80, -2.025261458, -2.449837160),
    ],
)
def test_age_and_sex_band_edges(age, male, female):
    """Each age edge takes its row's coefficient: the 1-year z differs by exactly the coefficient."""

    def z(inp: OGRS3Input) -> float:
        p = score(inp).one_year
        return math.log(p / (1 - p))

    base = make(age, offence_group="violence")
    assert z(base) - z(dataclasses.replace(base, sex="female")) == pytest.approx(male - female, abs=1e-4)


# --- refusals (each names the field to correct) --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"sex": "unknown"}, "sex", "male or female"),
        ({"date_of_birth": date(2020, 6, 1)}, "date_of_birth", "before the conviction date"),
        ({"date_of_birth": date(2003, 6, 2)}, "date_of_birth", "starts at age 18"),
        ({"conviction_date": date(2020, 6, 2)}, "conviction_date", "after the assessment date"),
        ({"age_at_first_sanction": 9, "previous_sanctions": 1}, "age_at_first_sanction", "below 10"),
        (
            {"age_at_first_sanction": 21, "previous_sanctions": 1},
            "age_at_first_sanction",
            "after the current",
        ),
        ({"age_at_first_sanction": 15}, "age_at_first_sanction", "current conviction is the first"),
        ({"previous_sanctions": -1, "age_at_first_sanction": 15}, "previous_sanctions", "cannot be negative"),
        ({"offence_group": "arson"}, "offence_group", "not an offence group"),
    ],
)
def test_impossible_input_is_refused_naming_the_field(overrides, field, words):
    with pytest.raises(OGRS3Refused) as refused:
        score(make(20, **overrides))
    assert refused.value.field == field
    assert words in refused.value.message


def test_every_refusal_is_listed_in_field_order():
    inp = make(20, sex="x", age_at_first_sanction=5, previous_sanctions=-2, offence_group="nope")
    assert [r.field for r in check_input(inp)] == [
        "sex",
        "age_at_first_sanction",
        "previous_sanctions",
        "offence_group",
    ]


def test_age_18_on_the_assessment_date_is_scored():
    assert score(make(18)).band in {"low", "medium", "high", "very_high"}


# --- the coefficient table is data ---------------------------------------------------------------------


def test_default_table_is_valid_and_json():
    assert validate_coefficient_table(DEFAULT_COEFFICIENT_TABLE) == []
    assert json.loads(json.dumps(DEFAULT_COEFFICIENT_TABLE)) == DEFAULT_COEFFICIENT_TABLE


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    table = copy.deepcopy(DEFAULT_COEFFICIENT_TABLE)
    target: Any = table
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return table


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        (("copas",), KeyError, "missing: copas"),
        (("copas",), "1.25", "Copas rate coefficient must be a number"),
        (("intercepts", "two_year"), None, "intercepts must be numbers"),
        (("history", "first"), True, "history must be numbers"),
        (("age_sex", 0, "min"), 17, "starts at 17"),
        (("age_sex", 1, "min"), 22, "starts at 22"),
        (("age_sex", 6, "max"), 99, "must be open-ended"),
        (("age_sex", 2, "female"), "x", "needs a number for male and for female"),
        (("offence_groups", "violence", "coefficient"), float("nan"), "Offence group violence"),
        (("offence_groups",), {}, "non-empty"),
        (("bands", 1, "band"), "extreme", "band must be one of"),
        (("bands", 2, "band"), "low", "must not go down"),
        (("bands", 0, "min"), 1, "starts at 1"),
        (("version",), " ", "version must be some text"),
    ],
)
def test_a_broken_table_is_refused_in_plain_english(path, value, words):
    table = _broken(path, value)
    problems = validate_coefficient_table(table)
    assert any(words in p for p in problems), problems
    with pytest.raises(InvalidCoefficientTable):
        score(make(20), table)


def test_a_corrected_table_changes_the_score_without_code():
    table = _broken(("offence_groups", "violence", "coefficient"), 1.0)
    table["version"] = "ogrs3-local-2"
    assert score(make(20), table).one_year > score(make(20)).one_year
    assert score(make(20), table).table_version == "ogrs3-local-2"


# --- properties ------------------------------------------------------------------------------------------

_groups = st.sampled_from(sorted(DEFAULT_COEFFICIENT_TABLE["offence_groups"]))


@st.composite
def inputs(draw: st.DrawFn) -> OGRS3Input:
    age_convicted = draw(st.integers(18, 90))
    dob = date(2000, 1, 1)
    convicted = date(dob.year + age_convicted, draw(st.integers(1, 12)), 15)
    assessed = date(convicted.year + draw(st.integers(0, 3)), convicted.month, 20)
    previous = draw(st.integers(0, 80))
    first = age_convicted if previous == 0 else draw(st.integers(10, age_convicted))
    return OGRS3Input(
        sex=draw(st.sampled_from(["male", "female"])),
        date_of_birth=dob,
        conviction_date=convicted,
        assessment_date=assessed,
        age_at_first_sanction=first,
        previous_sanctions=previous,
        offence_group=draw(_groups),
    )


@given(inputs(), st.integers(1, 20))
def test_more_previous_sanctions_never_lowers_the_score(inp, more):
    before = score(inp)
    after = score(dataclasses.replace(inp, previous_sanctions=inp.previous_sanctions + more))
    assert after.one_year >= before.one_year
    assert after.two_year >= before.two_year


@given(inputs())
def test_two_year_score_is_never_below_one_year(inp):
    result = score(inp)
    assert 0 < result.one_year <= result.two_year < 1
    assert result.one_year_percent <= result.two_year_percent
    assert result.band == band_for(result.two_year_percent)
