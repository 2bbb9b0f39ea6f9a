"""Home page card for area administrators: how many people of their area are past the retention period (one
query), linking to the list where each erasure is confirmed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from dataprotection.selectors import retention_candidates_for


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    if not permissions.can_erase_personal_data(request.user):
        return []
    count = retention_candidates_for(request.user).count()
    if not count:
        return []
    return [
        {
            "title": "People past the retention period",
            "count": count,
            "url": reverse("dataprotection:retention_list"),
            "link_text": "Review and erase",
            "description": "Supervision ended long ago and no referral is open: confirm the erasure of their data.",
        }
    ]
