"""Review of issue 7, nos. 3 and 14: the calculators' and the eligibility check's own input checks refuse, on the
field to correct, a date before the date of birth (it was a ValueError, a 500), a date of birth that makes someone
older than 110, an offence after the planned start and an absurd count of previous sanctions. Pages and the API
share these checks; boundaries either side."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from isotp.dates import MAX_AGE, too_old
from referrals.rules.eligibility import check_facts
from referrals.rules.ogrs3 import MAX_PREVIOUS_SANCTIONS
from referrals.rules.ogrs3 import check_input as ogrs3_check
from referrals.rules.rm2000 import check_input as rm2000_check
from tests.referrals.test_rules_eligibility import BASE, START
from tests.referrals.test_rules_ogrs3 import CONVICTED
from tests.referrals.test_rules_ogrs3 import make as ogrs3_input
from tests.referrals.test_rules_rm2000 import ASSESSMENT
from tests.referrals.test_rules_rm2000 import make as rm2000_input


def fields(refusals) -> list[str]:
    return [r.field for r in refusals]


@pytest.mark.parametrize(
    ("born", "on", "refused"),
    [
        (date(1916, 6, 1), date(2026, 6, 1), False),  # exactly 110
        (date(1915, 6, 2), date(2026, 6, 1), False),  # 110, 111 tomorrow
        (date(1915, 6, 1), date(2026, 6, 1), True),  # 111 today
        (date(1800, 1, 1), date(2026, 6, 1), True),
        (date(2027, 1, 1), date(2026, 6, 1), False),  # before birth: another check's refusal, not this one
    ],
)
def test_too_old_boundary(born, on, refused):
    assert MAX_AGE == 110
    assert (too_old(born, on) is not None) is refused


# --- OGRS3 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"assessment_date": date(2000, 5, 31)}, ["assessment_date", "conviction_date"]),  # day before birth
        (
            {"assessment_date": date(2000, 6, 1)},
            ["date_of_birth", "conviction_date"],
        ),  # birthday: age 0
        (
            {"date_of_birth": date(1800, 1, 1), "age_at_first_sanction": 20, "previous_sanctions": 1},
            ["date_of_birth"],
        ),
        ({"previous_sanctions": MAX_PREVIOUS_SANCTIONS, "age_at_first_sanction": 15}, []),
        (
            {"previous_sanctions": MAX_PREVIOUS_SANCTIONS + 1, "age_at_first_sanction": 15},
            ["previous_sanctions"],
        ),
        ({"previous_sanctions": 10**9, "age_at_first_sanction": 15}, ["previous_sanctions"]),
    ],
)
def test_ogrs3_input_checks(overrides, expected):
    refusals = ogrs3_check(ogrs3_input(20, **overrides))
    assert date(2020, 6, 1) == CONVICTED
    assert fields(refusals)[: len(expected)] == expected if expected else refusals == ()


def test_ogrs3_assessment_before_birth_names_the_field_and_does_not_raise():
    (first, *_) = ogrs3_check(ogrs3_input(20, assessment_date=date(1990, 1, 1)))
    assert first.field == "assessment_date"
    assert "before the date of birth" in first.message


# --- RM2000 -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        (date(1980, 2, 29), ["assessment_date"]),
        (date(1980, 3, 1), ["date_of_birth"]),  # the birthday: age 0, under 18
    ],
)
def test_rm2000_assessment_before_birth(assessment, expected):
    inp = rm2000_input(40, assessment_date=assessment)  # born 1 March 1980
    assert ASSESSMENT.year == 2024
    assert fields(rm2000_check(inp))[: len(expected)] == expected


def test_rm2000_date_of_birth_in_1800_is_refused():
    inp = rm2000_input(40, date_of_birth=date(1800, 1, 1))
    assert fields(rm2000_check(inp)) == ["date_of_birth"]


# --- eligibility check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, []),
        (
            {"planned_start": date(1990, 8, 31), "offence_date": None},
            ["planned_start"],
        ),  # born 1 September 1990
        ({"planned_start": date(1990, 9, 1), "offence_date": None}, []),
        ({"offence_date": date(1990, 8, 31)}, ["offence_date"]),
        ({"offence_date": date(1990, 9, 1)}, []),
        ({"offence_date": START}, []),  # on the planned start: possible
        ({"offence_date": date(2025, 9, 2)}, ["offence_date"]),  # the day after the planned start
        ({"supervision_end": date(1990, 8, 31)}, ["supervision_end"]),
        ({"date_of_birth": date(1800, 1, 1), "offence_date": None}, ["date_of_birth"]),
        ({"date_of_birth": date(1915, 9, 1), "offence_date": None}, []),  # exactly 110 on the planned start
    ],
)
def test_eligibility_facts(overrides, expected):
    assert BASE.date_of_birth == date(1990, 9, 1)
    assert fields(check_facts(dataclasses.replace(BASE, **overrides))) == expected
