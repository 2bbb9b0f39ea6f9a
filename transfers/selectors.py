"""Reading transfers: a treatment manager or administrator sees their area's, incoming and outgoing."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import can_view_transfers, require
from transfers.models import TransferRequest


def transfers_for(user: User | AnonymousUser) -> QuerySet[TransferRequest]:
    """TMs and administrators (403 otherwise): transfers into or out of their area, newest first: a page is one
    query with the people and areas joined, then one query each for its offender managers, requesters and
    deciders (a fixed number whatever the rows). Joining the three staff columns too made PostgreSQL hash every
    staff account in the country three times for a page of 25 (issue 11: 8-12 ms at scale 1 against 0.4)."""
    return _area_transfers(user).prefetch_related("offender_manager", "requested_by", "decided_by")


def _area_transfers(user: User | AnonymousUser) -> QuerySet[TransferRequest]:
    require(can_view_transfers(user))
    area_id = getattr(user, "area_id", None)
    return (
        TransferRequest.objects.filter(Q(from_area_id=area_id) | Q(to_area_id=area_id))
        .select_related("person", "from_area", "to_area")
        .order_by("-requested_at", "-id")
    )


def transfer_for(user: User | AnonymousUser, public_id: str) -> TransferRequest:
    """One of the area's transfers (another area's: 404), its staff joined (one row: one query)."""
    return get_object_or_404(
        _area_transfers(user).select_related("offender_manager", "requested_by", "decided_by"),
        public_id=public_id,
    )
