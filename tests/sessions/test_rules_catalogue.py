"""The default programme catalogue: figures from the sources, validation of edited entries, session templates."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from sessions.rules import (
    DEFAULT_CATALOGUE,
    ENTRY_KEYS,
    SessionTemplate,
    default_plan,
    entry_by_code,
    entry_problems,
    session_templates,
    validate_entry,
)

CODES = [entry["code"] for entry in DEFAULT_CATALOGUE]


def edited(entry_code: str, /, **changes) -> dict:
    entry = copy.deepcopy(entry_by_code(entry_code))
    entry.update(changes)
    return entry


def test_catalogue_is_json_serialisable_and_round_trips():
    assert json.loads(json.dumps(DEFAULT_CATALOGUE)) == DEFAULT_CATALOGUE


def test_codes_are_unique_and_every_programme_format_is_present():
    assert len(set(CODES)) == len(CODES)
    assert {(e["programme"], e["format"]) for e in DEFAULT_CATALOGUE} == {
        ("isotp", "group"),
        ("isotp", "one_to_one"),
        ("nsogp", "core_group"),
        ("nsogp", "relapse_prevention"),
        ("nsogp", "ltms"),
        ("li", "group"),
        ("hi", "group"),
    }


@pytest.mark.parametrize("code", CODES)
def test_every_default_entry_validates_and_has_every_key(code):
    entry = entry_by_code(code)
    assert set(entry) == set(ENTRY_KEYS)
    assert validate_entry(entry) == []
    assert entry["source"] and entry["source_note"]


@pytest.mark.parametrize("code", CODES)
def test_templates_are_numbered_in_module_order(code):
    entry = entry_by_code(code)
    templates = session_templates(entry)
    assert [t.number for t in templates] == list(range(1, len(templates) + 1))
    assert [t.module for t in templates] == sorted(t.module for t in templates)
    assert entry["sessions_min"] <= len(templates) <= entry["sessions_max"]
    assert {t.duration_minutes for t in templates} == {entry["session_minutes"]}


def test_isotp_group_figures():
    entry = entry_by_code("isotp_group")
    templates = session_templates(entry)
    assert len(templates) == 35  # 000: 35 sessions of 2 hours, 70 hours
    assert sum(t.duration_minutes for t in templates) == 70 * 60
    assert [m["sessions"] for m in entry["modules"]] == [4, 8, 3, 13, 4, 3]  # domain.md §2.1: module 3 at 3
    assert [m["title"] for m in entry["modules"]] == [
        "Motivation to Change",
        "What Needs did Offending Meet?",
        "Victim Awareness and Taking Responsibility",
        "Emotional Self-Regulation, Self-Management and Relationship Skills",
        "Community, Collecting and Compulsivity",
        "Relapse Prevention and New Life Goals",
    ]
    assert (entry["group_min"], entry["group_optimum"], entry["group_max"]) == (8, 8, 10)
    assert (entry["min_age"], entry["max_age"]) == (21, None)
    assert entry["young_adult_band"] == {"min_age": 17, "max_age": 21}
    assert entry["max_catch_ups"] == 4 and entry["restart_rule"] == {"kind": "total_catch_ups", "limit": 4}
    assert entry["facilitators_per_session"] == 2 and entry["homework_required"] is True
    assert (entry["delivery"], entry["cadence"], entry["max_slots_per_week"]) == ("closed", "weekly", 2)
    assert templates[12] == SessionTemplate(13, 3, "Victim Awareness and Taking Responsibility", None, 120)


def test_isotp_one_to_one_figures():
    entry = entry_by_code("isotp_one_to_one")
    ranges = [(m["sessions_min"], m["sessions_max"]) for m in entry["modules"]]
    assert ranges == [(4, 6), (4, 4), (4, 5), (8, 10), (3, 6), (5, 5)]  # 000
    assert (entry["sessions_min"], entry["sessions_max"], entry["session_minutes"]) == (20, 30, 90)
    assert entry["sessions_max"] * entry["session_minutes"] == 45 * 60  # 000: up to 45 hours
    assert (entry["min_age"], entry["facilitators_per_session"], entry["group_max"]) == (17, 1, 1)
    assert default_plan(entry) == {1: 4, 2: 4, 3: 4, 4: 8, 5: 3, 6: 5}


def test_one_to_one_templates_follow_a_plan():
    entry = entry_by_code("isotp_one_to_one")
    templates = session_templates(entry, {1: 4, 2: 4, 3: 4, 4: 8, 5: 0, 6: 2})
    assert len(templates) == 22 and [t.module for t in templates][-3:] == [4, 6, 6]
    with pytest.raises(ValueError, match="negative"):
        session_templates(entry, {1: -1})


def test_nsogp_core_group_figures():
    entry = entry_by_code("nsogp_core_group")
    templates = session_templates(entry)
    assert entry["delivery"] == "rolling" and entry["join_rule"] == "block_boundary"
    assert (entry["session_minutes"], entry["work_minutes"], entry["default_start_time"]) == (
        330,
        270,
        "10:00",
    )
    assert len(templates) * entry["work_minutes"] == 144 * 60  # 002: 144-162 hours; default 8 days a block
    assert entry["sessions_max"] * entry["work_minutes"] == 162 * 60
    assert [t.block for t in templates] == [1] * 8 + [2] * 8 + [3] * 8 + [4] * 8
    assert (entry["group_min"], entry["group_max"], entry["min_age"]) == (6, 10, 21)
    assert entry["restart_rule"] == {"kind": "missed_per_block", "limit": 2}
    assert entry["facilitators_per_session"] == 2


def test_nsogp_relapse_prevention_and_ltms():
    rp, ltms = entry_by_code("nsogp_relapse_prevention"), entry_by_code("nsogp_ltms")
    assert (rp["delivery"], rp["sessions_max"], rp["group_min"], rp["group_max"]) == ("closed", 12, 6, 10)
    assert rp["sessions_max"] * rp["work_minutes"] == 36 * 60  # 002: a further 36 hours
    assert (ltms["delivery"], ltms["cadence"], ltms["voluntary"]) == ("open_ended", "monthly", True)
    assert len(session_templates(ltms)) == 12 and ltms["restart_rule"]["kind"] == "none"


@pytest.mark.parametrize("code", ["li_group", "hi_group"])
def test_optional_suite_is_flagged_and_marked_illustrative(code):
    entry = entry_by_code(code)
    assert entry["optional_suite"] is True and entry["source"] == ["004"]
    assert "ILLUSTRATIVE" in entry["source_note"]


def test_only_li_and_hi_are_optional():
    assert {e["code"] for e in DEFAULT_CATALOGUE if e["optional_suite"]} == {"li_group", "hi_group"}


def test_rolling_cycles_number_on():
    templates = session_templates(entry_by_code("nsogp_core_group"), cycles=2)
    assert [t.number for t in templates] == list(range(1, 65))
    assert templates[32].block == 1 and templates[-1].block == 4
    with pytest.raises(ValueError, match="at least one cycle"):
        session_templates(entry_by_code("nsogp_core_group"), cycles=0)


def test_entry_by_code_unknown():
    with pytest.raises(KeyError, match="no programme 'sotp'"):
        entry_by_code("sotp")


def test_entry_by_code_in_another_catalogue():
    other = [edited("isotp_group", code="isotp_group_v2")]
    assert entry_by_code("isotp_group_v2", other)["programme"] == "isotp"


def _module_change(entry_code: str, index: int, /, **changes) -> dict:
    entry = edited(entry_code)
    entry["modules"][index].update(changes)
    return entry


def _generous_one_to_one() -> dict:
    entry = edited("isotp_one_to_one")
    for module in entry["modules"]:
        module["sessions"] = module["sessions_max"]  # 6 + 4 + 5 + 10 + 6 + 5 = 36
    return entry


PROBLEM_CASES = [
    (
        {k: v for k, v in entry_by_code("isotp_group").items() if k != "cadence"},
        "Missing field: cadence.",
    ),
    (edited("isotp_group", code="iSOTP group"), "The code must be lower-case"),
    (edited("isotp_group", name=" "), "needs a name"),
    (edited("isotp_group", delivery="drop_in"), "The delivery must be one of: closed, rolling"),
    (edited("isotp_group", cadence="daily"), "The cadence must be one of"),
    (edited("isotp_group", session_minutes=0), "Session length must be"),
    (edited("isotp_group", work_minutes=121), "Treatment minutes must be"),
    (edited("isotp_group", sessions_min=36), "minimum number of sessions must not be above"),
    (edited("isotp_group", group_min=11), "The minimum group size (11) must not be above the optimum (8)"),
    (edited("isotp_group", group_optimum=True), "The optimum group size must be a whole number"),
    (edited("isotp_group", group_max=7), "The maximum group size (7) must not be below the optimum"),
    (edited("isotp_one_to_one", group_max=2, group_optimum=2), "exactly one participant"),
    (edited("isotp_group", min_age="21"), "minimum age must be"),
    (edited("isotp_group", max_age=18), "maximum age must be empty or not below"),
    (edited("isotp_group", young_adult_band={"min_age": 21, "max_age": 17}), "band for young adults"),
    (edited("isotp_group", max_catch_ups=-1), "catch-up limit"),
    (edited("isotp_group", restart_rule={"kind": "sometimes", "limit": 1}), "restart rule's kind"),
    (edited("isotp_group", restart_rule={"kind": "none", "limit": 4}), "or none when the kind is none"),
    (
        edited("isotp_group", restart_rule={"kind": "total_catch_ups", "limit": None}),
        "a limit of 0 or more",
    ),
    (edited("isotp_group", facilitators_per_session=0), "At least one facilitator"),
    (edited("isotp_group", homework_required="yes"), "Homework required must be true or false"),
    (edited("isotp_group", default_start_time="6pm"), "a time on the 24-hour clock, like 10:00"),
    (edited("isotp_group", default_start_time="23:00"), "end before midnight"),
    (edited("isotp_group", max_slots_per_week=3), "Sessions per week must be 1 or 2"),
    (edited("nsogp_ltms", max_slots_per_week=2), "monthly programme meets on one slot"),
    (edited("isotp_group", source=[]), "at least one source"),
    (edited("isotp_group", source_note=""), "source note"),
    (edited("isotp_group", modules=[]), "at least one module"),
    (
        _module_change("isotp_group", 2, sessions=4),
        "add up to 36 sessions, which cannot meet the programme's 35.",
    ),
    (_generous_one_to_one(), "add up to 36 sessions by default, outside the programme's 20 to 30."),
    (_module_change("isotp_group", 2, number=4), "Module 3 must have number 3"),
    (_module_change("isotp_group", 0, title=""), "Module 1 needs a title"),
    (_module_change("isotp_group", 0, sessions=0), "Module 1 needs a number of sessions of at least 1"),
    (
        _module_change("isotp_one_to_one", 3, sessions_min=11),
        "minimum (at least 1) is not above its maximum",
    ),
    (_module_change("isotp_one_to_one", 0, sessions_min=12, sessions_max=12), "cannot meet"),
    (_module_change("nsogp_core_group", 0, sessions=10), "default of 10 sessions must lie within"),
    (_module_change("nsogp_core_group", 1, block=None), "Every module needs a block number"),
    (_module_change("nsogp_core_group", 1, block=0), "block must be a whole number"),
]


@pytest.mark.parametrize(("entry", "problem"), PROBLEM_CASES)
def test_validate_entry_reports_problems_in_plain_english(entry, problem):
    problems = validate_entry(entry)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("entry", "problem"), PROBLEM_CASES)
def test_each_problem_names_the_entry_key_it_is_about_in_words(entry, problem):
    """Issue 13: a form marks the figure that is wrong (the key is an entry key, or `modules`), and the words have
    no programmer notation or document references."""
    found = entry_problems(entry)
    assert found and all(key in ENTRY_KEYS or key == "modules" for key, _ in found)
    for _key, message in found:
        assert not any(mark in message for mark in ("<=", ">=", "==", "§", "domain.md", "HH:MM")), message


def test_invalid_entry_gives_no_templates():
    with pytest.raises(ValueError, match="not valid: Session length"):
        session_templates(edited("isotp_group", session_minutes=0))


def test_validate_entry_reports_every_problem_at_once():
    entry = _module_change("isotp_group", 0, title="")
    entry["name"] = ""
    problems = validate_entry(entry)
    assert "The programme needs a name." in problems and "Module 1 needs a title." in problems


def test_the_rules_package_imports_no_django():
    rules = Path(__file__).resolve().parents[2] / "sessions" / "rules"
    for module in rules.glob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+django", module.read_text(), re.MULTILINE), module.name


def test_the_default_data_is_apart_from_its_checks_and_typed():
    """Issue 7: the default catalogue lives in its own module as typed entries; the checks are elsewhere."""
    from typing import get_type_hints

    from sessions.rules import CatalogueEntry, catalogue, default_catalogue

    assert not hasattr(catalogue, "DEFAULT_CATALOGUE")
    assert not hasattr(default_catalogue, "validate_entry")
    assert set(get_type_hints(CatalogueEntry)) == set(ENTRY_KEYS)
    for entry in DEFAULT_CATALOGUE:
        assert set(entry) == set(ENTRY_KEYS)
        assert validate_entry(entry) == []
