"""Reading notifications: a member of staff sees only their own."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.permissions import can_see_undelivered_emails, is_staff_member
from notifications.models import Notification


def for_user(user: User) -> QuerySet[Notification]:
    """Any member of staff: their own notifications, newest first (nothing for anyone else)."""
    if not is_staff_member(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    """Any member of staff: how many of their notifications are unread (one query)."""
    return for_user(user).filter(read_at__isnull=True).count()


def get_for_user(user: User, public_id: uuid.UUID | str) -> Notification:
    """Any member of staff: one of their own notifications; anyone else's is not found (404)."""
    note = for_user(user).filter(public_id=public_id).first()
    if note is None:
        raise Http404
    return note


def undelivered_emails_for(user: User, *, since: dt.datetime) -> QuerySet[Notification]:
    """Treatment managers: their area's notification emails marked failed since `since`, newest first (the
    recipient joined: one query). Anyone else: nothing."""
    if not can_see_undelivered_emails(user):
        return Notification.objects.none()
    return (
        Notification.objects.filter(area_id=user.area_id, email_failed_at__gte=since)
        .select_related("recipient")
        .order_by("-email_failed_at", "-id")
    )
