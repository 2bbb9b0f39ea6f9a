"""Emailing notifications through Django's email backend (plain text and HTML)."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Email one notification once. Claims the row with a conditional update (`emailed_at` still empty) before
    sending, so a task delivered twice sends one email; a transient failure releases the claim and retries."""
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email=True, emailed_at__isnull=True).update(
        emailed_at=claimed_at
    )
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
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as exc:
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
        raise self.retry(exc=exc) from exc
    return True
