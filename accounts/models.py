"""Probation areas, venues, staff accounts with roles, facilitator training and supervision."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone

from isotp.fields import BoundedDateField, BoundedTextField


class Jurisdiction(models.TextChoices):
    ENGLAND_AND_WALES = "england_and_wales", "England and Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class HolidaySubdivision(models.TextChoices):
    """The `holidays` package subdivision whose bank holidays the area's schedules skip (domain.md §5)."""

    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class ProbationArea(models.Model):
    """A probation area: everything in the product is scoped to one."""

    name = models.CharField(max_length=100, unique=True)
    code = models.SlugField(max_length=20, unique=True)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    holiday_subdivision = models.CharField(max_length=3, choices=HolidaySubdivision.choices)
    lihi_enabled = models.BooleanField(
        default=False, help_text="Offer the 2013 Low/High Intensity suite to this area's referrals (004)."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="area_subdivision_matches_jurisdiction",
                condition=(Q(jurisdiction="england_and_wales", holiday_subdivision__in=["ENG", "WLS"]))
                | Q(jurisdiction="northern_ireland", holiday_subdivision="NIR"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AreaClosure(models.Model):
    """A date the area delivers no sessions (training day, office closure): schedules skip it."""

    area = models.ForeignKey(ProbationArea, on_delete=models.CASCADE, related_name="closures")
    date = BoundedDateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["area", "date"], name="one_closure_per_area_date")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y}: {self.reason}"


class Venue(models.Model):
    """A room where group or one-to-one sessions are delivered."""

    area = models.ForeignKey(ProbationArea, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(max_length=150)
    address = BoundedTextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    capacity = models.PositiveSmallIntegerField(default=12)
    step_free_access = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="unique_venue_name_per_area")]

    def __str__(self) -> str:
        return self.name


TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev"})


class Role(models.TextChoices):
    AREA_ADMIN = "area_admin", "Area administrator"
    TREATMENT_MANAGER = "treatment_manager", "Treatment manager"
    FACILITATOR = "facilitator", "Facilitator"
    OFFENDER_MANAGER = "offender_manager", "Offender manager"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Staff accounts need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("full_name", "Service administrator")
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Logs in with email, password and a second factor; belongs to one probation area."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    area = models.ForeignKey(
        ProbationArea, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    security_stamp = models.UUIDField(
        default=uuid.uuid4,
        editable=False,
        help_text="Changed to end every session of the account at once (an administrator's reset).",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # Every staff member with a role works in exactly one area; only service superusers have neither.
            models.CheckConstraint(
                name="role_requires_area",
                condition=Q(role="", area__isnull=True, is_superuser=True)
                | (~Q(role="") & Q(area__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_full_name(self) -> str:
        return self.full_name

    def _get_session_auth_hash(self, secret: Any = None) -> str:
        """Django's session hash (an HMAC of the password) also covers the security stamp.

        A password change already ends the user's other sessions; a new stamp ends all of them, for an
        administrator's reset, without touching the password.
        """
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_short_name(self) -> str:
        """The first name, for greetings ("Hello Priya"): a leading title such as Dr or Mrs is skipped."""
        words = self.full_name.split()
        if len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
            words = words[1:]
        return words[0] if words else ""


class TrainingProgramme(models.TextChoices):
    ISOTP = "isotp", "i-SOTP"
    NSOGP = "nsogp", "N-SOGP"
    TVSOGP = "tvsogp", "TV-SOGP"
    CSOGP = "csogp", "C-SOGP"
    LI = "li", "Low Intensity"
    HI = "hi", "High Intensity"


class TrainingKind(models.TextChoices):
    ASSESSMENT_CENTRE = "assessment_centre", "Assessment centre"
    CORE_PROGRAMME = "core_programme_training", "Core programme training"
    ISOTP = "isotp_training", "i-SOTP training"


class FacilitatorTraining(models.Model):
    """A training milestone a facilitator has passed (000: assessment centre, core training, i-SOTP training)."""

    facilitator = models.ForeignKey(User, on_delete=models.CASCADE, related_name="training_records")
    kind = models.CharField(max_length=30, choices=TrainingKind.choices)
    programme = models.CharField(
        max_length=10,
        choices=TrainingProgramme.choices,
        blank=True,
        help_text="Blank for the assessment centre.",
    )
    date_passed = BoundedDateField()
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_passed"]
        constraints = [
            models.UniqueConstraint(
                fields=["facilitator", "kind", "programme"], name="unique_training_record"
            ),
            models.CheckConstraint(
                name="assessment_centre_has_no_programme",
                condition=Q(kind="assessment_centre", programme="")
                | (~Q(kind="assessment_centre") & ~Q(programme="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_programme_display()}".strip()


class Supervision(models.Model):
    """A treatment manager supervises a facilitator (000: staff deliver under a TM's supervision at all times)."""

    treatment_manager = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisees")
    facilitator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisions")
    started_on = BoundedDateField()
    ended_on = BoundedDateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["facilitator"], condition=Q(ended_on__isnull=True), name="one_current_supervisor"
            ),
            models.CheckConstraint(
                name="supervision_ends_after_start",
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.treatment_manager} supervises {self.facilitator}"


API_TOKEN_STATUSES = [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]


class ApiToken(models.Model):
    """A named API token (`Authorization: Token <key>`) that expires and can be revoked.

    Only a SHA-256 digest of the key is stored: the key is shown once, when it is issued.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it by.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        constraints = [
            models.CheckConstraint(
                name="api_token_expires_after_creation", condition=Q(expires_at__gt=models.F("created_at"))
            )
        ]

    def __str__(self) -> str:
        return self.name

    def status(self, now: Any = None) -> str:
        """`active`, `expired` or `revoked`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"
