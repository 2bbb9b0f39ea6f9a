"""Subject access: an area administrator exports everything held about one person as a ZIP; audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.referrals.factories import referral_for

pytestmark = pytest.mark.django_db


def test_an_administrator_exports_everything_about_a_person(login, area_admin, om, tm, area):
    referral = referral_for(area, om, status="submitted")
    person = referral.person
    login(tm).get(reverse("referrals:person_detail", kwargs={"public_id": person.public_id}))  # an access
    client = login(area_admin)
    page = client.get(reverse("dataprotection:subject_access", kwargs={"public_id": person.public_id}))
    assert page.status_code == 200 and b"Download the export" in page.content
    response = client.post(reverse("dataprotection:subject_access", kwargs={"public_id": person.public_id}))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"records/referrals.person.json", "records/referrals.referral.json", "manifest.json"} <= names
    people = json.loads(archive.read("records/referrals.person.json"))
    assert people[0]["fields"]["crn"] == person.crn
    referrals = json.loads(archive.read("records/referrals.referral.json"))
    assert [r["fields"]["status"] for r in referrals] == ["submitted"]
    assert "records/referrals.referralstatuschange.json" in names
    access = json.loads(archive.read("audit/access_log.json"))
    assert any(entry["fields"]["actor"] == tm.pk for entry in access)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["person"] == str(person.public_id)
    assert AuditEvent.objects.filter(
        action="person.subject_access_exported", actor=area_admin, object_id=str(person.public_id)
    ).exists()


def test_only_an_administrator_of_the_area_may_export(login, tm, other_admin, om, area):
    person = referral_for(area, om).person
    url = reverse("dataprotection:subject_access", kwargs={"public_id": person.public_id})
    assert login(tm).post(url).status_code == 403
    assert login(other_admin).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="person.subject_access_exported").exists()


def test_the_export_holds_the_issued_report_pdfs(login, area_admin, personas, area, settings, tmp_path):
    from tests.reports.factories import quick_report

    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    report = quick_report(area, personas, status="issued", issued=True)
    person = report.referral.person
    response = login(area_admin).post(
        reverse("dataprotection:subject_access", kwargs={"public_id": person.public_id})
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    pdfs = [name for name in archive.namelist() if name.startswith("files/") and name.endswith(".pdf")]
    assert len(pdfs) == 1 and archive.read(pdfs[0]).startswith(b"%PDF")
    assert "records/reports.reportversion.json" in archive.namelist()
    assert json.loads(archive.read("manifest.json"))["files"] == [pdfs[0].removeprefix("files/")]
