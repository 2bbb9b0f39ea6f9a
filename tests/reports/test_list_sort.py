"""Issue 13: the Reports list sorts by each column on the server (across every page), both ways, with `aria-sort`
on the header and the filter kept; an unknown sort falls back to newest first; sorting adds no queries per row.
The checks are the audit trail's too (tests/pages.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from referrals.models import Person
from reports.models import PostProgrammeReport
from tests.pages import (
    assert_newest_first_unless_sorted,
    assert_sort_links_keep_the_filter,
    assert_sorting_adds_no_queries_per_row,
    assert_sorts_both_ways,
)
from tests.reports.factories import quick_report

pytestmark = pytest.mark.django_db


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
    first, last = ("Z000001", "A000001") if key == "report" else ("A000001", "Z000001")
    client = login(personas["treatment_manager"])
    assert_sorts_both_ways(client, "/reports/", key=key, label=label, first=first, last=last)


def test_the_reports_list_default_and_unknown_sort_are_newest_first(login, personas, two_reports):
    assert_newest_first_unless_sorted(
        login(personas["treatment_manager"]),
        "/reports/",
        unknown=("nonsense", "--person"),
        newest="Z000001",
        oldest="A000001",
        by="Updated",
        other="Name and CRN",
    )


def test_the_sort_links_keep_the_status_filter(login, personas, two_reports):
    assert_sort_links_keep_the_filter(
        login(personas["treatment_manager"]),
        "/reports/",
        filters={"status": "draft"},
        sort="person",
        shown="A000001",
        hidden="Z000001",
    )


@pytest.mark.parametrize("sort", ["person", "-report", "status", "-updated"])
@pytest.mark.parametrize("rows", [2, 6])
def test_sorting_the_reports_list_adds_no_queries_per_row(
    login, area, personas, rows, sort, django_assert_max_num_queries
):
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
    assert_sorting_adds_no_queries_per_row(
        login(personas["treatment_manager"]),
        "/reports/",
        sort,
        queries=16,
        row_text="Issued",
        rows=rows,
        assert_max_queries=django_assert_max_num_queries,
    )
