"""The statistics cache (issue 11): the cached answer is the computed one; the key holds the scope, so one area's
figures are never served to another area or as national ones; an audited write makes the next answer fresh."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.services import record_event
from tests.pages import page_text
from tests.referrals.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db
QUERY = {"programme": "isotp"}


@pytest.fixture(autouse=True)
def _cache_on(settings) -> None:
    settings.STATISTICS_CACHE_SECONDS = 600


def _referrals(area, n: int, actor) -> None:
    """`n` submitted referrals in the area, recorded with an audit event (as every write of the product is)."""
    for _ in range(n):
        referral = ReferralFactory(person=PersonFactory(area=area), status="submitted", programme="isotp")
    record_event(actor=actor, action="create", obj=referral)


def _referral_count(client) -> str:
    body = client.get(reverse("api-statistics"), QUERY).json()
    return body["tables"][0]["rows"][0][1]


def test_the_cached_answer_is_the_computed_one_and_costs_no_aggregate(api, tm, settings):
    _referrals(tm.area, 12, tm)
    client = api(tm)
    with CaptureQueriesContext(connection) as first:
        computed = client.get(reverse("api-statistics"), QUERY).json()
    with CaptureQueriesContext(connection) as second:
        cached = client.get(reverse("api-statistics"), QUERY).json()
    assert cached == computed and computed["tables"][0]["rows"][0] == ["Referrals", "12"]
    assert len(second.captured_queries) < len(first.captured_queries)
    settings.STATISTICS_CACHE_SECONDS = 0
    assert client.get(reverse("api-statistics"), QUERY).json() == computed


def test_each_area_and_national_have_their_own_entry(api, tm, other_tm):
    _referrals(tm.area, 12, tm)
    assert _referral_count(api(tm)) == "12"
    # Same filters, same day, same data version: the other area still gets its own figures, not the cached ones.
    assert _referral_count(api(other_tm)) == "0"
    assert _referral_count(api(tm)) == "12"
    other_tm.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
    national = api(type(other_tm).objects.get(pk=other_tm.pk)).get(
        reverse("api-statistics"), {**QUERY, "scope": "national"}
    )
    assert national.status_code == 200 and national.json()["scope"] == "All areas"
    assert api(other_tm).get(reverse("api-statistics"), QUERY).json()["scope"] != "All areas"


def test_an_audited_write_makes_the_next_answer_fresh(api, tm):
    _referrals(tm.area, 10, tm)
    client = api(tm)
    assert _referral_count(client) == "10"
    _referrals(tm.area, 2, tm)
    assert _referral_count(client) == "12"


def test_the_page_and_its_csv_show_the_cached_figures(login, tm):
    _referrals(tm.area, 11, tm)
    client = login(tm)
    csv_url = reverse("quality:statistics_csv", args=["flow"])
    computed = client.get(csv_url, QUERY).content.decode()  # computed, then cached for the page
    page = client.get(reverse("quality:statistics"), QUERY)
    assert page.status_code == 200 and "Referrals" in page_text(page)
    assert client.get(csv_url, QUERY).content.decode() == computed
    assert "Referrals,11" in computed.replace('"', "")
