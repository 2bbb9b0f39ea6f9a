"""Programme delivery data: the versioned catalogue, groups, one-to-one plans, scheduled sessions, memberships,
attendance and the private calendar feed tokens.

Constraints live in the database (domain.md §5: capacity and one active membership hold under concurrency);
the rules that decide what to write live in `sessions/rules/` and `sessions/services/`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from isotp.fields import BoundedDateField, BoundedTextField

# --- catalogue ----------------------------------------------------------------------------------------------


class Delivery(models.TextChoices):
    CLOSED = "closed", "Closed group"
    ROLLING = "rolling", "Rolling group"
    OPEN_ENDED = "open_ended", "Open-ended group"
    ONE_TO_ONE = "one_to_one", "One-to-one"


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class JoinRule(models.TextChoices):
    START_ONLY = "start_only", "Only at the start"
    BLOCK_BOUNDARY = "block_boundary", "At a block boundary"
    ANY_TIME = "any_time", "At any time"


class RestartKind(models.TextChoices):
    TOTAL_CATCH_UPS = "total_catch_ups", "Restart the programme after too many catch-ups"
    MISSED_PER_BLOCK = "missed_per_block", "Restart the block after too many missed sessions"
    NONE = "none", "No restart rule"


class Programme(models.Model):
    """One version of one catalogue entry (domain.md §2: configurable and versioned).

    Rows are never edited in place: an administrator's change is a new version, so a group keeps pointing at the
    version it was scheduled with. `area` is empty for the national defaults (seeded from
    `sessions.rules.DEFAULT_CATALOGUE`); an area administrator's edit creates a version for their area only.
    """

    code = models.SlugField(max_length=40, help_text="e.g. isotp_group")
    programme = models.CharField(max_length=20, help_text="e.g. isotp, nsogp")
    format = models.CharField(max_length=30, help_text="e.g. group, one_to_one, core_group")
    name = models.CharField(max_length=150)
    version = models.PositiveIntegerField()
    area = models.ForeignKey(
        "accounts.ProbationArea",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
        help_text="Empty for the national default; set for an area's own version.",
    )
    valid_from = BoundedDateField()
    valid_until = BoundedDateField(null=True, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    session_minutes = models.PositiveSmallIntegerField()
    work_minutes = models.PositiveSmallIntegerField()
    sessions_min = models.PositiveSmallIntegerField()
    sessions_max = models.PositiveSmallIntegerField()
    modules = models.JSONField(
        help_text="[{number, title, sessions | sessions_min/sessions_max, block?, note?}]"
    )
    group_min = models.PositiveSmallIntegerField()
    group_optimum = models.PositiveSmallIntegerField()
    group_max = models.PositiveSmallIntegerField()
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    young_adult_band = models.JSONField(
        null=True, blank=True, help_text='{"min_age": 17, "max_age": 21} or empty'
    )
    max_catch_ups = models.PositiveSmallIntegerField(null=True, blank=True)
    restart_kind = models.CharField(max_length=20, choices=RestartKind.choices)
    restart_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    facilitators_per_session = models.PositiveSmallIntegerField()
    homework_required = models.BooleanField()
    join_rule = models.CharField(max_length=20, choices=JoinRule.choices)
    voluntary = models.BooleanField()
    optional_suite = models.BooleanField(
        help_text="Offered only to areas that switch on the LI/HI suite (004)."
    )
    default_start_time = models.TimeField()
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    max_slots_per_week = models.PositiveSmallIntegerField()
    source = models.JSONField(default=list)
    source_note = BoundedTextField()
    change_reason = BoundedTextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="programme_code_version_unique"),
            # One open-ended version per code nationally, and per code within an area.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(area__isnull=True, valid_until__isnull=True),
                name="programme_one_current_national_version",
            ),
            models.UniqueConstraint(
                fields=["code", "area"],
                condition=Q(area__isnull=False, valid_until__isnull=True),
                name="programme_one_current_area_version",
            ),
            models.CheckConstraint(
                name="programme_valid_until_after_from",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
            ),
            models.CheckConstraint(
                name="programme_group_sizes_ordered",
                condition=Q(
                    group_min__gte=1, group_min__lte=F("group_optimum"), group_optimum__lte=F("group_max")
                ),
            ),
            models.CheckConstraint(
                name="programme_sessions_ordered",
                condition=Q(sessions_min__gte=1, sessions_min__lte=F("sessions_max")),
            ),
            models.CheckConstraint(
                name="programme_ages_ordered",
                condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
            ),
            models.CheckConstraint(
                name="programme_work_within_session",
                condition=Q(work_minutes__gte=1, work_minutes__lte=F("session_minutes")),
            ),
            models.CheckConstraint(
                name="programme_facilitators_needed", condition=Q(facilitators_per_session__gte=1)
            ),
            models.CheckConstraint(
                name="programme_slots_one_or_two",
                condition=Q(max_slots_per_week__gte=1, max_slots_per_week__lte=2),
            ),
        ]
        indexes = [models.Index(fields=["code", "area", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def as_entry(self) -> dict[str, Any]:
        """This version as a plain catalogue entry, the shape `sessions.rules` works on."""
        return {
            "code": self.code,
            "programme": self.programme,
            "format": self.format,
            "name": self.name,
            "delivery": self.delivery,
            "session_minutes": self.session_minutes,
            "work_minutes": self.work_minutes,
            "sessions_min": self.sessions_min,
            "sessions_max": self.sessions_max,
            "modules": self.modules,
            "group_min": self.group_min,
            "group_optimum": self.group_optimum,
            "group_max": self.group_max,
            "min_age": self.min_age,
            "max_age": self.max_age,
            "young_adult_band": self.young_adult_band,
            "max_catch_ups": self.max_catch_ups,
            "restart_rule": {"kind": self.restart_kind, "limit": self.restart_limit},
            "facilitators_per_session": self.facilitators_per_session,
            "homework_required": self.homework_required,
            "join_rule": self.join_rule,
            "voluntary": self.voluntary,
            "optional_suite": self.optional_suite,
            "default_start_time": self.default_start_time.strftime("%H:%M"),
            "cadence": self.cadence,
            "max_slots_per_week": self.max_slots_per_week,
            "source": list(self.source),
            "source_note": self.source_note,
        }

    @property
    def training_programme(self) -> str:
        """The training a facilitator needs (accounts.rules.training_for): the programme family code."""
        return self.programme


# --- groups and plans ---------------------------------------------------------------------------------------


class GroupStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class ProgrammeGroup(models.Model):
    """A group delivering one programme version at one venue on one or two weekly slots (domain.md §5)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "accounts.ProbationArea", on_delete=models.PROTECT, related_name="programme_groups"
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="groups",
        help_text="The catalogue version the group was scheduled with: later versions never change it.",
    )
    reference = models.CharField(max_length=40, help_text="e.g. CHE-ISOTP-2027-01: shown in calendars")
    name = models.CharField(max_length=150, blank=True)
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="programme_groups")
    treatment_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_groups"
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupFacilitator", related_name="delivered_groups"
    )
    capacity = models.PositiveSmallIntegerField()
    group_max = models.PositiveSmallIntegerField(
        help_text="The programme version's maximum group size, copied so the database can check the capacity."
    )
    age_min = models.PositiveSmallIntegerField()
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    start_date = BoundedDateField()
    status = models.CharField(max_length=20, choices=GroupStatus.choices, default=GroupStatus.PLANNED)
    # Set when the group's programme is over (sessions.services.completion): the day of its last delivered
    # session, who closed it (empty when the product did, on the last register or overnight) and why.
    completed_on = BoundedDateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_reason = BoundedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["area", "reference"], name="group_reference_unique_per_area"),
            # 000: never more than 10 in an i-SOTP group; the programme version's maximum in general.
            models.CheckConstraint(
                name="group_capacity_within_programme_max",
                condition=Q(capacity__gte=1, capacity__lte=F("group_max")),
            ),
            models.CheckConstraint(
                name="group_age_band_ordered",
                condition=Q(age_max__isnull=True) | Q(age_max__gte=F("age_min")),
            ),
            models.CheckConstraint(
                name="group_completed_has_date",
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["area", "status", "start_date"])]

    def __str__(self) -> str:
        return self.reference


class GroupFacilitator(models.Model):
    """A facilitator who delivers a group."""

    group = models.ForeignKey(ProgrammeGroup, on_delete=models.CASCADE, related_name="facilitator_links")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "facilitator"], name="group_facilitator_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.facilitator_id} delivers {self.group_id}"


class PlanStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class OneToOnePlan(models.Model):
    """An i-SOTP one-to-one plan: sessions per module chosen by treatment need (domain.md §2.2), one facilitator."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "accounts.ProbationArea", on_delete=models.PROTECT, related_name="one_to_one_plans"
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="plans")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="one_to_one_plans"
    )
    reference = models.CharField(max_length=40)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivered_plans"
    )
    treatment_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_plans"
    )
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="one_to_one_plans")
    sessions_per_module = models.JSONField(help_text='{"1": 5, "2": 4, ...}: module number -> sessions')
    rationale = BoundedTextField(blank=True, help_text="Why a module departs from its guidance range (§2.2).")
    total_sessions = models.PositiveSmallIntegerField()
    start_date = BoundedDateField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    # Set when the plan's programme is over (sessions.services.completion): the day of its last delivered
    # session, who closed it (empty when the product did, on the last register or overnight) and why.
    completed_on = BoundedDateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completion_reason = BoundedTextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["area", "reference"], name="plan_reference_unique_per_area"),
            # 000 / domain.md §2.2: 20 to 30 sessions is the hard rule (the programme version may narrow it).
            models.CheckConstraint(
                name="plan_total_sessions_in_range",
                condition=Q(total_sessions__gte=20, total_sessions__lte=30),
            ),
            models.CheckConstraint(
                name="plan_completed_has_date",
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["area", "status", "start_date"])]

    def __str__(self) -> str:
        return self.reference


def _one_owner(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        name=f"{prefix}_group_xor_plan",
        condition=Q(group__isnull=False, plan__isnull=True) | Q(group__isnull=True, plan__isnull=False),
    )


class GroupSlot(models.Model):
    """A weekly slot (weekday + start time) of a group or a one-to-one plan: one or two each (domain.md §5)."""

    group = models.ForeignKey(
        ProgrammeGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="slots"
    )
    plan = models.ForeignKey(
        OneToOnePlan, null=True, blank=True, on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday ... 6 = Sunday")
    start_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            _one_owner("slot"),
            models.CheckConstraint(name="slot_weekday_in_week", condition=Q(weekday__lte=6)),
            models.UniqueConstraint(fields=["group", "weekday"], name="slot_unique_group_weekday"),
            models.UniqueConstraint(fields=["plan", "weekday"], name="slot_unique_plan_weekday"),
        ]

    def __str__(self) -> str:
        from sessions.rules import WEEKDAYS

        return f"{WEEKDAYS[self.weekday].capitalize()} {self.start_time:%H:%M}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED_BY_PROVIDER = "cancelled_by_provider", "Cancelled by the provider"
    DELIVERED = "delivered", "Delivered"


def _delivery_area(help_text: str) -> models.ForeignKey[Any, Any]:
    """A session's or membership's stored area of its group or plan (`_fill_delivery_area` fills it)."""
    return models.ForeignKey(
        "accounts.ProbationArea",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        help_text=help_text,
    )


def _fill_delivery_area(row: ScheduledSession | Membership) -> None:
    """A session's or membership's stored `delivery_area`, from its group or plan when not yet set."""
    if row.delivery_area_id is None:
        owner = row.group or row.plan
        if owner is not None:
            row.delivery_area_id = owner.area_id


class ScheduledSession(models.Model):
    """One dated session of a group or a one-to-one plan.

    A session the provider cancels keeps its row (status `cancelled_by_provider`, the date it would have been on)
    and a new row with the same number carries the new date, so the history shows what happened; the session
    number is unique among the rows that are not cancelled.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(
        ProgrammeGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    plan = models.ForeignKey(
        OneToOnePlan, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField()
    module = models.PositiveSmallIntegerField()
    module_title = models.CharField(max_length=150)
    block = models.PositiveSmallIntegerField(null=True, blank=True)
    date = BoundedDateField()
    start = models.TimeField()
    end = models.TimeField()
    venue = models.ForeignKey("accounts.Venue", on_delete=models.PROTECT, related_name="scheduled_sessions")
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="scheduled_sessions", blank=True, through="SessionFacilitator"
    )
    status = models.CharField(max_length=30, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    # The date first planned, kept while the session is on another date (a reschedule, or a provider cancellation
    # whose replacement row this is), so the schedule can say "moved from ... to ..."; empty when never moved.
    moved_from = BoundedDateField(null=True, blank=True)
    # The register (issue 8): the facilitators' session notes and who took it, when.
    content_delivered = BoundedTextField(blank=True, help_text="What the session covered.")
    exercises = BoundedTextField(blank=True, help_text="The exercises used.")
    register_taken_at = models.DateTimeField(null=True, blank=True)
    register_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The area of the group or plan (which never changes), filled in by `save()` from the owner and set by the bulk
    # inserts (issue 11): an area's sessions in a date range are an index range scan on (delivery_area, date), not
    # every group and plan in the country joined to find the area's. Named as `Membership.delivery_area` is, and
    # for the same reason.
    delivery_area = _delivery_area(
        "The area of the group or plan (denormalised for the area's session lists)."
    )

    class Meta:
        ordering = ["date", "start", "number"]
        constraints = [
            _one_owner("session"),
            models.CheckConstraint(name="session_ends_after_start", condition=Q(end__gt=F("start"))),
            models.UniqueConstraint(
                fields=["group", "number"],
                condition=~Q(status="cancelled_by_provider"),
                name="session_number_unique_in_group",
            ),
            models.UniqueConstraint(
                fields=["plan", "number"],
                condition=~Q(status="cancelled_by_provider"),
                name="session_number_unique_in_plan",
            ),
        ]
        indexes = [
            # Clash queries: a venue's or a facilitator's sessions on given dates (domain.md §5).
            models.Index(fields=["venue", "date"], name="session_venue_date_idx"),
            models.Index(fields=["date", "start"], name="session_date_start_idx"),
            models.Index(fields=["group", "date"], name="session_group_date_idx"),
            models.Index(fields=["plan", "date"], name="session_plan_date_idx"),
            models.Index(fields=["delivery_area", "date"], name="session_area_date_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} on {self.date:%d %b %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The owner's area, whoever creates the session (the scheduling services, fixtures, demo data).
        _fill_delivery_area(self)
        super().save(*args, **kwargs)


class SessionFacilitator(models.Model):
    """Who delivers a session: the link table of `ScheduledSession.facilitators` (the table Django made for it),
    with a copy of the session's date and whether the provider cancelled it (issue 11).

    The copy lets a facilitator's sessions in a date range be read by an index range scan on (user, date) instead
    of every link of their history joined to its session. The database keeps it right, whatever writes: a trigger
    fills it when a link is written, another follows a session's date and status (migration 0014, PostgreSQL and
    SQLite). Code never sets it: it is null only on SQLite for the instant between a link's insert and its trigger.
    """

    scheduledsession = models.ForeignKey(
        ScheduledSession, on_delete=models.CASCADE, related_name="facilitator_links"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = BoundedDateField(null=True, editable=False, help_text="The session's date (kept by the database).")
    cancelled = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text="The session was cancelled by the provider (kept by the database).",
    )

    class Meta:
        db_table = "programme_sessions_scheduledsession_facilitators"
        unique_together = [("scheduledsession", "user")]
        indexes = [models.Index(fields=["user", "date"], name="session_facilitator_date_idx")]

    def __str__(self) -> str:
        return f"Facilitator {self.user_id} of session {self.scheduledsession_id}"


# --- membership and attendance ------------------------------------------------------------------------------


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    REMOVED = "removed", "Removed"
    RESTART_REQUIRED = "restart_required", "Restart required"
    SESSIONS_COMPLETE = "sessions_complete", "Sessions complete"


class Membership(models.Model):
    """A referral's place in a group or on a one-to-one plan."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(
        ProgrammeGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    plan = models.ForeignKey(
        OneToOnePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="memberships")
    joined_on = BoundedDateField()
    left_on = BoundedDateField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    removal_reason_code = models.CharField(max_length=40, blank=True)
    removal_reason = BoundedTextField(blank=True)
    next_status = models.CharField(
        max_length=30, blank=True, help_text="The referral's status after removal."
    )
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    restart_session = models.ForeignKey(
        "ScheduledSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="domain.md §6: the missed session that could no longer be caught up (status restart_required).",
    )
    # Stored state for the "members ready for a report" panel (issue 11), so it reads the handful of candidate
    # rows of an area through `membership_report_due_idx` instead of walking the area's whole history:
    # - `delivery_area`: the area of the group or plan (which never changes), filled in by `save()` from the
    #   owner. Not named `area`: `accounts.permissions.area_id_of` would then read it before the referral's area,
    #   which a transfer can move.
    # - `reported`: a report exists for this membership. Set only by `reports.services.open_report`, in the
    #   transaction that creates the report (reports are never deleted: erasure clears their writing only).
    delivery_area = _delivery_area("The area of the group or plan (denormalised for the reports panel).")
    reported = models.BooleanField(
        default=False, db_default=False, help_text="A report has been opened for this membership."
    )

    class Meta:
        ordering = ["joined_on", "id"]
        constraints = [
            _one_owner("membership"),
            # domain.md §5: one active membership per referral, whatever two people do at once.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(status="active"), name="membership_one_active_per_referral"
            ),
            models.UniqueConstraint(
                fields=["group", "referral"],
                condition=Q(status="active"),
                name="membership_unique_active_in_group",
            ),
            models.CheckConstraint(
                name="membership_left_after_joined",
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
            ),
            models.CheckConstraint(
                name="membership_active_has_not_left", condition=~Q(status="active") | Q(left_on__isnull=True)
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status"], name="membership_group_status_idx"),
            # The memberships that may be due a report: no report yet. The ended ones with a report (nearly the
            # whole history) are not in it, so an area's panel reads its current members and the few awaiting
            # their report (issue 11).
            models.Index(
                fields=["delivery_area", "left_on", "joined_on", "id"],
                condition=Q(reported=False),
                name="membership_report_due_idx",
            ),
            # An area's memberships by status (the homes' active members: `memberships_delivered_in_area`).
            models.Index(fields=["delivery_area", "status"], name="membership_area_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Membership {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The owner's area, whoever creates the membership (the allocation services, fixtures, demo data).
        _fill_delivery_area(self)
        super().save(*args, **kwargs)


class AttendanceOutcome(models.TextChoices):
    """domain.md §6: outcomes per member per session."""

    ATTENDED = "attended", "Attended"
    LATE = "late", "Late (attended)"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Unacceptable absence"
    SENT_HOME = "sent_home", "Sent home"


ATTENDED_OUTCOMES = frozenset({AttendanceOutcome.ATTENDED, AttendanceOutcome.LATE})


class Attendance(models.Model):
    """A member's outcome for one session, with homework, a note and a concern flag (domain.md §6; issue 8)."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="attendances")
    session = models.ForeignKey(ScheduledSession, on_delete=models.PROTECT, related_name="attendances")
    outcome = models.CharField(max_length=30, choices=AttendanceOutcome.choices)
    sent_home_acceptable = models.BooleanField(
        null=True, blank=True, help_text="Only for sent_home: was the reason acceptable (domain.md §6)?"
    )
    homework_done = models.BooleanField(null=True, blank=True)
    personal_work = models.BooleanField(
        default=False, help_text="N-SOGP: the member presented their personal-work exercise (002)."
    )
    notes = BoundedTextField(blank=True)
    concern = models.BooleanField(default=False, help_text="Alerts the offender manager.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "session"], name="attendance_once_per_member_session"
            ),
            # domain.md §6: sent home is marked acceptable or unacceptable; nothing else carries that mark.
            models.CheckConstraint(
                name="attendance_sent_home_marked",
                condition=Q(outcome="sent_home", sent_home_acceptable__isnull=False)
                | (~Q(outcome="sent_home") & Q(sent_home_acceptable__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.session_id})"


class CatchUpOutcome(models.TextChoices):
    """An individual catch-up's outcome; empty while it is only booked (domain.md §6)."""

    ATTENDED = "attended", "Attended"
    LATE = "late", "Late (attended)"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Acceptable absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Unacceptable absence"


class CatchUp(models.Model):
    """An individual catch-up of one missed session (a rearranged session for a one-to-one), domain.md §6.

    Booked with a date (and optionally a time and venue), its outcome recorded then or later; only an attended
    catch-up closes the missed session. A missed catch-up may be followed by another.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="catch_ups")
    missed_session = models.ForeignKey(ScheduledSession, on_delete=models.PROTECT, related_name="catch_ups")
    date = BoundedDateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    venue = models.ForeignKey(
        "accounts.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="catch_ups"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivered_catch_ups"
    )
    outcome = models.CharField(max_length=30, choices=CatchUpOutcome.choices, blank=True)
    notes = BoundedTextField(blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A booking no longer wanted (cancelled with a reason, or obsolete once the session was caught up): kept for
    # the record, never in a diary, a feed or a clash check.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancel_reason = BoundedTextField(blank=True)

    class Meta:
        ordering = ["date", "start", "id"]
        constraints = [
            # Only one catch-up completes a missed session.
            models.UniqueConstraint(
                fields=["membership", "missed_session"],
                condition=Q(outcome__in=["attended", "late"]),
                name="catch_up_one_attended_per_missed_session",
            ),
            models.CheckConstraint(
                name="catch_up_cancelled_has_no_outcome",
                condition=Q(cancelled_at__isnull=True) | Q(outcome=""),
            ),
            models.CheckConstraint(
                name="catch_up_time_whole",
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=F("start")),
            ),
        ]
        indexes = [
            models.Index(fields=["facilitator", "date"], name="catch_up_facilitator_date_idx"),
            models.Index(fields=["venue", "date"], name="catch_up_venue_date_idx"),
            models.Index(fields=["membership", "missed_session"], name="catch_up_membership_idx"),
            # Enforcement due (sessions.home._failed): the missed catch-ups of an area's members, found by index
            # probe per member instead of a scan of every catch-up in the country (issue 11).
            models.Index(
                fields=["membership"],
                condition=Q(outcome="unacceptable_absence"),
                name="catch_up_unacceptable_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Catch-up {self.public_id}"

    @property
    def attended(self) -> bool:
        return self.outcome in (CatchUpOutcome.ATTENDED, CatchUpOutcome.LATE)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def pending(self) -> bool:
        """Booked, not yet recorded, not cancelled."""
        return not self.outcome and self.cancelled_at is None


class CatchUpException(models.Model):
    """A treatment manager lets a member attend later sessions while one catch-up is outstanding (domain.md §6),
    with the reason, kept and shown."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="catch_up_exceptions")
    missed_session = models.ForeignKey(ScheduledSession, on_delete=models.PROTECT, related_name="+")
    reason = BoundedTextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "missed_session"], name="catch_up_exception_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"Exception for {self.membership_id} / {self.missed_session_id}"


class EnforcementKind(models.TextChoices):
    WARNING = "warning", "Warning issued"
    BREACH = "breach", "Breach actioned"


class EnforcementAction(models.Model):
    """A warning issued or breach action taken for a referral's failures to comply (domain.md §6; CJA 2003
    Sch. 8). The enforcement state is worked out from these and the unacceptable absences, never stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="enforcement_actions"
    )
    kind = models.CharField(max_length=10, choices=EnforcementKind.choices)
    on = BoundedDateField(help_text="The day the warning was issued or the breach actioned.")
    notes = BoundedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["referral", "kind"], name="enforcement_referral_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.on}"


# --- calendar feed ------------------------------------------------------------------------------------------


class FeedToken(models.Model):
    """The secret in a facilitator's private iCalendar feed URL. Revoked tokens stay for the record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="feed_token_one_active_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
