"""The calculators' bounds are in the schema and the API keeps to them: a value just inside each documented bound
is accepted on its field and one just outside is a 400 on that field (issue 12: the schema must say exactly what
the API does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())["components"]["schemas"]

OGRS3 = {
    "sex": "male",
    "date_of_birth": "2000-06-01",
    "conviction_date": "2020-06-01",
    "assessment_date": "2020-06-01",
    "age_at_first_sanction": 20,
    "previous_sanctions": 0,
    "offence_group": "violence",
}
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
SCALE = {
    "pre": 40,
    "post": 55,
    "direction": "higher_is_better",
    "norm_mean": 60,
    "norm_sd": 7.5,
    "reliability": 0.8,
    "offender_mean": 40,
    "offender_sd": 7.5,
}


def _property(component: str, field: str) -> dict[str, Any]:
    return SCHEMA[component]["properties"][field]


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
    status, body = _post(api(om), "api-ogrs3-score", OGRS3 | changes)
    if refused:
        assert status == 400 and field in body, body
    else:
        assert status == 200, body


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
    status, body = _post(api(om), "api-rm2000-score", RM2000 | changes)
    if refused:
        assert status == 400 and field in body, body
    else:
        assert status == 200, body


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
