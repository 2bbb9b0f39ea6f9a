"""The statistics API: the page's tables as JSON, 400 on bad filters, 403 for national figures without the grant."""

from __future__ import annotations

from django.urls import reverse


def test_the_statistics_api_answers_the_pages_tables(api, tm):
    response = api(tm).get(
        reverse("api-statistics"), {"programme": "isotp", "start": "2025-01-01", "end": "2025-12-31"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2025-01-01" and body["programme"] == "isotp"
    slugs = [t["slug"] for t in body["tables"]]
    assert slugs == ["flow", "non-completions", "delivery", "psychometrics", "reports", "outcomes"]
    assert body["tables"][0]["rows"][0] == ["Referrals", "0"]


def test_bad_filters_are_400_on_their_field_and_national_needs_the_grant(api, tm):
    client = api(tm)
    response = client.get(reverse("api-statistics"), {"start": "2025-12-31", "end": "2025-01-01"})
    assert response.status_code == 400 and "end" in response.json()
    assert client.get(reverse("api-statistics"), {"programme": "nonsense"}).status_code == 400
    assert client.get(reverse("api-statistics"), {"scope": "national"}).status_code == 403
