"""Retention (issue 12): the people the nightly job found past the retention period, for an administrator to
confirm, and the short-lived permit that lets an erasure clear an issued report version."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from isotp.fields import BoundedDateField


class RetentionCandidate(models.Model):
    """A person whose supervision ended more than RETENTION_YEARS ago with no open referral, found by the nightly
    job (`dataprotection.tasks.find_retention_candidates`). Once an administrator confirms, the person's personal
    data is erased and `erased_at` / `erased_by` say so; the row stays (with the anonymised person) as the record."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField("referrals.Person", on_delete=models.CASCADE, related_name="retention")
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    supervision_ended_on = BoundedDateField()
    found_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["supervision_ended_on", "id"]
        indexes = [
            models.Index(fields=["area", "erased_at", "supervision_ended_on"], name="retention_area_idx")
        ]

    def __str__(self) -> str:
        return f"Retention candidate {self.public_id}"


class ErasurePermit(models.Model):
    """Exists only inside an erasure's transaction: while a row names a report, the database lets that report's
    issued versions be cleared (reports/migrations/0002 refuses it otherwise; dataprotection/migrations/0002)."""

    report = models.ForeignKey("reports.PostProgrammeReport", on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"Erasure permit for report {self.report_id}"
