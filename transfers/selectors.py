"""Reading transfers: a treatment manager or administrator sees their area's, incoming and outgoing."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import can_view_transfers, require
from transfers.models import TransferRequest


def transfers_for(user: User | AnonymousUser) -> QuerySet[TransferRequest]:
    """TMs and administrators (403 otherwise): transfers into or out of their area, newest first (people, areas
    and staff joined: one query per page)."""
    require(can_view_transfers(user))
    area_id = getattr(user, "area_id", None)
    return (
        TransferRequest.objects.filter(Q(from_area_id=area_id) | Q(to_area_id=area_id))
        .select_related("person", "from_area", "to_area", "offender_manager", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
    )


def transfer_for(user: User | AnonymousUser, public_id: str) -> TransferRequest:
    """One of the area's transfers (another area's: 404)."""
    return get_object_or_404(transfers_for(user), public_id=public_id)
