"""Issue 13: name and CRN search on the referrals list and the waiting list, and sortable columns (sorted on the
server, across every page) on the referrals, waiting, people, groups and staff lists, with `aria-sort` on the
header; searching and sorting add no queries per row."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals.models import Person
from tests.factories import ProbationAreaFactory, UserFactory
from tests.pages import aria_sort as _aria
from tests.pages import page_text as _text
from tests.referrals.factories import referral_for

pytestmark = pytest.mark.django_db


def _named(referral, first: str, last: str, crn: str):
    Person.objects.filter(pk=referral.person_id).update(first_name=first, last_name=last, crn=crn)
    return referral


def _order(html: str, *needles: str) -> list[int]:
    return [html.index(n) for n in needles]


def test_referral_list_searches_by_crn_or_name(login, area, om, tm):
    a = _named(referral_for(area, om, status="submitted"), "Adam", "Quill", "Q111111")
    b = _named(referral_for(area, om, status="submitted"), "Brian", "Rook", "R222222")
    client = login(tm)
    url = reverse("referrals:referral_list")
    by_crn = _text(client.get(url, {"q": "r222222"}))
    assert "R222222" in by_crn and "Q111111" not in by_crn and "1 referral" in by_crn
    by_name = _text(client.get(url, {"q": "quil"}))
    assert "Q111111" in by_name and "R222222" not in by_name
    full = _text(client.get(url, {"q": "Brian Rook"}))
    assert "R222222" in full and "Q111111" not in full
    none = _text(client.get(url, {"q": "Nobody"}))
    assert "No referrals match your search" in none
    assert a.person.crn and b.person.crn
    # An OM's search stays in the caseload.
    other = UserFactory(role="offender_manager", area=area)
    assert "No referrals match your search" in _text(login(other).get(url, {"q": "R222222"}))


def test_the_referral_search_narrows_the_users_referrals_not_the_countrys_people(area, om, tm):
    """Issue 11: the search was `person IN (every person in the country matching the name)`, a scan of the
    national people table (118-152 ms at scale 1); it now reads the scoped referrals' people by key
    (`isotp.keys.keys_in`: `id = ANY(ARRAY(the scoped referrals' people))`, in the same query, not an `IN` list of
    every one of them sent back), so another area's person of the same name is never even read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals import selectors

    _named(referral_for(area, om, status="submitted"), "Adam", "Quill", "Q111111")
    other_om = UserFactory(role="offender_manager", area=ProbationAreaFactory())
    _named(referral_for(other_om.area, other_om, status="submitted"), "Adam", "Quill", "Q999999")
    for search in ("quil", "Adam Quill", "q111111"):
        with CaptureQueriesContext(connection) as queries:
            qs = selectors.referrals_for_list(tm, search=search)
            assert [r.person.crn for r in qs] == ["Q111111"]
        # The name is looked for among people read by key (the scoped referrals' people), never on its own.
        by_name = [
            q["sql"] for q in queries if "LIKE" in q["sql"].upper() and 'FROM "referrals_person"' in q["sql"]
        ]
        assert by_name and all('"referrals_person"."id" = ANY(ARRAY(SELECT' in q for q in by_name)
        assert "IN (SELECT" not in str(qs.query).upper()


def test_referral_list_sorts_every_page_with_aria_sort(login, area, om, tm):
    _named(referral_for(area, om, status="submitted"), "Carl", "Zeta", "Z000001")
    _named(referral_for(area, om, status="submitted"), "Alan", "Alpha", "A000001")
    client = login(tm)
    url = reverse("referrals:referral_list")
    html = client.get(url).content.decode()
    assert _aria(html, "Started") == "descending" and _aria(html, "Person") == "none"
    html = client.get(url, {"sort": "person", "status": "submitted"}).content.decode()
    a, z = _order(html, "A000001", "Z000001")
    assert a < z and _aria(html, "Person") == "ascending"
    assert "sort=-person" in html and "status=submitted" in html  # the header link keeps the filter
    html = client.get(url, {"sort": "-person"}).content.decode()
    a, z = _order(html, "A000001", "Z000001")
    assert z < a and _aria(html, "Person") == "descending"
    assert client.get(url, {"sort": "DROP TABLE"}).status_code == 200  # unknown: the default order


def test_waiting_list_search_keeps_each_persons_place_and_sorts(login, area, om, tm):
    now = timezone.now()
    first = _named(
        referral_for(area, om, status="awaiting_allocation", awaiting_since=now - dt.timedelta(days=60)),
        "Zak",
        "Young",
        "Y000001",
    )
    second = _named(
        referral_for(area, om, status="awaiting_allocation", awaiting_since=now - dt.timedelta(days=10)),
        "Abe",
        "Able",
        "A000002",
    )
    client = login(tm)
    url = reverse("referrals:waiting_list")
    found = client.get(url, {"q": "a000002"}).content.decode()
    text = _text(client.get(url, {"q": "a000002"}))
    assert "A000002" in found and "Y000001" not in found
    assert re.search(r'data-label="Place">\s*2<', found), "the search keeps the person's place in the list"
    assert "matching" in text
    html = client.get(url).content.decode()
    assert html.index("Y000001") < html.index("A000002")  # oldest first by default
    assert _aria(html, "Place") == "ascending"
    html = client.get(url, {"sort": "person"}).content.decode()
    assert html.index("A000002") < html.index("Y000001") and _aria(html, "Person") == "ascending"
    assert first.pk and second.pk


def test_people_groups_and_staff_sort_on_the_server(login, area, tm, om):
    from tests.sessions.factories import make_group

    _named(referral_for(area, om, status="submitted"), "Al", "Aaron", "A100000")
    _named(referral_for(area, om, status="submitted"), "Zo", "Zane", "Z100000")
    client = login(tm)
    html = client.get(reverse("referrals:person_list"), {"sort": "-name"}).content.decode()
    assert html.index("Z100000") < html.index("A100000") and _aria(html, "Name") == "descending"
    UserFactory(role="facilitator", area=area, full_name="Aardvark Able")
    UserFactory(role="facilitator", area=area, full_name="Zebedee Zed")
    html = client.get(reverse("accounts:staff_list"), {"sort": "-name"}).content.decode()
    assert html.index("Zebedee Zed") < html.index("Aardvark Able") and _aria(html, "Name") == "descending"
    g1 = make_group(area, actor=tm, start_date=dt.date(2027, 1, 4), name="Early group")
    g2 = make_group(area, actor=tm, start_date=dt.date(2027, 3, 1), name="Late group")
    html = client.get(reverse("programme_sessions:group_list"), {"sort": "-starts"}).content.decode()
    assert html.index(g2.reference) < html.index(g1.reference) and _aria(html, "Starts") == "descending"


@pytest.mark.parametrize("rows", [3, 15])
def test_searching_and_sorting_the_referral_list_costs_the_same_queries(
    login, area, tm, om, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        referral_for(area, om, status="submitted")
    client = login(tm)
    # 13: a search reads the scoped referrals' people by key first, then the name among them (two queries,
    # however many rows: issue 11).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("referrals:referral_list"), {"q": "a", "sort": "-offender_manager"})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_searching_and_sorting_the_waiting_list_costs_the_same_queries(
    login, area, tm, om, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        referral_for(area, om, status="awaiting_allocation")
    client = login(tm)
    # The default list's 16, the search's people, and their places in the whole list (one light query: issue 11,
    # only the rows found are built).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("referrals:waiting_list"), {"q": "a", "sort": "-start_by"})
    assert response.status_code == 200
