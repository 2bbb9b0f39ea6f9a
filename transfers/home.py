"""Home card for the holding area's TMs and administrators: transfers waiting for their decision (one query)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from transfers.models import TransferRequest, TransferStatus


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not permissions.can_decide_transfer(user):
        return []
    waiting = TransferRequest.objects.filter(
        from_area_id=getattr(user, "area_id", None), status=TransferStatus.PENDING
    ).count()
    if not waiting:
        return []
    return [
        {
            "title": "Transfers to decide",
            "count": waiting,
            "url": reverse("transfers:list"),
            "link_text": "Approve or refuse",
            "description": "Other areas asked for people your area holds.",
        }
    ]
