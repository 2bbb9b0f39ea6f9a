"""Issue 11: the query count of the accounts lists does not grow with their rows (two sizes, the same bound).

Each test requests its list with a few rows, then with many more, as a user allowed to see them: the second
request may take no more queries than the first (and the first no more than a fixed ceiling). The API lists
are asked for `page_size=100` so that every row is serialised."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Role
from tests.factories import ClosureFactory, UserFactory, VenueFactory, supervise, train_facilitator

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 30
ALL_ROWS = {"page_size": 100}


def _api_rows_at_two_sizes(client, url, add, *, ceiling, assert_max_queries, already=0):
    """`add(n)` adds n rows; the list answers 200 with every row, and no more queries with MANY than with FEW."""
    add(FEW)
    with assert_max_queries(ceiling) as few:
        first = client.get(url, ALL_ROWS)
    assert first.status_code == 200 and first.json()["count"] == already + FEW
    add(MANY - FEW)
    with assert_max_queries(len(few.captured_queries)):
        response = client.get(url, ALL_ROWS)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]) == already + MANY
    return body["results"]


def test_api_staff_list_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    """Trained and supervised facilitators: their area, training and supervisions are read per page, not per row."""

    def add(n: int) -> None:
        for _ in range(n):
            supervise(tm, train_facilitator(UserFactory(area=area, role=Role.FACILITATOR), "hsp"))

    rows = _api_rows_at_two_sizes(
        api(tm),
        reverse("api-staff-list"),
        add,
        ceiling=5,
        assert_max_queries=django_assert_max_num_queries,
        already=1,  # the TM
    )
    assert {row["area"] for row in rows} == {area.code}


def test_api_venue_list_query_count_does_not_grow(api, area_admin, area, django_assert_max_num_queries):
    def add(n: int) -> None:
        for _ in range(n):
            VenueFactory(area=area)

    _api_rows_at_two_sizes(
        api(area_admin),
        reverse("api-venue-list"),
        add,
        ceiling=3,
        assert_max_queries=django_assert_max_num_queries,
    )


def test_api_closure_list_query_count_does_not_grow(api, area_admin, area, django_assert_max_num_queries):
    added = []

    def add(n: int) -> None:
        for _ in range(n):
            added.append(ClosureFactory(area=area, date=dt.date(2027, 1, 1) + dt.timedelta(days=len(added))))

    _api_rows_at_two_sizes(
        api(area_admin),
        reverse("api-closure-list"),
        add,
        ceiling=3,
        assert_max_queries=django_assert_max_num_queries,
    )


def test_api_token_list_query_count_does_not_grow(api, tm, django_assert_max_num_queries):
    """A TM's own tokens (the test client's token is one of them); revoked ones name who revoked them."""

    def add(n: int) -> None:
        for i in range(n):
            token, _ = services.issue_api_token(actor=tm, name=f"Script {i}")
            if i % 2:
                services.revoke_api_token(actor=tm, token=token)

    rows = _api_rows_at_two_sizes(
        api(tm),
        reverse("api-token-list"),
        add,
        ceiling=3,
        assert_max_queries=django_assert_max_num_queries,
        already=1,  # the client's own token
    )
    assert {row["status"] for row in rows} >= {"active", "revoked"}


def test_deactivated_staff_page_query_count_does_not_grow(
    login, area_admin, area, django_assert_max_num_queries
):
    """The page shows 25 a page: with MANY rows the first page is full and the second has the rest."""
    client = login(area_admin)
    url = reverse("accounts:staff_deactivated")

    def add(n: int) -> None:
        for _ in range(n):
            UserFactory(area=area, role=Role.FACILITATOR, is_active=False)

    add(FEW)
    with django_assert_max_num_queries(10) as few:
        first = client.get(url)
    assert first.status_code == 200 and first.content.decode().count(">Reactivate<") == FEW
    add(MANY - FEW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count(">Reactivate<") == 25
    second = client.get(url, {"page": 2})
    assert second.content.decode().count(">Reactivate<") == MANY - 25
