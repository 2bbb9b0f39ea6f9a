"""API shapes for registers, catch-ups, progress and enforcement (issue 8). Inputs check types and choices; the
services decide (refusals are 409 with a `code`)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from isotp import fields as bounded
from sessions.models import AttendanceOutcome, CatchUpOutcome, MembershipStatus
from sessions.serializers import DeliveryStaffOutput, DeliveryVenueOutput, MembershipOutput


class AttendanceRecordInput(serializers.Serializer[Any]):
    """One member's line: `{"membership", "outcome"}` plus the optional details of the register."""

    membership = serializers.UUIDField()
    outcome = serializers.ChoiceField(choices=AttendanceOutcome.choices)
    sent_home_acceptable = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Required with sent_home (domain.md §6)."
    )
    # Optional details: left out, what is saved stays (a new record starts empty).
    homework_done = serializers.BooleanField(
        required=False, allow_null=True, help_text="Left out: the saved value stays."
    )
    personal_work = serializers.BooleanField(
        required=False,
        help_text="N-SOGP: presented their personal-work exercise (002). Left out: the saved value stays.",
    )
    notes = bounded.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Left out: the saved note stays."
    )
    concern = serializers.BooleanField(
        required=False,
        help_text="Alerts the offender manager. Left out: the saved flag stays.",
    )


class AttendanceRecordOutput(serializers.Serializer[Any]):
    membership = serializers.UUIDField(source="membership.public_id")
    session = serializers.UUIDField(source="session.public_id")
    outcome = serializers.ChoiceField(choices=AttendanceOutcome.choices)
    sent_home_acceptable = serializers.BooleanField(allow_null=True)
    homework_done = serializers.BooleanField(allow_null=True)
    personal_work = serializers.BooleanField()
    notes = bounded.CharField()
    concern = serializers.BooleanField()


class RegisterInput(serializers.Serializer[Any]):
    records = AttendanceRecordInput(
        many=True,
        allow_empty=False,
        error_messages={"empty": "Record at least one member: an empty register records nobody."},
    )
    content_delivered = bounded.CharField(required=False, allow_blank=True, max_length=5000)
    exercises = bounded.CharField(required=False, allow_blank=True, max_length=5000)


class RegisterMemberOutput(serializers.Serializer[Any]):
    membership = serializers.UUIDField()
    crn = bounded.CharField()
    full_name = bounded.CharField()
    membership_status = serializers.ChoiceField(
        choices=MembershipStatus.choices,
        help_text="Not active: the membership has ended and its record is read-only (MEMBERSHIP_ENDED).",
    )
    record = AttendanceRecordOutput(allow_null=True)
    catch_up_outstanding = serializers.ListField(
        child=serializers.UUIDField(), help_text="Earlier missed sessions not yet caught up."
    )
    may_attend = serializers.BooleanField(help_text="False while an earlier catch-up is outstanding.")
    blocked_by = bounded.CharField(allow_blank=True)


class RegisterOutput(serializers.Serializer[Any]):
    session = serializers.UUIDField()
    date = bounded.DateField()
    is_open = serializers.BooleanField(help_text="A register opens on the session's date (domain.md §6).")
    content_delivered = bounded.CharField()
    exercises = bounded.CharField()
    register_taken_at = serializers.DateTimeField(allow_null=True)
    members = RegisterMemberOutput(many=True)


class CatchUpInput(serializers.Serializer[Any]):
    missed_session = serializers.UUIDField()
    date = bounded.DateField()
    facilitator = serializers.UUIDField()
    outcome = serializers.ChoiceField(
        choices=CatchUpOutcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty to book a future catch-up; record the outcome later.",
    )
    start = serializers.TimeField(required=False, allow_null=True, default=None)
    venue = serializers.IntegerField(required=False, allow_null=True, default=None)
    notes = bounded.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CatchUpOutcomeInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=CatchUpOutcome.choices)
    notes = bounded.CharField(required=False, allow_blank=True, max_length=2000)


class CatchUpOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    membership = serializers.UUIDField(source="membership.public_id")
    missed_session = serializers.UUIDField(source="missed_session.public_id")
    date = bounded.DateField()
    start = serializers.TimeField(allow_null=True)
    end = serializers.TimeField(allow_null=True)
    venue = DeliveryVenueOutput(allow_null=True)
    facilitator = DeliveryStaffOutput()
    outcome = bounded.CharField(help_text="attended, late, acceptable_absence, unacceptable_absence or empty")
    notes = bounded.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True, help_text="Set when the booking was cancelled.")
    cancel_reason = bounded.CharField(help_text="Why it was cancelled (empty unless cancelled).")


class CatchUpCancelInput(serializers.Serializer[Any]):
    reason = bounded.CharField(max_length=2000)


class CatchUpExceptionInput(serializers.Serializer[Any]):
    missed_session = serializers.UUIDField()
    reason = bounded.CharField()


class CatchUpExceptionOutput(serializers.Serializer[Any]):
    missed_session = serializers.UUIDField(source="missed_session.public_id")
    reason = bounded.CharField()
    granted_by = DeliveryStaffOutput()
    granted_at = serializers.DateTimeField()


class MembershipProgressOutput(MembershipOutput):
    """A membership with its progress (domain.md §6): what is done, what is outstanding, what the limit says."""

    status = serializers.ChoiceField(choices=MembershipStatus.choices)
    total_sessions = serializers.IntegerField()
    sessions_attended = serializers.IntegerField()
    sessions_missed = serializers.IntegerField()
    catch_ups_completed = serializers.IntegerField()
    catch_ups_outstanding = serializers.ListField(child=serializers.UUIDField())
    catch_up_limit = serializers.IntegerField(allow_null=True)
    restart_blocks = serializers.ListField(child=serializers.IntegerField())
    codes = serializers.ListField(child=bounded.CharField())
    reasons = serializers.ListField(child=bounded.CharField())


class WarningInput(serializers.Serializer[Any]):
    issued_on = bounded.DateField()
    notes = bounded.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BreachInput(serializers.Serializer[Any]):
    actioned_on = bounded.DateField()
    notes = bounded.CharField(required=False, allow_blank=True, default="", max_length=2000)


class EnforcementActionOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    kind = bounded.CharField()
    on = bounded.DateField()
    notes = bounded.CharField()


def with_progress(membership: Any) -> Any:
    """The membership with its progress fields set, for MembershipProgressOutput (domain.md §6)."""
    from sessions.progress import progress_dict

    for key, value in progress_dict(membership).items():
        setattr(membership, key, value)
    return membership
