"""Append-only records: every write to a person's data, and every view of a person's record.

The database itself refuses UPDATE and DELETE on both tables (see the migration's triggers), so not even a bug
or a careless admin can rewrite history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from isotp.fields import BoundedTextField


class AuditEvent(models.Model):
    """Who did what to which record, when, in which area, and which fields changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200, blank=True, help_text="e.g. a CRN; never a name")
    area = models.ForeignKey("accounts.ProbationArea", null=True, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    reason = BoundedTextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"


class AccessLog(models.Model):
    """A member of staff opened a person's record (page or API)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=500, blank=True, help_text="a CRN, or a search's query")
    area = models.ForeignKey("accounts.ProbationArea", null=True, on_delete=models.PROTECT, related_name="+")
    via = models.CharField(
        max_length=10, choices=[("page", "Page"), ("api", "API"), ("download", "Download")]
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["area", "-at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.actor_id} viewed {self.object_type} {self.object_id}"
