"""People on probation, their offences, sentences and risk, and their referrals to a programme.

Data and constraints only: every rule the database can hold (codes in the known set, CRN format, one open referral
per person per programme, one active RM2000 scoring table) is a constraint here; the rules themselves live in
`referrals/rules/` and the writes in `referrals/services/`. A referral's `area` repeats its person's area so
every list can be scoped with one indexed filter; the services keep the two equal.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from isotp.fields import BoundedDateField, BoundedTextField
from referrals.rules import (
    LEGAL_BASES,
    OFFENCE_CHOICES,
    OPEN_STATUSES,
    PARKING_STATUSES,
    REASON_CHOICES,
    RISK_LEVELS,
    STATUSES,
)
from referrals.rules.eligibility import RISK_LABELS
from referrals.rules.transitions import PARKED_FROM, ReferralStatus

CRN_PATTERN = r"^[A-Z][0-9]{6}$"
crn_validator = RegexValidator(
    CRN_PATTERN, "Enter a CRN as one capital letter followed by 6 digits, like C123456", code="invalid_crn"
)
# What the API accepts as a CRN (issue 12, tester no. 6): the letter in either case, stored as a capital. Every
# request's `crn` (referrals.serializers.CrnField) has this as its schema `pattern`.
CRN_INPUT_PATTERN = r"^[A-Za-z][0-9]{6}$"
crn_input_validator = RegexValidator(
    CRN_INPUT_PATTERN, "Enter a CRN as one letter followed by 6 digits, like C123456", code="invalid_crn"
)
# An erased person (dataprotection retention) keeps a unique placeholder that can never be a real CRN (a real one
# may start with any letter, Z included), so it never clashes with, nor blocks, a real person.
ERASED_CRN_PREFIX = "ERASED-"
ERASED_CRN_PATTERN = r"^ERASED-[0-9]{6}$"
# What the column holds: a CRN, or an erased person's placeholder.
STORED_CRN_PATTERN = r"^([A-Z][0-9]{6}|ERASED-[0-9]{6})$"


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"


class Programme(models.TextChoices):
    ISOTP = "isotp", "i-SOTP"
    NSOGP = "nsogp", "N-SOGP"
    LI = "li", "Low Intensity programme (LI)"
    HI = "hi", "High Intensity programme (HI)"


class Format(models.TextChoices):
    GROUP = "group", "Group"
    ONE_TO_ONE = "one_to_one", "One-to-one"


RISK_CHOICES = [(level, RISK_LABELS[level]) for level in RISK_LEVELS]
DEVIANCE_CHOICES = [("low", "Low"), ("high", "High")]
STATUS_CHOICES = [(str(status), label) for status, label in STATUSES.items()]
LEGAL_BASIS_CHOICES = list(LEGAL_BASES.items())
REASON_CODES = sorted({code for choices in REASON_CHOICES.values() for code, _ in choices})


class Offence(models.Model):
    """Reference data: an offence in legislation and the eligibility category the rules read (003)."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    legislation = models.CharField(max_length=120, help_text="e.g. Protection of Children Act 1978 s.1(1)(a)")
    category = models.CharField(max_length=30, choices=OFFENCE_CHOICES)
    active = models.BooleanField(default=True, help_text="Offer it when recording a new conviction.")

    class Meta:
        ordering = ["legislation", "code"]
        constraints = [
            models.CheckConstraint(
                name="offence_category_known", condition=Q(category__in=[c for c, _ in OFFENCE_CHOICES])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.legislation})"


class Person(models.Model):
    """Someone on probation in one area, on one offender manager's caseload. Addressed by `public_id`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    crn = models.CharField("CRN", max_length=13, unique=True, validators=[crn_validator])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = BoundedDateField()
    sex = models.CharField(max_length=6, choices=Sex.choices)
    iq = models.PositiveSmallIntegerField(
        "IQ", null=True, blank=True, validators=[MinValueValidator(40), MaxValueValidator(160)]
    )
    learning_disability = models.BooleanField(default=False)
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="people")
    offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["area", "last_name", "first_name"]),
            models.Index(fields=["offender_manager", "last_name"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="person_crn_format",
                condition=Q(crn__regex=CRN_PATTERN) | Q(crn__regex=ERASED_CRN_PATTERN),
                violation_error_message="Enter a CRN as one capital letter followed by 6 digits, like C123456",
            ),
            models.CheckConstraint(name="person_sex_known", condition=Q(sex__in=Sex.values)),
            models.CheckConstraint(
                name="person_iq_range",
                condition=Q(iq__isnull=True) | Q(iq__gte=40, iq__lte=160),
                violation_error_message="Enter an IQ between 40 and 160, or leave it blank if not known",
            ),
        ]

    def __str__(self) -> str:
        return self.crn  # never a name: str() ends up in logs and admin messages

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_erased(self) -> bool:
        """Whether the retention policy erased this person's personal data (the CRN is then a placeholder)."""
        return self.crn.startswith(ERASED_CRN_PREFIX)


class Conviction(models.Model):
    """One conviction for an offence from the reference table."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="convictions")
    offence = models.ForeignKey(Offence, on_delete=models.PROTECT, related_name="+")
    conviction_date = BoundedDateField()
    offence_date = BoundedDateField(null=True, blank=True)
    # domain.md §3: contact is a fact of the conviction; empty means the offence table's default.
    contact = models.BooleanField(
        null=True,
        blank=True,
        help_text="Involved actual or attempted contact; empty: the default of the offence's category.",
    )
    notes = BoundedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-conviction_date", "-id"]
        constraints = [
            models.CheckConstraint(
                name="conviction_offence_before_conviction",
                condition=Q(offence_date__isnull=True) | Q(offence_date__lte=F("conviction_date")),
                violation_error_message="The offence date must be on or before the conviction date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offence.code} on {self.conviction_date:%d %b %Y}"


class Sentence(models.Model):
    """The order or licence that gives the legal basis for a programme (003). The latest start is current."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sentences")
    legal_basis = models.CharField(max_length=40, choices=LEGAL_BASIS_CHOICES)
    programme_requirement = models.BooleanField(
        help_text="An accredited programme requirement (orders) or condition (licence) is part of it."
    )
    start_date = BoundedDateField()
    supervision_end_date = BoundedDateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        get_latest_by = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                name="sentence_legal_basis_known", condition=Q(legal_basis__in=list(LEGAL_BASES))
            ),
            models.CheckConstraint(
                name="sentence_supervision_ends_after_start",
                condition=Q(supervision_end_date__gt=F("start_date")),
                violation_error_message="The end of supervision must be after the start date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_legal_basis_display()} from {self.start_date:%d %b %Y}"


class RiskSource(models.TextChoices):
    RECORDED = "recorded", "Recorded as assessed"
    CALCULATED = "calculated", "Calculated here"


class RiskMatrixAssessment(models.Model):
    """RM2000 S/V/C categories (domain.md §4): recorded as assessed, or calculated here with its inputs."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rm2000_assessments")
    s = models.CharField("RM2000/S", max_length=10, choices=RISK_CHOICES)
    v = models.CharField("RM2000/V", max_length=10, choices=RISK_CHOICES)
    c = models.CharField("RM2000/C", max_length=10, choices=RISK_CHOICES)
    assessed_on = BoundedDateField()
    assessor = models.CharField(max_length=150)
    source = models.CharField(max_length=10, choices=RiskSource.choices, default=RiskSource.RECORDED)
    inputs = models.JSONField(default=dict, blank=True, help_text="The calculator's inputs, when calculated.")
    working = models.JSONField(
        default=list, blank=True, help_text="The calculator's working, when calculated."
    )
    table_version = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "RM2000 assessment"
        constraints = [
            models.CheckConstraint(
                name="rm2000_levels_known",
                condition=Q(s__in=RISK_LEVELS, v__in=RISK_LEVELS, c__in=RISK_LEVELS),
            ),
            models.CheckConstraint(name="rm2000_source_known", condition=Q(source__in=RiskSource.values)),
            models.CheckConstraint(
                name="rm2000_calculated_has_table_version",
                condition=Q(source="recorded") | ~Q(table_version=""),
            ),
        ]

    def __str__(self) -> str:
        return f"RM2000 S {self.s} V {self.v} C {self.c} on {self.assessed_on:%d %b %Y}"


class RoshAssessment(models.Model):
    """OASys risk of serious harm (003: Very High stays with N-SOGP)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="rosh_assessments")
    level = models.CharField(max_length=10, choices=RISK_CHOICES)
    assessed_on = BoundedDateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = "OASys risk of serious harm"
        constraints = [models.CheckConstraint(name="rosh_level_known", condition=Q(level__in=RISK_LEVELS))]

    def __str__(self) -> str:
        return f"RoSH {self.level} on {self.assessed_on:%d %b %Y}"


class DevianceSource(models.TextChoices):
    RECORDED = "recorded", "Recorded by a treatment manager"
    PSYCHOMETRIC = "psychometric", "From the pre-programme psychometrics"


class DevianceAssessment(models.Model):
    """Psychometric deviance (domain.md §7): a TM records it with rationale; the psychometrics will compute it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="deviance_assessments")
    level = models.CharField(max_length=4, choices=DEVIANCE_CHOICES)
    rationale = BoundedTextField()
    source = models.CharField(max_length=12, choices=DevianceSource.choices, default=DevianceSource.RECORDED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(name="deviance_level_known", condition=Q(level__in=["low", "high"])),
            models.CheckConstraint(
                name="deviance_source_known", condition=Q(source__in=DevianceSource.values)
            ),
            models.CheckConstraint(
                name="deviance_has_rationale",
                condition=~Q(rationale=""),
                violation_error_message="Give the rationale for the deviance level",
            ),
        ]

    def __str__(self) -> str:
        return f"Deviance {self.level}"


class Rm2000ScoringTable(models.Model):
    """A version of the RM2000 point tables (domain.md §4: configurable, versioned); one is active."""

    version = models.CharField(max_length=60, unique=True)
    table = models.JSONField(
        help_text="Checked with referrals.rules.validate_scoring_table before it is saved."
    )
    source_note = BoundedTextField()
    active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "RM2000 scoring table"
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_rm2000_table"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.active else ''}"


class Ogrs3CoefficientTable(models.Model):
    """A version of the OGRS3 coefficients (domain.md §4.1: configurable, versioned); one is active."""

    version = models.CharField(max_length=60, unique=True)
    table = models.JSONField(
        help_text="Checked with referrals.rules.ogrs3.validate_coefficient_table before it is saved."
    )
    source_note = BoundedTextField()
    active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "OGRS3 coefficient table"
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_ogrs3_table"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.active else ''}"


class Ogrs3Assessment(models.Model):
    """OGRS3 on the person's risk record (domain.md §4.1): entered from OASys, or calculated here with its inputs
    and working. The latest entered is current; a correction is a new entry."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ogrs3_assessments")
    one_year = models.DecimalField("1-year OGRS3", max_digits=7, decimal_places=6)
    two_year = models.DecimalField("2-year OGRS3", max_digits=7, decimal_places=6)
    band = models.CharField(max_length=10, choices=RISK_CHOICES, help_text="On the 2-year percentage.")
    assessed_on = BoundedDateField()
    source = models.CharField(max_length=10, choices=RiskSource.choices, default=RiskSource.RECORDED)
    inputs = models.JSONField(default=dict, blank=True, help_text="The calculator's inputs, when calculated.")
    working = models.JSONField(
        default=list, blank=True, help_text="The calculator's working, when calculated."
    )
    table_version = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = "OGRS3 assessment"
        constraints = [
            models.CheckConstraint(name="ogrs3_band_known", condition=Q(band__in=RISK_LEVELS)),
            models.CheckConstraint(name="ogrs3_source_known", condition=Q(source__in=RiskSource.values)),
            models.CheckConstraint(
                name="ogrs3_probabilities",
                condition=Q(one_year__gte=0, one_year__lte=1, two_year__gte=F("one_year"), two_year__lte=1),
                violation_error_message="Enter probabilities from 0 to 1, the 2-year one not below the 1-year one",
            ),
            models.CheckConstraint(
                name="ogrs3_calculated_has_table_version",
                condition=Q(source="recorded") | ~Q(table_version=""),
            ),
        ]

    def __str__(self) -> str:
        return f"OGRS3 {self.band} on {self.assessed_on:%d %b %Y}"


class EligibilityConfiguration(models.Model):
    """An area's eligibility thresholds (`EligibilityConfig.as_dict()`); without a row the defaults apply."""

    area = models.OneToOneField(
        "accounts.ProbationArea", on_delete=models.CASCADE, related_name="eligibility"
    )
    values = models.JSONField(
        default=dict,
        blank=True,
        help_text="Only the keys that differ from the defaults; checked with referrals.rules.config_from_dict.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Eligibility settings for area {self.area_id}"


_PARKED = Q()
for _status, _sources in PARKED_FROM.items():
    _PARKED |= Q(status=_status, returns_to__in=sorted(_sources))


class Referral(models.Model):
    """A referral of one person to one programme and format; its status follows domain.md §9."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="referrals")
    programme = models.CharField(max_length=10, choices=Programme.choices)
    format = models.CharField(max_length=10, choices=Format.choices)
    status = models.CharField(max_length=20, choices=STATUS_CHOICES, default=ReferralStatus.DRAFT)
    returns_to = models.CharField(
        max_length=20, choices=STATUS_CHOICES, blank=True, help_text="Where a parked referral goes back to."
    )
    planned_start = BoundedDateField(null=True, blank=True)
    active_appeal = models.BooleanField(default=False)
    maintains_innocence = models.BooleanField(default=False)
    completed_prison_sotp = models.BooleanField(default=False)
    notes = BoundedTextField(blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    awaiting_since = models.DateTimeField(
        null=True, blank=True, help_text="When it joined the waiting list; the list is ordered oldest first."
    )
    other_information_answered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the OM answered the 'other information' questions (their defaults are No).",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area", "status", "programme", "format", "awaiting_since"]),
            models.Index(fields=["area", "-created_at"]),
            # Whether a person completed a prison SOTP (`completed_prison_sotp_exists`, on every people list and
            # person page): a handful of referrals in the country; without it the flag was a scan of all of them
            # (issue 11: 6 ms on each people list at national scale, growing with it).
            models.Index(
                fields=["person"], condition=Q(completed_prison_sotp=True), name="referral_prison_sotp_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(name="referral_status_known", condition=Q(status__in=list(STATUSES))),
            models.CheckConstraint(
                name="referral_programme_known", condition=Q(programme__in=Programme.values)
            ),
            models.CheckConstraint(name="referral_format_known", condition=Q(format__in=Format.values)),
            # Only i-SOTP has a one-to-one format (000); N-SOGP, LI and HI are group programmes.
            models.CheckConstraint(
                name="referral_one_to_one_is_isotp",
                condition=Q(format="group") | Q(programme="isotp"),
                violation_error_message="Only i-SOTP has a one-to-one format",
            ),
            # domain.md §9: a parked referral remembers where it returns to; no other referral does.
            models.CheckConstraint(
                name="referral_returns_to_only_when_parked",
                condition=(~Q(status__in=sorted(PARKING_STATUSES)) & Q(returns_to="")) | _PARKED,
            ),
            models.CheckConstraint(
                name="referral_waiting_has_awaiting_since",
                condition=~Q(status=ReferralStatus.AWAITING_ALLOCATION) | Q(awaiting_since__isnull=False),
            ),
            # A draft may be withdrawn before it is ever submitted; every other status comes after submission.
            models.CheckConstraint(
                name="referral_submitted_has_submitted_at",
                condition=Q(status__in=[ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN])
                | Q(submitted_at__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="one_open_referral_per_person_programme",
                violation_error_message="This person already has an open referral to this programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.format} referral {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ReferralStatusChange(models.Model):
    """One step in a referral's history: who moved it, when, from where to where, and why (domain.md §9)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=STATUS_CHOICES, blank=True)
    to_status = models.CharField(max_length=20, choices=STATUS_CHOICES)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = BoundedTextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="status_change_statuses_known",
                condition=Q(to_status__in=list(STATUSES))
                & (Q(from_status="") | Q(from_status__in=list(STATUSES))),
            ),
            models.CheckConstraint(
                name="status_change_reason_code_known",
                condition=Q(reason_code="") | Q(reason_code__in=REASON_CODES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class AssessmentOutcome(models.TextChoices):
    SUITABLE = "suitable", "Suitable"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    SUITABLE_NOT_READY = "suitable_not_ready", "Suitable but not ready"
    ON_HOLD = "on_hold", "On hold"  # parks the referral with its reason (domain.md §9); not a decision


class AssessmentDecision(models.Model):
    """A TM's assessment: the computed eligibility decision as it stood, and any override with its rationale."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="assessments")
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices)
    computed = models.JSONField(
        help_text="The eligibility decision as computed at the time (rules' as_dict())."
    )
    planned_start = BoundedDateField(help_text="The date the age rules used.")
    referred_programme = models.CharField(max_length=10, choices=Programme.choices)
    referred_format = models.CharField(max_length=10, choices=Format.choices)
    override_programme = models.CharField(max_length=10, choices=Programme.choices, blank=True)
    override_format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    override_route = models.CharField(max_length=40, blank=True)
    rationale = BoundedTextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                name="assessment_outcome_known", condition=Q(outcome__in=AssessmentOutcome.values)
            ),
            # domain.md §3: a TM may override with a recorded rationale.
            models.CheckConstraint(
                name="assessment_override_has_rationale",
                condition=Q(override_programme="") | ~Q(rationale=""),
                violation_error_message="Give the rationale for the override",
            ),
            models.CheckConstraint(
                name="assessment_override_complete",
                condition=Q(override_programme="", override_format="", override_route="")
                | (~Q(override_programme="") & ~Q(override_format="")),
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.outcome} at {self.at:%d %b %Y}"

    @property
    def overridden(self) -> bool:
        return bool(self.override_programme)
