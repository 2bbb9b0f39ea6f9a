"""Quality assurance, outcomes and the audit pack (issue 14). Plain tables, documented for the load generator:

- `QaSettings`: per area, the monitoring target (share of each facilitator's sessions monitored) and the number of
  days after the last session within which a report counts as on time.
- `SessionRecording`: a facilitator marks a delivered session as recorded (one row per session).
- `MonitoringForm`: the TM's rating of one facilitator's delivery on one recording: ratings per area of practice
  (`quality.rules.monitoring.AREAS_OF_PRACTICE` -> "1".."4"), comments, the date viewed.
- `SupervisionRecord`: a TM–facilitator supervision session: date, notes, actions.
- `Reoffence`: a proven reoffence the OM records about a person on their caseload: offence date, type, sexual or not.
- `AuditPack`: a statistics PDF for an accreditation audit, rendered by Celery into the private `reports` storage.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from isotp.fields import BoundedDateField, BoundedTextField
from reports.models import report_storage


class QaSettings(models.Model):
    """An area's configurable QA and statistics targets (defaults apply when an area has no row)."""

    area = models.OneToOneField(
        "accounts.ProbationArea", on_delete=models.CASCADE, related_name="qa_settings"
    )
    monitoring_target = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=0.1,
        help_text="Share of each facilitator's sessions monitored.",
    )
    report_days = models.PositiveSmallIntegerField(
        default=20, help_text="Days after the last session within which a report counts as on time."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "QA settings"
        verbose_name_plural = "QA settings"
        # The national statistics grant (accounts.permissions.can_view_national_statistics): given to a named
        # member of staff through the admin site; nobody has it by default.
        permissions = [("view_national_statistics", "Can view programme statistics across every area")]
        constraints = [
            models.CheckConstraint(
                name="qa_target_between_0_and_1",
                condition=Q(monitoring_target__gte=0, monitoring_target__lte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"QA settings of area {self.area_id}"


class SessionRecording(models.Model):
    """A delivered session that was video-recorded (seeds 000/002: QA views recordings of sessions)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    session = models.OneToOneField(
        "programme_sessions.ScheduledSession", on_delete=models.PROTECT, related_name="recording"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A copy of the session's date and start, kept by the database (migration 0003's triggers, whatever writes the
    # recording or the session), so an area's recordings are read newest first from an index (issue 11). Code
    # never sets them: null only on SQLite for the instant between an insert and its trigger.
    session_date = BoundedDateField(
        null=True, editable=False, help_text="The session's date (kept by the database)."
    )
    session_start = models.TimeField(
        null=True, editable=False, help_text="The session's start (kept by the database)."
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["area", "-recorded_at"], name="recording_area_idx"),
            models.Index(
                fields=["area", "-session_date", "-session_start", "-id"], name="recording_area_session_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Recording {self.public_id}"


class MonitoringForm(models.Model):
    """The TM's rating of one facilitator's delivery on one recorded session."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    recording = models.ForeignKey(SessionRecording, on_delete=models.PROTECT, related_name="monitoring_forms")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewed_on = BoundedDateField()
    ratings = models.JSONField(help_text='{"programme_integrity": "3", ...}: area of practice -> rating 1..4')
    comments = BoundedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recording", "facilitator"], name="monitoring_one_per_facilitator"
            ),
        ]
        indexes = [models.Index(fields=["area", "facilitator"], name="monitoring_area_fac_idx")]

    def __str__(self) -> str:
        return f"Monitoring form {self.public_id}"


class SupervisionRecord(models.Model):
    """One supervision session between a TM and a facilitator (000: staff deliver under a TM's supervision)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    treatment_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_records"
    )
    held_on = BoundedDateField()
    notes = BoundedTextField()
    actions = BoundedTextField(blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["area", "facilitator", "-held_on"], name="supervision_rec_idx")]

    def __str__(self) -> str:
        return f"Supervision {self.public_id}"


class OffenceType(models.TextChoices):
    SEXUAL_CONTACT = "sexual_contact", "Sexual offence (contact)"
    SEXUAL_NON_CONTACT = "sexual_non_contact", "Sexual offence (non-contact, including internet offences)"
    VIOLENCE = "violence", "Violence against the person"
    ACQUISITIVE = "acquisitive", "Theft, burglary, fraud or robbery"
    DRUGS = "drugs", "Drug offence"
    BREACH = "breach_offence", "Breach of a sexual harm prevention order or notification requirements"
    OTHER = "other", "Other offence"


SEXUAL_TYPES = frozenset({OffenceType.SEXUAL_CONTACT, OffenceType.SEXUAL_NON_CONTACT})


class Reoffence(models.Model):
    """A proven reoffence the offender manager recorded: the date of the offence, its type, sexual or not."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="reoffences")
    offence_on = BoundedDateField(
        help_text="The date of the offence (MoJ counts reoffending by offence date)."
    )
    proven_on = BoundedDateField(help_text="The date of the conviction or caution that proved it.")
    offence_type = models.CharField(max_length=30, choices=OffenceType.choices)
    sexual = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-offence_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="reoffence_type_known", condition=Q(offence_type__in=OffenceType.values)
            ),
            models.CheckConstraint(
                name="reoffence_proven_after_offence", condition=Q(proven_on__gte=models.F("offence_on"))
            ),
            # A sexual offence type is sexual; the flag may also mark e.g. a sexually motivated violent offence.
            models.CheckConstraint(
                name="reoffence_sexual_type_is_sexual",
                condition=~Q(offence_type__in=sorted(SEXUAL_TYPES)) | Q(sexual=True),
            ),
        ]
        indexes = [models.Index(fields=["area", "person"], name="reoffence_area_person_idx")]

    def __str__(self) -> str:
        return f"Reoffence {self.public_id}"


class AuditPackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def pack_path(instance: AuditPack, filename: str) -> str:
    return f"audit-packs/{instance.public_id}.pdf"


class AuditPack(models.Model):
    """The statistics for one area (or nationally), programme and period as a PDF for an accreditation audit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "accounts.ProbationArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a national pack.",
    )
    programme = models.CharField(max_length=10, blank=True, help_text="Empty for every programme.")
    period_start = BoundedDateField()
    period_end = BoundedDateField()
    status = models.CharField(max_length=10, choices=AuditPackStatus.choices, default=AuditPackStatus.QUEUED)
    file = models.FileField(storage=report_storage, upload_to=pack_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    failure_reason = BoundedTextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="audit_pack_status_known", condition=Q(status__in=AuditPackStatus.values)
            ),
            models.CheckConstraint(
                name="audit_pack_period_ordered", condition=Q(period_end__gte=models.F("period_start"))
            ),
        ]

    def __str__(self) -> str:
        return f"Audit pack {self.public_id}"

    @property
    def programme_label(self) -> str:
        """The programme filter it was produced with, as the page's filter names it."""
        from referrals.models import Programme

        return dict(Programme.choices).get(self.programme, "Every programme")
