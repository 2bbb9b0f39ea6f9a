"""Psychometric data (domain.md §7): batteries as immutable versions of their JSON definition, administrations
(pre and post per membership) with their scale scores, and the treatment manager's deviance overrides.

Results are never stored: they are computed by `assessments.rules` from the scores and the battery version the
administration was recorded under, so a new battery version never changes a result already recorded.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from isotp.fields import BoundedDateField, BoundedTextField


class Battery(models.Model):
    """An area's psychometric battery; its content lives in versions, the newest being the one in use."""

    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="batteries")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "batteries"
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="battery_code_unique_per_area")]

    def __str__(self) -> str:
        return self.name


class BatteryVersion(models.Model):
    """One immutable version of a battery's definition (checked by `assessments.rules.parse_battery`)."""

    battery = models.ForeignKey(Battery, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField(help_text="The battery definition; never edited once saved.")
    illustrative = models.BooleanField(
        default=False, help_text="The norms are illustrative and must be marked so wherever they are shown."
    )
    change_note = BoundedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["battery", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["battery", "version"], name="battery_version_unique"),
            models.CheckConstraint(name="battery_version_positive", condition=Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.battery.name} v{self.version}"


class Kind(models.TextChoices):
    PRE = "pre", "Pre-programme"
    POST = "post", "Post-programme"


class Administration(models.Model):
    """One completion of the battery by a member, before (pre) or after (post) the programme (003)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(
        "programme_sessions.Membership", on_delete=models.PROTECT, related_name="psychometric_administrations"
    )
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=Kind.choices)
    battery_version = models.ForeignKey(
        BatteryVersion, on_delete=models.PROTECT, related_name="administrations"
    )
    administered_on = BoundedDateField()
    administered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership", "administered_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind"], name="administration_one_per_kind"),
            models.CheckConstraint(name="administration_kind_known", condition=Q(kind__in=["pre", "post"])),
        ]
        # The API list, oldest recorded first: the page read in order and stopped after 25 rows, instead of the
        # area's administrations hashed against every membership in the country and sorted (issue 11).
        indexes = [models.Index(fields=["area", "recorded_at", "id"], name="admin_area_recorded_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} psychometrics {self.public_id}"


class ScaleScore(models.Model):
    """One scale's score in an administration; `items` keeps the item responses where the scale has item keys."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="scores")
    scale_code = models.CharField(max_length=40)
    score = models.DecimalField(max_digits=8, decimal_places=2)
    items = models.JSONField(null=True, blank=True, help_text="Item responses (null for a missing item).")
    prorated = models.BooleanField(default=False)
    missing_items = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["administration", "id"]
        constraints = [
            models.UniqueConstraint(fields=["administration", "scale_code"], name="scale_score_unique"),
            models.CheckConstraint(
                name="scale_score_prorated_has_missing",
                condition=Q(prorated=False, missing_items=0) | Q(prorated=True, missing_items__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scale_code}: {self.score}"


class DevianceLevel(models.TextChoices):
    LOW = "low", "Low"
    HIGH = "high", "High"


class DevianceOverride(models.Model):
    """A treatment manager's assessed deviance for a pre-programme result, with rationale (§7). The computed
    result stays beside it: both are kept and shown."""

    administration = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="deviance_overrides"
    )
    level = models.CharField(max_length=4, choices=DevianceLevel.choices)
    rationale = BoundedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="deviance_override_level_known", condition=Q(level__in=["low", "high"])
            ),
            models.CheckConstraint(name="deviance_override_has_rationale", condition=~Q(rationale="")),
        ]

    def __str__(self) -> str:
        return f"Deviance override {self.level}"
