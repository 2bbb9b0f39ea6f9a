"""Post-Programme Reports and their issued versions (domain.md §8).

A report belongs to one membership (one group place or one-to-one plan). The facilitator's writing lives in
`content` while the report is a draft; approval freezes the facts and the writing into `approved_snapshot`, which
the worker renders. Each issued PDF is a `ReportVersion`: stored through the `reports` storage with its SHA-256,
never changed afterwards (the database refuses it, see migration 0002), and marked superseded by an amendment.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q

from isotp.fields import BoundedTextField
from reports.rules import STATUS_LABELS, ReportKind, ReportStatus


class _ReportStorage(Storage):
    """Looks up `STORAGES["reports"]` at each use rather than once at import (Django evaluates a FileField's
    storage callable once), so the backend follows the settings: files under PRIVATE_MEDIA_ROOT, or S3."""

    @property
    def backend(self) -> Storage:
        return storages["reports"]

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        return self.backend.save(name, content, max_length=max_length)

    def open(self, name: str, mode: str = "rb") -> Any:
        return self.backend.open(name, mode)

    def exists(self, name: str) -> bool:
        return self.backend.exists(name)

    def delete(self, name: str) -> None:
        self.backend.delete(name)

    def size(self, name: str) -> int:
        return self.backend.size(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Issued reports have no public URL: serve them through the download view")

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.backend.generate_filename(filename)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.backend.get_available_name(name, max_length=max_length)


_report_storage = _ReportStorage()


def report_storage() -> Storage:
    """The private storage for issued PDFs (files under PRIVATE_MEDIA_ROOT, or S3 in production)."""
    return _report_storage


class PostProgrammeReport(models.Model):
    """A member's Post-Programme Report (or exit report), from draft to issued."""

    class Kind(models.TextChoices):
        POST_PROGRAMME = ReportKind.POST_PROGRAMME.value, "Post-Programme Report"
        EXIT = ReportKind.EXIT.value, "Exit report"

    class Status(models.TextChoices):  # the labels of reports.rules.STATUS_LABELS
        DRAFT = ReportStatus.DRAFT.value, STATUS_LABELS[ReportStatus.DRAFT]
        AWAITING_APPROVAL = (
            ReportStatus.AWAITING_APPROVAL.value,
            STATUS_LABELS[ReportStatus.AWAITING_APPROVAL],
        )
        QUEUED = ReportStatus.QUEUED.value, STATUS_LABELS[ReportStatus.QUEUED]
        RENDERING = ReportStatus.RENDERING.value, STATUS_LABELS[ReportStatus.RENDERING]
        ISSUED = ReportStatus.ISSUED.value, STATUS_LABELS[ReportStatus.ISSUED]
        FAILED = ReportStatus.FAILED.value, STATUS_LABELS[ReportStatus.FAILED]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="reports")
    membership = models.OneToOneField(
        "programme_sessions.Membership", on_delete=models.PROTECT, related_name="report"
    )
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=ReportStatus.DRAFT)
    content = models.JSONField(default=dict, blank=True, help_text="The facilitator's writing (draft).")
    approved_snapshot = models.JSONField(
        default=dict, blank=True, help_text="Facts and writing as approved: what the worker renders."
    )
    return_comments = BoundedTextField(blank=True)
    amendment_reason = BoundedTextField(blank=True, help_text="Why the issued version is being amended.")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    render_started_at = models.DateTimeField(null=True, blank=True)
    render_attempts = models.PositiveSmallIntegerField(default=0)
    failure_reason = BoundedTextField(blank=True)
    completion_recorded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="report_status_known", condition=Q(status__in=[s.value for s in ReportStatus])
            ),
            models.CheckConstraint(
                name="report_kind_known", condition=Q(kind__in=[k.value for k in ReportKind])
            ),
        ]
        indexes = [
            models.Index(fields=["area", "status", "-updated_at"], name="report_area_status_idx"),
            # The unfiltered list, newest first: the page read in order and stopped after 25 rows, instead of the
            # area's reports hashed against every referral in the country and sorted (issue 11: 33 ms -> 0.5 ms).
            models.Index(fields=["area", "-updated_at", "-id"], name="report_area_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"Report {self.public_id}"


def version_path(instance: ReportVersion, filename: str) -> str:
    # No personal data in object names: the report's UUID and the version number only.
    return f"reports/{instance.report.public_id}/v{instance.number}.pdf"


class ReportVersion(models.Model):
    """One issued PDF of a report. Immutable: the database refuses any change but marking it superseded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report = models.ForeignKey(PostProgrammeReport, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(storage=report_storage, upload_to=version_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField(default=0)
    issued_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amendment_reason = BoundedTextField(blank=True)
    snapshot = models.JSONField(help_text="The facts and writing this PDF was rendered from.")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(superseded_at__isnull=True), name="report_one_current_version"
            ),
            models.CheckConstraint(
                name="report_version_sha256_length", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
            models.CheckConstraint(
                name="report_version_amendment_has_reason",
                condition=Q(number=1) | ~Q(amendment_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.report_id}"

    @property
    def superseded(self) -> bool:
        return self.superseded_at is not None
