"""Reads of the audit trail: managers see their own area's events only."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from accounts.permissions import can_view_audit
from audit.models import AccessLog, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def events_for_search(
    user: User | AnonymousUser,
    *,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor_email: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Managers: their area's audit events, newest first, with the actor preloaded (one query per page)."""
    if not can_view_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.filter(area_id=user.area_id).select_related("actor")  # type: ignore[union-attr]
    if action:
        qs = qs.filter(action__istartswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def access_for_search(user: User | AnonymousUser, *, object_id: str = "") -> QuerySet[AccessLog]:
    """Managers: who viewed which person's record in their area."""
    if not can_view_audit(user):
        return AccessLog.objects.none()
    qs = AccessLog.objects.filter(area_id=user.area_id).select_related("actor")  # type: ignore[union-attr]
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-at", "-id")
