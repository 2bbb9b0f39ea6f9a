"""The report pages: the Reports list (newest first, query count flat), the draft form, the status fragment,
the TM's decisions and the audited download."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from tests.pages import page_text
from tests.reports.factories import AFTER_THE_PROGRAMME, finished_member, quick_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [2, 6])
def test_the_oms_reports_list_query_count_does_not_grow(
    login, area, personas, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
    client = login(personas["offender_manager"])
    with django_assert_max_num_queries(14):
        response = client.get("/reports/")
    assert response.status_code == 200
    assert page_text(response).count("Issued") >= rows


def test_newest_first(login, area, personas):
    older = quick_report(area, personas)
    newer = quick_report(area, personas)
    body = page_text(login(personas["offender_manager"]).get("/reports/"))
    assert body.index(newer.referral.person.crn) < body.index(older.referral.person.crn)


def test_the_facilitator_drafts_with_errors_shown(login, area, tm, facilitator, om, time_machine):
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    client = login(facilitator)
    listing = client.get("/reports/")
    assert "Ready for a report" in page_text(listing)
    response = client.post(f"/reports/start/{member.public_id}/")
    assert response.status_code == 302
    edit_url = response["Location"]
    response = client.post(edit_url, {"strengths": "Engaged", "submit": "1"})
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text and "Rate progress against the target" in text
    response = client.post(edit_url, {"strengths": "Engaged well", "save": "1"})
    assert response.status_code == 302
    assert "Engaged well" in page_text(client.get(edit_url))


def test_status_fragment_polls_only_while_rendering(login, area, personas):
    rendering = quick_report(area, personas, status="rendering")
    issued = quick_report(area, personas, status="issued", issued=True)
    client = login(personas["offender_manager"])
    assert "data-poll-url" in client.get(f"/reports/{rendering.public_id}/status/").content.decode()
    fragment = client.get(f"/reports/{issued.public_id}/status/").content.decode()
    assert "data-poll-url" not in fragment and "Download version 1" in fragment


def test_failed_shows_a_retry_button_to_the_tm(login, area, personas):
    failed = quick_report(area, personas, status="failed")
    assert "Try again" in page_text(login(personas["treatment_manager"]).get(f"/reports/{failed.public_id}/"))
    assert "Try again" not in page_text(
        login(personas["offender_manager"]).get(f"/reports/{failed.public_id}/")
    )


def test_the_download_is_a_pdf_and_audited(login, area, personas):
    report = quick_report(area, personas, status="issued", issued=True)
    om = personas["offender_manager"]
    response = login(om).get(f"/reports/{report.public_id}/versions/1/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="report.downloaded", actor=om).count() == 1
