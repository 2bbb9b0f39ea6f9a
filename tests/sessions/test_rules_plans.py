"""One-to-one plan checks (domain.md §2.2), age bands and group capacity, at every boundary."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions.rules import (
    Issue,
    age_on,
    check_age_band,
    check_capacity,
    entry_by_code,
    validate_one_to_one_plan,
)

ONE_TO_ONE = entry_by_code("isotp_one_to_one")
# every module at the bottom of its range: 4 + 4 + 4 + 8 + 3 + 5 = 28
BASE = {1: 4, 2: 4, 3: 4, 4: 8, 5: 3, 6: 5}


def codes(issues) -> list[str]:
    return [issue.code for issue in issues]


@pytest.mark.parametrize(
    ("plan", "total_ok"),
    [
        ({1: 4, 2: 4, 3: 4, 4: 2, 5: 1, 6: 4}, False),  # 19
        ({1: 4, 2: 4, 3: 4, 4: 3, 5: 1, 6: 4}, True),  # 20
        ({1: 6, 2: 4, 3: 5, 4: 8, 5: 3, 6: 4}, True),  # 30
        ({1: 6, 2: 4, 3: 5, 4: 9, 5: 3, 6: 4}, False),  # 31
    ],
)
def test_total_boundaries(plan, total_ok):
    check = validate_one_to_one_plan(plan, ONE_TO_ONE)
    assert ("TOTAL_OUT_OF_RANGE" not in codes(check.errors)) is total_ok
    assert check.ok is total_ok


def test_total_message_names_the_range_and_hours():
    check = validate_one_to_one_plan({1: 6, 2: 4, 3: 5, 4: 10, 5: 3, 6: 5}, ONE_TO_ONE)
    assert check.errors == (
        Issue(
            "TOTAL_OUT_OF_RANGE",
            "The plan has 33 sessions: a one-to-one plan must have 20 to 30 sessions (at most 45 hours).",
        ),
    )


def test_the_default_plan_is_valid_and_needs_no_rationale():
    check = validate_one_to_one_plan(BASE, ONE_TO_ONE)
    assert check.ok and check.errors == () and check.needs_rationale == ()


@pytest.mark.parametrize(
    ("module", "count", "outside"),
    [
        (1, 3, True),
        (1, 4, False),
        (1, 6, False),
        (1, 7, True),
        (2, 3, True),
        (2, 4, False),
        (2, 5, True),
        (3, 3, True),
        (3, 4, False),
        (3, 5, False),
        (3, 6, True),
        (4, 7, True),
        (4, 8, False),
        (4, 10, False),
        (4, 11, True),
        (5, 2, True),
        (5, 3, False),
        (5, 6, False),
        (5, 7, True),
        (6, 4, True),
        (6, 5, False),
        (6, 6, True),
    ],
)
def test_module_range_edges_need_a_rationale_not_a_refusal(module, count, outside):
    plan = {**BASE, module: count}
    check = validate_one_to_one_plan(plan, ONE_TO_ONE)
    assert (codes(check.needs_rationale) == ["MODULE_OUTSIDE_RANGE"]) is outside
    assert "MODULE_OUTSIDE_RANGE" not in codes(check.errors)


@pytest.mark.parametrize(
    ("module", "count", "message"),
    [
        (
            4,
            7,
            "Module 4 (Emotional Self-Regulation, Self-Management and Relationship Skills) has 7 sessions, "
            "outside the guidance of 8 to 10 sessions: the treatment manager must record a rationale.",
        ),
        (
            2,
            5,
            "Module 2 (What Needs did Offending Meet?) has 5 sessions, outside the guidance of 4 sessions",
        ),
        (
            5,
            1,
            "Module 5 (Community, Collecting and Compulsivity) has 1 session, outside the guidance of 3 to 6",
        ),
    ],
)
def test_outside_range_message_names_the_module_and_range(module, count, message):
    check = validate_one_to_one_plan({**BASE, module: count}, ONE_TO_ONE)
    assert message in check.needs_rationale[0].message


@pytest.mark.parametrize("missing_as", ["zero", "absent"])
def test_a_module_with_no_sessions_is_an_error(missing_as):
    plan = {**BASE, 3: 0} if missing_as == "zero" else {k: v for k, v in BASE.items() if k != 3}
    check = validate_one_to_one_plan(plan, ONE_TO_ONE)
    assert codes(check.errors) == ["MODULE_MISSING"]
    assert "Module 3 (Victim Awareness and Taking Responsibility) has no sessions" in check.errors[0].message


def test_unknown_and_negative_modules_are_errors():
    check = validate_one_to_one_plan({**BASE, 7: 1, 5: -1}, ONE_TO_ONE)
    assert set(codes(check.errors)) >= {"UNKNOWN_MODULE", "NEGATIVE_SESSIONS"}


def test_sources_disagree_so_a_plan_can_be_in_total_range_yet_outside_module_ranges():
    # domain.md §2.2: the module ranges add to 28-36; 20 sessions is valid but every module is short of guidance.
    plan = {1: 3, 2: 3, 3: 3, 4: 5, 5: 3, 6: 3}
    check = validate_one_to_one_plan(plan, ONE_TO_ONE)
    assert check.ok
    assert [i.message.split(" (")[0] for i in check.needs_rationale] == [
        "Module 1",
        "Module 2",
        "Module 3",
        "Module 4",
        "Module 6",
    ]


@given(st.fixed_dictionaries({n: st.integers(min_value=0, max_value=12) for n in range(1, 7)}))
def test_total_rule_holds_for_any_plan(plan):
    check = validate_one_to_one_plan(plan, ONE_TO_ONE)
    total_ok = 20 <= sum(plan.values()) <= 30
    assert ("TOTAL_OUT_OF_RANGE" in codes(check.errors)) is not total_ok
    assert check.ok is (total_ok and all(plan.values()))


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        ("2006-03-10", "2027-03-09", 20),
        ("2006-03-10", "2027-03-10", 21),
        ("2006-03-10", "2027-03-11", 21),
        ("2008-02-29", "2025-02-28", 16),  # born on 29 February: a year older on 1 March
        ("2008-02-29", "2025-03-01", 17),
        ("2008-02-29", "2028-02-29", 20),
        ("2027-01-01", "2027-01-01", 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(date.fromisoformat(born), date.fromisoformat(on)) == age


def test_age_on_before_birth_is_refused():
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(date(2000, 1, 2), date(2000, 1, 1))


@pytest.mark.parametrize(
    ("age", "band_min", "band_max", "code"),
    [
        (20, 21, None, "UNDER_AGE"),  # 000: group format 21+
        (21, 21, None, None),
        (90, 21, None, None),
        (16, 17, None, "UNDER_AGE"),  # 000: one-to-one 17+
        (17, 17, None, None),
        (17, 17, 21, None),  # 003: young-adult band 17-21
        (21, 17, 21, None),
        (22, 17, 21, "OVER_AGE"),
    ],
)
def test_check_age_band(age, band_min, band_max, code):
    issue = check_age_band(age, band_min, band_max)
    assert (issue.code if issue else None) == code


def test_age_band_messages():
    assert check_age_band(20, 21, None) == Issue("UNDER_AGE", "Aged 20: this is for people aged 21 and over.")
    assert check_age_band(22, 17, 21) == Issue("OVER_AGE", "Aged 22: this is for people aged 17 to 21.")


@pytest.mark.parametrize(("members", "full"), [(0, False), (8, False), (9, False), (10, True), (11, True)])
def test_check_capacity(members, full):
    issue = check_capacity(members, 10)
    assert (issue is not None) is full
    if issue:
        assert issue.code == "GROUP_FULL" and "at most 10" in issue.message
