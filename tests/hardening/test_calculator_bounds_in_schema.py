"""The bounds of the calculators, of the delivery creates (groups, one-to-one plans, the schedule preview) and of the
transfer request are in the schema, and the API keeps to them: a value just inside each documented bound is
accepted on its field and one just outside is a 400 on that field (issue 12: the schema must say exactly what the
API does). The schema-wide bounds (every date 1900-2100, no control character in text) are checked against
isotp/bounds.py itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from isotp import bounds
from isotp.schema import DATE_PATTERN, text_pattern
from sessions.serializers import FORMATS, GROUP_CODES, ONE_TO_ONE_CODES
from tests.assessments.factories import SCALE
from tests.factories import VenueFactory
from tests.referrals.factories import OGRS3, PersonFactory
from tests.sessions.factories import default_plan_modules, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())["components"]["schemas"]

RM2000 = {
    "sex": "male",
    "date_of_birth": "1980-05-01",
    "assessment_date": "2026-10-01",
    "commencement_of_risk_date": "2026-09-01",
    "sexual_appearances": 2,
    "criminal_appearances": 5,
    "violent_appearances": 1,
    "sexual_offence_after_16": True,
}


def _property(component: str, field: str) -> dict[str, Any]:
    return SCHEMA[component]["properties"][field]


def _enum(prop: dict[str, Any]) -> list[Any]:
    """The values an enum property allows, through `$ref`, `allOf` and `oneOf` (a blank choice is a BlankEnum)."""
    if "enum" in prop:
        return list(prop["enum"])
    if "$ref" in prop:
        return _enum(SCHEMA[prop["$ref"].rsplit("/", 1)[-1]])
    return [value for part in prop.get("allOf", []) + prop.get("oneOf", []) for value in _enum(part)]


def _refused_on(status: int, body: Any, field: str, refused: bool, accepted: int = 200) -> None:
    if refused:
        assert status == 400 and field in body, (status, body)
    else:
        assert status == accepted, (status, body)


def _post(client: Any, name: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = client.post(reverse(name), body, format="json")
    return response.status_code, response.json()


# --- OGRS3 -----------------------------------------------------------------------------------------------------


def test_ogrs3_bounds_are_documented():
    assert _property("Ogrs3ScoreInputRequest", "age_at_first_sanction")["minimum"] == 10
    previous = _property("Ogrs3ScoreInputRequest", "previous_sanctions")
    assert (previous["minimum"], previous["maximum"]) == (0, 200)


@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        # With previous sanctions the first one is before the conviction at 20: 10 is the youngest allowed.
        ({"age_at_first_sanction": 10, "previous_sanctions": 1}, "age_at_first_sanction", False),
        ({"age_at_first_sanction": 9, "previous_sanctions": 1}, "age_at_first_sanction", True),
        ({"previous_sanctions": 0}, "previous_sanctions", False),
        ({"previous_sanctions": -1}, "previous_sanctions", True),
        ({"previous_sanctions": 200, "age_at_first_sanction": 12}, "previous_sanctions", False),
        ({"previous_sanctions": 201, "age_at_first_sanction": 12}, "previous_sanctions", True),
    ],
)
def test_ogrs3_documented_bounds_are_the_api_bounds(api, om, changes, field, refused):
    _refused_on(*_post(api(om), "api-ogrs3-score", OGRS3 | changes), field, refused)


# --- RM2000 ----------------------------------------------------------------------------------------------------


def test_rm2000_bounds_are_documented():
    for component in ("Rm2000ScoreInputRequest", "Rm2000FactorsInputRequest"):
        assert _property(component, "sexual_appearances")["minimum"] == 1
        assert _property(component, "criminal_appearances")["minimum"] == 1
        assert _property(component, "violent_appearances")["minimum"] == 0
        after_16 = _property(component, "sexual_offence_after_16")["allOf"][0]["$ref"].rsplit("/", 1)[-1]
        assert SCHEMA[after_16]["enum"] == [True]
    sex = _property("Rm2000ScoreInputRequest", "sex")["$ref"].rsplit("/", 1)[-1]
    assert SCHEMA[sex]["enum"] == ["male"]


@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({"sexual_appearances": 1, "criminal_appearances": 1}, "sexual_appearances", False),
        ({"sexual_appearances": 0}, "sexual_appearances", True),
        ({"sexual_appearances": 1, "criminal_appearances": 1}, "criminal_appearances", False),
        ({"sexual_appearances": 1, "criminal_appearances": 0}, "criminal_appearances", True),
        ({"violent_appearances": 0}, "violent_appearances", False),
        ({"violent_appearances": -1}, "violent_appearances", True),
        ({"sexual_offence_after_16": True}, "sexual_offence_after_16", False),
        ({"sexual_offence_after_16": False}, "sexual_offence_after_16", True),
        ({"sex": "male"}, "sex", False),
        ({"sex": "female"}, "sex", True),
    ],
)
def test_rm2000_documented_bounds_are_the_api_bounds(api, om, changes, field, refused):
    _refused_on(*_post(api(om), "api-rm2000-score", RM2000 | changes), field, refused)


# --- psychometric change ---------------------------------------------------------------------------------------


def test_psychometric_norm_bounds_are_documented():
    reliability = _property("ChangeScaleInputRequest", "reliability")
    assert (reliability["minimum"], reliability["maximum"], reliability["exclusiveMaximum"]) == (0, 1, True)
    assert _property("ChangeScaleInputRequest", "norm_sd")["minimum"] == 1e-6
    assert _property("ChangeScaleInputRequest", "offender_sd")["minimum"] == 1e-6


@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({"reliability": 0}, "reliability", False),
        ({"reliability": -0.01}, "reliability", True),
        ({"reliability": 0.999}, "reliability", False),
        ({"reliability": 1}, "reliability", True),
        ({"norm_sd": 1e-6}, "norm_sd", False),
        ({"norm_sd": 0}, "norm_sd", True),
        ({"offender_sd": 1e-6}, "offender_sd", False),
        ({"offender_sd": 0}, "offender_sd", True),
    ],
)
def test_psychometric_documented_bounds_are_the_api_bounds(api, om, changes, field, refused):
    status, body = _post(api(om), "api-psychometric-change", {"scales": [SCALE | changes]})
    if refused:
        assert status == 400, body
        assert field in body["scales"]["0"], body
    else:
        assert status == 200, body


# --- the schema-wide bounds ------------------------------------------------------------------------------------


def test_the_date_pattern_is_the_date_bounds():
    first, last = bounds.EARLIEST_DATE, bounds.LATEST_DATE
    for inside in (first, last, dt.date(2026, 2, 28)):
        assert re.fullmatch(DATE_PATTERN, inside.isoformat()), inside
    for outside in ("1899-12-31", "2101-01-01", "0001-01-01", "9999-12-31", "2026-13-01", "2026-1-01"):
        assert not re.fullmatch(DATE_PATTERN, outside), outside


@pytest.mark.parametrize("multiline", [False, True])
def test_the_text_pattern_refuses_exactly_the_refused_characters(multiline):
    pattern = re.compile(text_pattern(multiline=multiline, blank=True))
    for code in range(0x3000):
        value = f"a{chr(code)}b"
        refused = bounds.text_character_problem(value, multiline=multiline) is not None
        assert (pattern.fullmatch(value) is None) == refused, hex(code)
    assert pattern.fullmatch("")  # a field that may be blank: its default "" matches its own pattern


def test_the_text_pattern_of_a_field_that_may_not_be_blank_needs_a_character():
    pattern = re.compile(text_pattern(multiline=True, blank=False))
    assert pattern.fullmatch(" a ") and pattern.fullmatch("a")
    assert not pattern.fullmatch("") and not pattern.fullmatch(" \t\n ")


WRITES = ("GroupCreateInputRequest", "PlanCreateInputRequest", "PreviewInputRequest", "TransferInputRequest")


def test_every_request_date_and_text_says_its_bounds():
    """Every date a request sends has the date pattern; every string of the delivery creates, the preview and the
    transfer request, its pattern (output shapes are not touched: they say what was stored)."""
    dates = 0
    for name, component in SCHEMA.items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            items = prop.get("items", {}) if prop.get("type") == "array" else prop
            items = items["oneOf"][0] if "oneOf" in items else items  # a field that may be blank
            if items.get("format") == "date":
                dates += 1
                assert items.get("pattern") == DATE_PATTERN, (name, prop)
            elif name in WRITES and items.get("type") == "string" and not {"enum", "format"} & set(items):
                assert "pattern" in items, (name, prop)
    assert dates > 20


# --- delivery creates and the transfer request ----------------------------------------------------------------


@pytest.fixture
def today_24_november_2026(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


def test_delivery_and_transfer_bounds_are_documented():
    group = SCHEMA["GroupCreateInputRequest"]["properties"]
    assert _enum(group["programme"]) == GROUP_CODES and "isotp_one_to_one" not in GROUP_CODES
    assert group["venue"]["minimum"] == 1 and (
        group["capacity"]["minimum"],
        group["capacity"]["maximum"],
    ) == (1, 32767)
    assert group["age_min"]["maximum"] == group["age_max"]["maximum"] == 32767
    assert (group["facilitators"]["minItems"], group["facilitators"]["uniqueItems"]) == (1, True)
    assert (group["slots"]["minItems"], group["slots"]["maxItems"]) == (1, 2)
    assert (
        group["start_date"]["pattern"] == DATE_PATTERN
        and "Today or later" in group["start_date"]["description"]
    )
    assert group["age_min"]["minimum"] == 10 and group["name"]["oneOf"][0]["maxLength"] == 150
    plan = SCHEMA["PlanCreateInputRequest"]["properties"]
    assert _enum(plan["programme"]) == ONE_TO_ONE_CODES == ["isotp_one_to_one"]
    modules = plan["sessions_per_module"]
    assert modules["required"] == ["1", "2", "3", "4", "5", "6"] and modules["additionalProperties"] is False
    assert {(m["minimum"], m["maximum"]) for m in modules["properties"].values()} == {(1, 25)}
    assert (plan["slots"]["minItems"], plan["slots"]["maxItems"]) == (1, 2) and plan["venue"]["minimum"] == 1
    preview = SCHEMA["PreviewInputRequest"]["properties"]
    assert {"isotp", "nsogp", "isotp_group", "nsogp_ltms"} <= set(_enum(preview["programme"]))
    assert set(_enum(preview["format"])) == {"", *FORMATS}
    assert preview["closures"]["items"]["pattern"] == DATE_PATTERN
    transfer = SCHEMA["TransferInputRequest"]["properties"]
    assert transfer["crn"]["pattern"] == "^[A-Za-z][0-9]{6}$" and transfer["reason"]["maxLength"] == 2000
    assert transfer["reason"]["pattern"] == text_pattern(multiline=True, blank=False)


def _group_body(area) -> dict[str, Any]:
    return {
        "programme": "isotp_group",
        "venue": VenueFactory(area=area).pk,
        "facilitators": [str(trained_facilitator(area).public_id) for _ in range(2)],
        "slots": [{"weekday": "monday", "start_time": "18:00"}],
        "start_date": "2027-01-04",
        "capacity": 10,
    }


TWO_SLOTS = [{"weekday": "monday", "start_time": "18:00"}, {"weekday": "wednesday", "start_time": "18:00"}]
THREE_SLOTS = [*TWO_SLOTS, {"weekday": "friday", "start_time": "18:00"}]


@pytest.mark.usefixtures("today_24_november_2026")
@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({"programme": "isotp_group"}, "programme", False),
        ({"programme": "isotp_one_to_one"}, "programme", True),
        ({"venue": 0}, "venue", True),
        ({"facilitators": []}, "facilitators", True),
        ({"facilitators": "same twice"}, "facilitators", True),
        ({"slots": TWO_SLOTS}, "slots", False),
        ({"slots": []}, "slots", True),
        ({"slots": THREE_SLOTS}, "slots", True),
        ({"start_date": "2026-11-24"}, "start_date", False),
        ({"start_date": "2101-01-01"}, "start_date", True),
        ({"start_date": "0001-01-01"}, "start_date", True),
        ({"start_date": "2100-12-27"}, "start_date", True),  # in range, but its sessions would run into 2101
        ({"capacity": 0}, "capacity", True),
        ({"capacity": 32768}, "capacity", True),
        ({"age_min": 32768}, "age_min", True),  # the column's largest is 32767: refused, not written
        ({"age_min": 17, "age_max": 32768}, "age_max", True),
        ({"age_min": 17, "age_max": 21}, "age_min", False),
        ({"age_min": 9}, "age_min", True),
        ({"age_min": 17, "age_max": 9}, "age_max", True),
        ({"name": "N" * 150}, "name", False),
        ({"name": "N" * 151}, "name", True),
        ({"name": "Monday\u0007evenings"}, "name", True),
        ({"name": "Monday\tevenings"}, "name", True),  # a one-line field
    ],
)
def test_group_create_documented_bounds_are_the_api_bounds(api, tm, area, changes, field, refused):
    body = _group_body(area) | changes
    if body["facilitators"] == "same twice":
        body["facilitators"] = [str(trained_facilitator(area).public_id)] * 2
    response = api(tm).post(reverse("api-group-list"), body, format="json")
    _refused_on(response.status_code, response.json(), field, refused, accepted=201)


def _plan_body(area) -> dict[str, Any]:
    return {
        "referral": str(waiting_referral(area, format="one_to_one", age=19).public_id),
        "facilitator": str(trained_facilitator(area).public_id),
        "sessions_per_module": default_plan_modules(),
        "slots": [{"weekday": "tuesday", "start_time": "10:00"}],
        "start_date": "2027-01-05",
        "venue": VenueFactory(area=area).pk,
    }


MOST = {"1": 25, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1}  # 30: the most one module can have


@pytest.mark.usefixtures("today_24_november_2026")
@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({"programme": "isotp_one_to_one"}, "programme", False),
        ({"programme": "isotp_group"}, "programme", True),
        (
            {"sessions_per_module": MOST, "rationale": "Needs more work on motivation"},
            "sessions_per_module",
            False,
        ),
        ({"sessions_per_module": MOST | {"1": 26}, "rationale": "More"}, "sessions_per_module", True),
        ({"sessions_per_module": default_plan_modules() | {"2": 0}}, "sessions_per_module", True),
        (
            {"sessions_per_module": {k: v for k, v in default_plan_modules().items() if k != "6"}},
            "sessions_per_module",
            True,
        ),
        ({"sessions_per_module": default_plan_modules() | {"7": 1}}, "sessions_per_module", True),
        (
            {"sessions_per_module": MOST},
            "rationale",
            True,
        ),  # outside a module's guidance: a rationale is needed
        ({"rationale": "Line one\nline two\ttabbed"}, "rationale", False),
        ({"rationale": "Bell\u0007"}, "rationale", True),
        (
            {
                "slots": [
                    {"weekday": "tuesday", "start_time": "10:00"},
                    {"weekday": "friday", "start_time": "10:00"},
                ]
            },
            "slots",
            False,
        ),
        ({"slots": []}, "slots", True),
        ({"start_date": "2026-11-23"}, "start_date", True),
        ({"start_date": "1899-12-31"}, "start_date", True),
        ({"venue": 0}, "venue", True),
    ],
)
def test_plan_create_documented_bounds_are_the_api_bounds(api, tm, area, changes, field, refused):
    response = api(tm).post(reverse("api-plan-list"), _plan_body(area) | changes, format="json")
    _refused_on(response.status_code, response.json(), field, refused, accepted=201)


PREVIEW = {
    "programme": "isotp",
    "format": "group",
    "start_date": "2027-03-01",
    "slots": [{"weekday": "monday", "start_time": "18:00"}],
}


@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({"programme": "isotp_group", "format": ""}, "programme", False),
        ({"programme": "isotp_group"}, "programme", True),  # a catalogue code takes no format
        ({"programme": "nope"}, "programme", True),
        ({"programme": "nsogp", "format": "ltms"}, "format", False),
        ({"format": "weekly"}, "format", True),
        (
            {"start_date": "1900-01-01"},
            "start_date",
            False,
        ),  # a preview may be of any date: nothing is written
        ({"start_date": "1899-12-31"}, "start_date", True),
        ({"start_date": "2101-01-01"}, "start_date", True),
        ({"slots": TWO_SLOTS}, "slots", False),
        ({"slots": THREE_SLOTS}, "slots", True),
        ({"slots": []}, "slots", True),
        ({"closures": ["2027-03-08"]}, "closures", False),
        ({"closures": ["0001-01-01"]}, "closures", True),
        ({"format": "one_to_one", "sessions_per_module": MOST}, "sessions_per_module", False),
        ({"format": "one_to_one", "sessions_per_module": MOST | {"1": 26}}, "sessions_per_module", True),
        # A plan only with a one-to-one programme: the group's has its own total (35).
        ({"sessions_per_module": default_plan_modules()}, "sessions_per_module", True),
    ],
)
def test_schedule_preview_documented_bounds_are_the_api_bounds(api, tm, changes, field, refused):
    status, body = _post(api(tm), "api-schedule-preview", PREVIEW | changes)
    _refused_on(status, body, field, refused)


@pytest.mark.parametrize(
    ("changes", "field", "refused"),
    [
        ({}, "crn", False),
        ({"crn": "X12345"}, "crn", True),
        ({"reason": "R" * 2000}, "reason", False),
        ({"reason": "R" * 2001}, "reason", True),
        ({"reason": "   "}, "reason", True),
        ({"reason": "Moving\u202eaway"}, "reason", True),
    ],
)
def test_transfer_request_documented_bounds_are_the_api_bounds(
    api, tm, om, other_area, changes, field, refused
):
    body = {
        "crn": PersonFactory(area=other_area).crn,
        "offender_manager": str(om.public_id),
        "reason": "Moving",
    }
    status, answer = _post(api(tm), "api-transfer-list", body | changes)
    _refused_on(status, answer, field, refused, accepted=201)


def _preview_pairs_in_schema(programmes: list[str], formats: list[str]) -> set[tuple[str, str]]:
    def matches(value: str, rule: dict[str, Any]) -> bool:
        return value == "" if rule.get("maxLength") == 0 else bool(re.fullmatch(rule["pattern"], value))

    return {
        (programme, fmt)
        for variant in SCHEMA["PreviewInputRequest"]["anyOf"]
        for programme in programmes
        for fmt in formats
        if matches(programme, variant["properties"]["programme"])
        and matches(fmt, variant["properties"]["format"])
    }


def test_the_preview_says_which_programme_and_format_go_together(api, tm, area):
    """The schema's programme/format pairs are exactly the ones the preview takes (with the optional suite on)."""
    area.lihi_enabled = True
    area.save(update_fields=["lihi_enabled"])
    programmes = _enum(SCHEMA["PreviewInputRequest"]["properties"]["programme"])
    formats = _enum(SCHEMA["PreviewInputRequest"]["properties"]["format"])
    documented = _preview_pairs_in_schema(programmes, formats)
    assert ("isotp", "group") in documented and ("isotp_group", "") in documented
    client = api(tm)
    for programme in programmes:
        for fmt in formats:
            status, body = _post(
                client, "api-schedule-preview", PREVIEW | {"programme": programme, "format": fmt}
            )
            if (programme, fmt) in documented:
                assert status == 200, (programme, fmt, body)
            else:
                assert status == 400 and "programme" in body, (programme, fmt, body)
