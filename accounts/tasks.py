"""Background jobs for staff accounts."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from audit.services import record_event


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def deactivate_dormant_accounts() -> int:
    """Deactivate staff who have not signed in for DORMANT_ACCOUNT_DAYS (a leaver's account must not linger).

    Safe to run twice: the conditional update claims only accounts that are still active and dormant.
    """
    cutoff = timezone.now() - dt.timedelta(days=settings.DORMANT_ACCOUNT_DAYS)
    dormant = User.objects.filter(is_active=True, is_superuser=False).filter(
        Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    )
    count = 0
    for user_id in list(dormant.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = User.objects.filter(pk=user_id, is_active=True).update(is_active=False)
            if claimed:
                user = User.objects.get(pk=user_id)
                record_event(
                    actor=None,
                    action="account.deactivated_dormant",
                    obj=user,
                    changes={"is_active": {"from": True, "to": False}},
                    reason=f"No sign-in for {settings.DORMANT_ACCOUNT_DAYS} days",
                )
                count += claimed
    return count
