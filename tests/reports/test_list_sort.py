"""Issue 13: the Reports list sorts by each column on the server (across every page), both ways, with `aria-sort`
on the header and the filter kept; an unknown sort falls back to newest first; sorting adds no queries per row."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from referrals.models import Person
from reports.models import PostProgrammeReport
from tests.reports.factories import quick_report

pytestmark = pytest.mark.django_db


def _aria(html: str, label: str) -> str:
    found = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*>\s*<a[^>]*>' + re.escape(label) + "<", html)
    assert found, f"no sortable header {label}"
    return found.group(1)


@pytest.fixture
def two_reports(area, personas):
    """Report A (Alpha, a draft Post-Programme Report, updated long ago) and report Z (Zeta, an issued exit
    report, updated recently): every column puts A first ascending and Z first descending."""
    a = quick_report(area, personas, status="draft")
    z = quick_report(area, personas, status="issued", issued=True)
    Person.objects.filter(pk=a.referral.person_id).update(first_name="Alan", last_name="Alpha", crn="A000001")
    Person.objects.filter(pk=z.referral.person_id).update(first_name="Zoe", last_name="Zeta", crn="Z000001")
    now = timezone.now()
    PostProgrammeReport.objects.filter(pk=a.pk).update(updated_at=now - dt.timedelta(days=30))
    PostProgrammeReport.objects.filter(pk=z.pk).update(updated_at=now, kind="exit")
    return a, z


@pytest.mark.parametrize(
    ("key", "label"),
    [("person", "Name and CRN"), ("report", "Report"), ("status", "Status"), ("updated", "Updated")],
)
def test_the_reports_list_sorts_by_each_column_both_ways(login, personas, two_reports, key, label):
    # "draft" < "issued" and "exit" < "post_programme": the report column puts Z (exit) first ascending.
    client = login(personas["treatment_manager"])
    first_ascending, first_descending = ("Z000001", "A000001") if key == "report" else ("A000001", "Z000001")
    html = client.get("/reports/", {"sort": key}).content.decode()
    assert html.index(first_ascending) < html.index(first_descending)
    assert _aria(html, label) == "ascending" and f"sort=-{key}" in html
    html = client.get("/reports/", {"sort": f"-{key}"}).content.decode()
    assert html.index(first_descending) < html.index(first_ascending)
    assert _aria(html, label) == "descending"


def test_the_reports_list_default_and_unknown_sort_are_newest_first(login, personas, two_reports):
    client = login(personas["treatment_manager"])
    for params in ({}, {"sort": "nonsense"}, {"sort": "--person"}):
        html = client.get("/reports/", params).content.decode()
        assert html.index("Z000001") < html.index("A000001"), params
        assert _aria(html, "Updated") == "descending" and _aria(html, "Name and CRN") == "none"


def test_the_sort_links_keep_the_status_filter(login, personas, two_reports):
    html = login(personas["treatment_manager"]).get("/reports/", {"status": "draft", "sort": "person"})
    text = html.content.decode()
    assert "status=draft&amp;sort=-person" in text and "A000001" in text and "Z000001" not in text


@pytest.mark.parametrize("sort", ["person", "-report", "status", "-updated"])
@pytest.mark.parametrize("rows", [2, 6])
def test_sorting_the_reports_list_adds_no_queries_per_row(
    login, area, personas, rows, sort, django_assert_max_num_queries
):
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
    client = login(personas["treatment_manager"])
    with django_assert_max_num_queries(16):
        response = client.get("/reports/", {"sort": sort})
    assert response.status_code == 200 and response.content.decode().count("Issued") >= rows
