"""The task outbox: Celery messages kept in the database until the broker has taken them."""

from __future__ import annotations

import uuid

from django.db import models


class OutboxMessage(models.Model):
    """A Celery task call that has not (yet) reached the broker.

    Written in the caller's transaction (`isotp.outbox.enqueue`) or when publishing failed (the broker was down);
    `dispatch_outbox` sends the pending ones once the broker answers. Holds ids, never personal data (tasks take
    ids and re-read their rows).
    """

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=100, blank=True, help_text="The error's type only.")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"
