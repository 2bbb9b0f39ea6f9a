"""In-app notifications, each optionally emailed once (issue 8: the OM told of absences and enforcement steps,
the TM of restarts; reports use the same service).

A notification is addressed to one member of staff. `emailed_at` is claimed by the email task with a conditional
update, so a task that runs twice sends one email. A mail server that keeps refusing is retried a configured number
of times, then the email is marked failed (`email_failed_at`) and listed for the treatment manager.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from isotp.fields import BoundedTextField


class Kind(models.TextChoices):
    """What the notification is about: drives the in-app tag. Subjects never name an offence."""

    ABSENCE = "absence", "Absence"
    CONCERN = "concern", "Concern"
    ENFORCEMENT = "enforcement", "Enforcement"
    RESTART = "restart", "Restart required"
    CATCH_UP = "catch_up", "Catch-up"
    PROGRESS = "progress", "Progress"
    REPORT = "report", "Report"
    OTHER = "other", "Notice"


class Notification(models.Model):
    """One message to one member of staff: listed in the app and, when `email` is set, emailed once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    # The person the notification is about (an absence, a restart, a report...), when there is one: erasure and
    # the subject access export find the person's notifications by it (issue 12). Null for notices about a group.
    person = models.ForeignKey(
        "referrals.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    subject = models.CharField(max_length=150, help_text="Never names an offence or a person.")
    body = BoundedTextField(help_text="Plain text; paragraphs separated by blank lines.")
    link = models.CharField(max_length=300, blank=True, help_text="A path inside the service.")
    dedupe_key = models.CharField(
        max_length=120,
        blank=True,
        help_text="Set by callers that may notify twice for one event: one notification per recipient and key.",
    )
    email = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Sending attempts that the mail server refused or could not take; after the last one the email is given up
    # (`email_failed_at`), which the recipient's treatment manager sees on the "Emails not delivered" list.
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_once_per_recipient_key",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent_idx"),
            models.Index(
                fields=["area", "-email_failed_at"],
                condition=Q(email_failed_at__isnull=False),
                name="notification_email_failed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Notification {self.public_id}"

    @property
    def email_undelivered(self) -> bool:
        return self.email_failed_at is not None

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]
