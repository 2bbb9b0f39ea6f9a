"""The reports API as issue 10 names it: list with `status` filter, detail with `versions`, approve 202 / 409
ALREADY_ISSUED, return, amend with `reason`, and the PDF at `pdf_url`."""

from __future__ import annotations

import pytest

from isotp import outbox
from tests.reports.factories import (
    AFTER_THE_PROGRAMME,
    finished_member,
    quick_report,
    report_awaiting_approval,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def awaiting(area, tm, facilitator, om, time_machine):
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    return report_awaiting_approval(member, drafter=facilitator)


def test_approve_is_202_then_409_already_issued(
    api, awaiting, tm, om, facilitator, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "_publish", lambda task, message: task.apply(args=message.args))
    url = f"/api/v1/reports/{awaiting.public_id}/approve/"
    assert api(facilitator).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api(tm).post(url)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    again = api(tm).post(url)
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_ISSUED"
    assert again.json()["allowed"] == ["amend"]  # what a person may do: never the worker's moves

    detail = api(om).get(f"/api/v1/reports/{awaiting.public_id}/").json()
    assert detail["status"] == "issued"
    assert detail["person"] == {
        "id": str(awaiting.referral.person.public_id),
        "crn": awaiting.referral.person.crn,
        "full_name": awaiting.referral.person.full_name,
    }
    assert detail["referral"] == str(awaiting.referral.public_id)
    assert detail["membership"] == str(awaiting.membership.public_id)
    assert detail["programme"] == "isotp_group"
    [version] = detail["versions"]
    assert set(version) >= {"number", "issued_at", "sha256", "pdf_url", "superseded"}
    assert version["number"] == 1 and version["superseded"] is False and len(version["sha256"]) == 64

    pdf = api(om).get(version["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")

    amended = api(tm).post(f"/api/v1/reports/{awaiting.public_id}/amend/", {"reason": ""}, format="json")
    assert amended.status_code == 400 and "reason" in amended.json()
    amended = api(tm).post(
        f"/api/v1/reports/{awaiting.public_id}/amend/", {"reason": "Wrong dates"}, format="json"
    )
    assert amended.status_code == 200 and amended.json()["status"] == "draft"
    assert amended.json()["versions"][0]["pdf_url"] == version["pdf_url"]  # the issued version stays readable


def test_return_needs_comments(api, awaiting, tm):
    url = f"/api/v1/reports/{awaiting.public_id}/return/"
    assert api(tm).post(url, {}, format="json").status_code == 400
    response = api(tm).post(url, {"comments": "More evidence please"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert response.json()["return_comments"] == "More evidence please"


def test_list_filters_by_status_and_scopes_the_om(api, area, personas, other_om):
    draft = quick_report(area, personas, status="draft")
    issued = quick_report(area, personas, status="issued", issued=True)
    client = api(personas["offender_manager"])
    ids = {r["id"] for r in client.get("/api/v1/reports/").json()["results"]}
    assert ids == {str(draft.public_id), str(issued.public_id)}
    only = client.get("/api/v1/reports/?status=issued").json()["results"]
    assert [r["id"] for r in only] == [str(issued.public_id)]
    assert client.get("/api/v1/reports/?status=nonsense").status_code == 400
    assert api(other_om).get("/api/v1/reports/").json()["count"] == 0
    assert api(other_om).get(f"/api/v1/reports/{issued.public_id}/").status_code == 404


def test_another_om_of_the_same_area_gets_404(api, area, personas):
    from accounts.models import Role
    from tests.factories import UserFactory

    report = quick_report(area, personas, status="issued", issued=True)
    stranger = UserFactory(role=Role.OFFENDER_MANAGER, area=area)
    assert api(stranger).get(f"/api/v1/reports/{report.public_id}/").status_code == 404
    assert api(stranger).get(f"/api/v1/reports/{report.public_id}/versions/1/pdf/").status_code == 404


@pytest.mark.parametrize("rows", [2, 6])
def test_list_query_count_does_not_grow(api, area, personas, rows, django_assert_max_num_queries):
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
    client = api(personas["treatment_manager"])
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/reports/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("status", ["queued", "rendering"])
def test_already_issued_while_rendering_offers_no_worker_moves(api, area, personas, status):
    report = quick_report(area, personas, status=status)
    response = api(personas["treatment_manager"]).post(f"/api/v1/reports/{report.public_id}/approve/")
    assert response.status_code == 409
    assert response.json()["code"] == "ALREADY_ISSUED" and response.json()["allowed"] == []


def test_the_author_cannot_approve_through_the_api(api, area, tm, facilitator, om, time_machine):
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    report = report_awaiting_approval(member, drafter=tm)
    response = api(tm).post(f"/api/v1/reports/{report.public_id}/approve/")
    assert response.status_code == 409 and response.json()["code"] == "AUTHOR_CANNOT_APPROVE"


def test_another_areas_tm_gets_404_on_every_action(api, area, personas, other_tm):
    awaiting = quick_report(area, personas, status="awaiting_approval")
    issued = quick_report(area, personas, status="issued", issued=True)
    client = api(other_tm)
    assert client.post(f"/api/v1/reports/{awaiting.public_id}/approve/").status_code == 404
    assert (
        client.post(
            f"/api/v1/reports/{awaiting.public_id}/return/", {"comments": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/reports/{issued.public_id}/amend/", {"reason": "x"}, format="json").status_code
        == 404
    )
    assert client.get(f"/api/v1/reports/{issued.public_id}/versions/1/pdf/").status_code == 404
