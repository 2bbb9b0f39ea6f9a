"""Issue 11: the audit events API's query count does not grow with its events (two sizes, the same bound): each
event's actor is joined, not read per row."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.services import record_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FEW, MANY = 2, 30


def test_api_audit_event_list_query_count_does_not_grow(api, tm, area, django_assert_max_num_queries):
    def add(n: int) -> None:
        for i in range(n):
            record_event(
                actor=UserFactory(area=area, role="facilitator"),  # a different actor for each event
                action="person.updated",
                object_type="referrals.person",
                object_id=f"p-{i}",
                object_label=f"Record {i}",
                area_id=area.pk,
            )

    client = api(tm)
    url = reverse("api-audit-event-list")
    add(FEW)
    with django_assert_max_num_queries(3) as few:
        first = client.get(url, {"page_size": 100})
    assert first.status_code == 200 and first.json()["count"] == FEW
    add(MANY - FEW)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"]) == MANY
    assert len({row["actor"] for row in body["results"]}) == MANY
