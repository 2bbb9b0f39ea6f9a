"""Regression tests for what schemathesis and the hostile-input table found (issue 12), one each."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from isotp.schema import HH_MM, HH_MM_SS
from referrals.models import CRN_INPUT_PATTERN, Person
from tests.referrals.factories import PersonFactory

pytestmark = pytest.mark.django_db

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())


def test_times_are_documented_as_hh_mm_not_format_time():
    """The API sends "18:00"; the schema said `format: time` (RFC 3339 "18:00:00Z")."""
    text = (Path(settings.BASE_DIR) / "openapi.yaml").read_text()
    assert "format: time" not in text
    assert re.fullmatch(HH_MM, "18:00") and not re.fullmatch(HH_MM, "24:00")
    assert re.fullmatch(HH_MM_SS, "18:00:30") and not re.fullmatch(HH_MM_SS, "18:00+01:00")


def test_a_programme_list_time_matches_the_documented_pattern(api, tm):
    response = api(tm).get(reverse("api-programme-list"))
    assert response.status_code == 200
    for programme in response.json()["results"]:
        assert re.fullmatch(HH_MM, programme["default_start_time"])


@pytest.mark.parametrize(
    "path", ["/api/v1/offences/a.b/", "/api/v1/programmes/%20/", "/api/v1/nothing-here/"]
)
def test_an_api_address_no_route_matches_answers_json_404(api, tm, path):
    """The resolver's own 404 was the HTML page (an undocumented content type for the API)."""
    response = api(tm).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_page_address_no_route_matches_is_still_the_html_page(login, tm):
    response = login(tm).get("/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_list_page_out_of_range_is_a_documented_404(api, tm):
    response = api(tm).get(reverse("api-offence-list") + "?page=999")
    assert response.status_code == 404
    assert "404" in SCHEMA["paths"]["/api/v1/offences/"]["get"]["responses"]


def test_every_operation_documents_the_errors_it_can_answer():
    for path, item in SCHEMA["paths"].items():
        if not path.startswith("/api/"):
            continue  # /healthz: open to load balancers (test_schema_generic_answers.py)
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415"} <= codes, (method, path)


def test_the_calculators_document_their_429(api, tm):
    responses = SCHEMA["paths"]["/api/v1/rm2000/score/"]["post"]["responses"]
    assert "429" in responses and "Retry-After" in responses["429"]["headers"]


def test_an_unknown_reason_code_on_a_removal_is_a_400_not_a_500(api, tm, area, personas):
    """A membership's removal passed any reason code to the referral's history, whose check refused it (500)."""
    from tests.sessions.matrix_api import _membership_id

    public_id = _membership_id(area, personas)["public_id"]
    response = api(tm).post(
        f"/api/v1/memberships/{public_id}/remove/",
        {"reason": "Moved away", "next_status": "awaiting_allocation", "reason_code": "no_such_code"},
        format="json",
    )
    assert response.status_code == 400
    assert "reason_code" in response.json()


def test_a_statistics_start_in_year_593_is_a_400(api, tm):
    """`?start=0593-06-22` was echoed back as "593-06-22", breaking the documented date format."""
    response = api(tm).get(reverse("api-statistics") + "?start=0593-06-22")
    assert response.status_code == 400
    assert "start" in response.json()


def test_a_year_1_assessment_date_is_a_400_on_its_field(api, om, area, personas):
    from tests.referrals.matrix_api import _person

    public_id = _person(area, personas)["public_id"]
    response = api(om).post(
        f"/api/v1/people/{public_id}/rm2000/",
        {"s": "medium", "v": "medium", "c": "very_high", "assessed_on": "0322-09-04"},
        format="json",
    )
    assert response.status_code == 400
    assert "assessed_on" in response.json()


@pytest.mark.parametrize("query", ["?format=pdf", ""])
def test_a_missing_reports_pdf_answers_json_404_not_a_pdf_content_type(api, tm, query):
    response = api(tm).get(
        f"/api/v1/reports/00000000-0000-4000-8000-000000000000/versions/1/pdf/{query}",
        HTTP_ACCEPT="application/pdf" if not query else "*/*",
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_persons_crn_pattern_and_iq_bounds_are_in_the_schema():
    for name in ("PersonInputRequest", "PatchedPersonUpdateInputRequest"):
        properties = SCHEMA["components"]["schemas"][name]["properties"]
        assert properties["crn"]["pattern"] == CRN_INPUT_PATTERN
        assert (properties["iq"]["minimum"], properties["iq"]["maximum"]) == (40, 160)


@pytest.mark.parametrize(
    "body, field", [({"crn": "CC12345"}, "crn"), ({"iq": 39}, "iq"), ({"iq": 161}, "iq")]
)
def test_a_crn_or_iq_outside_the_documented_constraints_is_a_400_on_its_field(api, tm, body, field):
    data = {
        "crn": "C765432",
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": "1980-01-01",
        "sex": "male",
    }
    response = api(tm).post(reverse("api-person-list"), {**data, **body}, format="json")
    assert response.status_code == 400 and field in response.json()


def _request_crn_fields() -> dict[str, dict]:
    """Every request body's `crn` in the schema: {schema name: the property}."""
    return {
        name: schema["properties"]["crn"]
        for name, schema in SCHEMA["components"]["schemas"].items()
        if name.endswith("Request") and "crn" in schema.get("properties", {})
    }


def test_every_request_crn_pattern_is_the_one_the_api_accepts():
    """Issue 12, tester no. 6: the schema said a capital letter while the API took (and stored as capital) a
    lowercase one. Every request's CRN has the one pattern, which takes a lowercase letter."""
    fields = _request_crn_fields()
    assert {"PersonInputRequest", "PatchedPersonUpdateInputRequest", "TransferInputRequest"} <= set(fields)
    for name, field in fields.items():
        assert field["pattern"] == CRN_INPUT_PATTERN, name
        assert field["maxLength"] == 7, name
        assert re.fullmatch(field["pattern"], "x654321") and re.fullmatch(field["pattern"], "X654321"), name
        assert not re.fullmatch(field["pattern"], "XX65432"), name


def test_the_api_takes_a_lowercase_crn_and_stores_it_capital(api, tm, om, other_area):
    client = api(tm)
    person = {
        "crn": "x654321",
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": "1980-01-01",
        "sex": "male",
        "offender_manager": str(om.public_id),
    }
    created = client.post(reverse("api-person-list"), person, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["crn"] == "X654321"
    url = reverse("api-person-detail", kwargs={"public_id": created.json()["id"]})
    renamed = client.patch(url, {"crn": "y654321"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["crn"] == "Y654321"
    assert Person.objects.filter(crn="Y654321").exists()
    held = PersonFactory(area=other_area)
    transfer = client.post(
        reverse("api-transfer-list"),
        {"crn": held.crn.lower(), "offender_manager": str(om.public_id), "reason": "Moving"},
        format="json",
    )
    assert transfer.status_code == 201, transfer.json()
    assert transfer.json()["crn"] == held.crn
