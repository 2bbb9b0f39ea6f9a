"""Emailing notifications through Django's email backend (plain text and HTML)."""

from __future__ import annotations

import logging
import smtplib

from celery import Task, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification

logger = logging.getLogger(__name__)


@shared_task(bind=True)
def send_notification_email(self: Task, notification_id: int) -> bool:
    """Email one notification once. Claims the row with a conditional update (`emailed_at` still empty) before
    sending, so a task delivered twice sends one email. A mail server that refuses or cannot be reached releases
    the claim and is tried again NOTIFICATION_EMAIL_MAX_RETRIES times, NOTIFICATION_EMAIL_RETRY_SECONDS apart
    (doubling); after the last attempt the email is marked failed (`email_failed_at`), for the TM to see."""
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, email=True, emailed_at__isnull=True, email_failed_at__isnull=True
    ).update(emailed_at=claimed_at)
    if not claimed:
        return False
    note = Notification.objects.select_related("recipient").get(pk=notification_id)
    context = {
        "note": note,
        "service_name": settings.SERVICE_NAME,
        "link": (settings.SERVICE_URL.rstrip("/") + note.link) if note.link else "",
    }
    message = EmailMultiAlternatives(
        subject=note.subject,
        body=render_to_string("notifications/email/notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[note.recipient.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:  # refused, disconnected, unreachable, timed out
        limit = settings.NOTIFICATION_EMAIL_MAX_RETRIES
        given_up = self.request.retries >= limit
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(
            emailed_at=None,
            email_attempts=F("email_attempts") + 1,
            email_failed_at=timezone.now() if given_up else None,
        )
        # The error's type only: a server's answer can quote the address.
        logger.warning(
            "notification email %s not sent (%s), attempt %s of %s",
            notification_id,
            type(exc).__name__,
            self.request.retries + 1,
            limit + 1,
        )
        if given_up:
            return False
        delay = settings.NOTIFICATION_EMAIL_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay, max_retries=limit) from exc
    return True
