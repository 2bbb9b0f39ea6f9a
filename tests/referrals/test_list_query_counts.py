"""Issue 11: the offences API's query count does not grow with the offences (two sizes, the same bound)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals.models import Offence

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 30


def test_api_offence_list_query_count_does_not_grow(api, om, django_assert_max_num_queries):
    """Offences are reference data (the migrations seed them): the test adds its own to the seeded ones."""
    seeded = Offence.objects.count()
    category = Offence.objects.values_list("category", flat=True).first()
    added: list[str] = []

    def add(n: int) -> None:
        codes = [f"test-offence-{i}" for i in range(len(added), len(added) + n)]
        # "AAA" sorts the test's offences before the seeded ones (the list is by legislation), on the first page.
        Offence.objects.bulk_create(
            Offence(code=code, title="Test offence", legislation="AAA Test Act 2026", category=category)
            for code in codes
        )
        added.extend(codes)

    client = api(om)
    url = reverse("api-offence-list")
    add(FEW)
    with django_assert_max_num_queries(3) as few:
        first = client.get(url, {"page_size": 100})
    assert first.status_code == 200 and first.json()["count"] == seeded + FEW
    add(MANY - FEW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == seeded + MANY
    assert [row["code"] for row in body["results"][:MANY]] == sorted(added)
    assert len(body["results"]) == min(100, seeded + MANY)
