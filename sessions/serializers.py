"""Input and output shapes of the delivery API. Inputs check types and choices; the services decide.

Groups, plans, sessions and memberships are named by `id` = their public UUID; programmes by their `code`.
No output carries a participant's name except the members list of a group (staff who run the group need it).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Jurisdiction
from isotp import fields as bounded
from sessions.models import (
    Cadence,
    Delivery,
    GroupStatus,
    JoinRule,
    MembershipStatus,
    PlanStatus,
    RestartKind,
    SessionStatus,
)
from sessions.rules import WEEKDAYS
from sessions.services import REMOVAL_NEXT_STATUSES

WEEKDAY_CHOICES = [(day, day.capitalize()) for day in WEEKDAYS]
REMOVAL_STATUS_CHOICES = [(s, s.replace("_", " ").capitalize()) for s in REMOVAL_NEXT_STATUSES]
# The jurisdictions the preview accepts: the area's names (domain.md §5) plus the `holidays` subdivision codes.
PREVIEW_JURISDICTIONS = [
    *Jurisdiction.choices,
    ("ENG", "England"),
    ("WLS", "Wales"),
    ("NIR", "Northern Ireland"),
]


class DeliveryStaffOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    full_name = bounded.CharField()


class DeliveryVenueOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = bounded.CharField()


# --- catalogue ----------------------------------------------------------------------------------------------


class ModuleOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    title = bounded.CharField()
    sessions = serializers.IntegerField(
        required=False, allow_null=True, help_text="Fixed number of sessions."
    )
    sessions_min = serializers.IntegerField(
        required=False, allow_null=True, help_text="Guidance range (1:1)."
    )
    sessions_max = serializers.IntegerField(required=False, allow_null=True)
    block = serializers.IntegerField(required=False, allow_null=True)
    note = bounded.CharField(required=False)


class AgeBandOutput(serializers.Serializer[Any]):
    min_age = serializers.IntegerField()
    max_age = serializers.IntegerField()


class RestartRuleOutput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=RestartKind.choices)
    limit = serializers.IntegerField(allow_null=True)


class ProgrammeOutput(serializers.Serializer[Any]):
    code = bounded.CharField()
    programme = bounded.CharField()
    format = bounded.CharField()
    name = bounded.CharField()
    version = serializers.IntegerField()
    area_version = serializers.SerializerMethodField(help_text="True when this is the area's own version.")
    valid_from = bounded.DateField()
    valid_until = bounded.DateField(allow_null=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    session_minutes = serializers.IntegerField()
    work_minutes = serializers.IntegerField()
    sessions_min = serializers.IntegerField()
    sessions_max = serializers.IntegerField()
    modules = ModuleOutput(many=True)
    group_min = serializers.IntegerField()
    group_optimum = serializers.IntegerField()
    group_max = serializers.IntegerField()
    min_age = serializers.IntegerField()
    max_age = serializers.IntegerField(allow_null=True)
    young_adult_band = AgeBandOutput(allow_null=True)
    max_catch_ups = serializers.IntegerField(allow_null=True)
    restart_rule = serializers.SerializerMethodField()
    facilitators_per_session = serializers.IntegerField()
    homework_required = serializers.BooleanField()
    join_rule = serializers.ChoiceField(choices=JoinRule.choices)
    voluntary = serializers.BooleanField()
    optional_suite = serializers.BooleanField()
    default_start_time = serializers.TimeField()
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    max_slots_per_week = serializers.IntegerField()
    source = serializers.ListField(child=bounded.CharField())  # type: ignore[assignment]
    source_note = bounded.CharField()

    def get_area_version(self, obj: Any) -> bool:
        return obj.area_id is not None

    def get_restart_rule(self, obj: Any) -> RestartRuleOutput:
        return RestartRuleOutput({"kind": obj.restart_kind, "limit": obj.restart_limit}).data  # type: ignore[return-value]


class ProgrammeRefOutput(serializers.Serializer[Any]):
    code = bounded.CharField()
    name = bounded.CharField()
    version = serializers.IntegerField()


# --- slots and sessions -------------------------------------------------------------------------------------


class SlotInput(serializers.Serializer[Any]):
    weekday = serializers.ChoiceField(choices=WEEKDAY_CHOICES)
    start_time = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"])


class SlotOutput(serializers.Serializer[Any]):
    weekday = serializers.SerializerMethodField()
    start_time = serializers.TimeField()

    def get_weekday(self, obj: Any) -> str:
        return WEEKDAYS[obj.weekday]


class SessionOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    number = serializers.IntegerField()
    module = serializers.IntegerField()
    module_title = bounded.CharField()
    block = serializers.IntegerField(allow_null=True)
    date = bounded.DateField()
    start = serializers.TimeField()
    end = serializers.TimeField()
    venue = DeliveryVenueOutput()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    moved_from = bounded.DateField(
        allow_null=True, help_text="The date first planned, while the session is on another date; else null."
    )
    facilitators = DeliveryStaffOutput(many=True)


class SessionDetailOutput(SessionOutput):
    group = serializers.UUIDField(source="group.public_id", allow_null=True, default=None)
    plan = serializers.UUIDField(source="plan.public_id", allow_null=True, default=None)
    reference = serializers.SerializerMethodField()

    def get_reference(self, obj: Any) -> str:
        return obj.group.reference if obj.group_id else obj.plan.reference


class RescheduleInput(serializers.Serializer[Any]):
    new_date = bounded.DateField()
    new_start = serializers.TimeField(required=False, allow_null=True, input_formats=["%H:%M"])
    cascade = serializers.BooleanField(
        help_text="Move every later session onto the next free slot dates too."
    )


class CancelSessionInput(serializers.Serializer[Any]):
    reason = bounded.CharField(required=False, allow_blank=True, default="")


class MovedSessionsOutput(serializers.Serializer[Any]):
    moved = SessionOutput(many=True)


# --- groups -------------------------------------------------------------------------------------------------


class GroupOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = bounded.CharField()
    name = bounded.CharField()
    programme = ProgrammeRefOutput()
    venue = DeliveryVenueOutput()
    treatment_manager = DeliveryStaffOutput()
    facilitators = DeliveryStaffOutput(many=True)
    slots = SlotOutput(many=True)
    capacity = serializers.IntegerField()
    member_count = serializers.IntegerField()
    age_min = serializers.IntegerField()
    age_max = serializers.IntegerField(allow_null=True)
    start_date = bounded.DateField()
    status = serializers.ChoiceField(choices=GroupStatus.choices)
    session_count = serializers.IntegerField()
    next_session_date = bounded.DateField(allow_null=True)
    last_session_date = bounded.DateField(allow_null=True)
    completed_on = bounded.DateField(
        allow_null=True, help_text="With status completed: the day of the last delivered session."
    )
    completed_by = DeliveryStaffOutput(
        allow_null=True, help_text="The treatment manager who closed it; empty when its last register did."
    )
    completion_reason = bounded.CharField(help_text="Why it is completed, in plain English.")


class GroupCreateInput(serializers.Serializer[Any]):
    programme = bounded.CharField(help_text="Catalogue code, e.g. isotp_group.")
    venue = serializers.IntegerField()
    treatment_manager = serializers.UUIDField(required=False, help_text="Defaults to you.")
    facilitators = serializers.ListField(child=serializers.UUIDField(), min_length=1)
    slots = SlotInput(many=True)
    start_date = bounded.DateField()
    capacity = serializers.IntegerField(min_value=1)
    age_min = serializers.IntegerField(required=False, allow_null=True, min_value=10)
    age_max = serializers.IntegerField(required=False, allow_null=True, min_value=10)
    name = bounded.CharField(required=False, allow_blank=True, default="", max_length=150)


class PersonRefOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    crn = bounded.CharField()
    full_name = serializers.SerializerMethodField()

    def get_full_name(self, obj: Any) -> str:
        return f"{obj.first_name} {obj.last_name}"


class MembershipOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    group = serializers.UUIDField(source="group.public_id", allow_null=True, default=None)
    plan = serializers.UUIDField(source="plan.public_id", allow_null=True, default=None)
    referral = serializers.UUIDField(source="referral.public_id")
    person = PersonRefOutput(source="referral.person")
    joined_on = bounded.DateField()
    left_on = bounded.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=MembershipStatus.choices)
    removal_reason_code = bounded.CharField()
    removal_reason = bounded.CharField()
    next_status = bounded.CharField()
    restart_session = serializers.UUIDField(
        source="restart_session.public_id",
        allow_null=True,
        default=None,
        help_text="With status restart_required: the missed session that could no longer be caught up.",
    )


class AllocateInput(serializers.Serializer[Any]):
    referral = serializers.UUIDField()


class RemoveMemberInput(serializers.Serializer[Any]):
    reason = bounded.CharField()
    next_status = serializers.ChoiceField(choices=REMOVAL_STATUS_CHOICES)
    reason_code = bounded.CharField(required=False, allow_blank=True, default="")


class CloseInput(serializers.Serializer[Any]):
    reason = bounded.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why, if you want it recorded.",
    )


# --- one-to-one plans ---------------------------------------------------------------------------------------


class PlanOutput(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    reference = bounded.CharField()
    programme = ProgrammeRefOutput()
    referral = serializers.UUIDField(source="referral.public_id")
    facilitator = DeliveryStaffOutput()
    treatment_manager = DeliveryStaffOutput()
    venue = DeliveryVenueOutput()
    sessions_per_module = serializers.DictField(child=serializers.IntegerField())
    rationale = bounded.CharField()
    total_sessions = serializers.IntegerField()
    slots = SlotOutput(many=True)
    start_date = bounded.DateField()
    status = serializers.ChoiceField(choices=PlanStatus.choices)
    session_count = serializers.IntegerField()
    next_session_date = bounded.DateField(allow_null=True)
    completed_on = bounded.DateField(
        allow_null=True, help_text="With status completed: the day of the last delivered session."
    )
    completed_by = DeliveryStaffOutput(
        allow_null=True, help_text="The treatment manager who closed it; empty when its last register did."
    )
    completion_reason = bounded.CharField(help_text="Why it is completed, in plain English.")


class PlanCreateInput(serializers.Serializer[Any]):
    referral = serializers.UUIDField()
    facilitator = serializers.UUIDField()
    sessions_per_module = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        help_text='Module number -> sessions, e.g. {"1": 5, "2": 4}.',
    )
    rationale = bounded.CharField(required=False, allow_blank=True, default="")
    slots = SlotInput(many=True)
    start_date = bounded.DateField()
    venue = serializers.IntegerField()
    programme = bounded.CharField(required=False, default="isotp_one_to_one")


# --- schedule preview ---------------------------------------------------------------------------------------


class PreviewInput(serializers.Serializer[Any]):
    programme = bounded.CharField(help_text="Programme family (e.g. isotp, nsogp) or a catalogue code.")
    format = bounded.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Format (group, one_to_one, core_group, relapse_prevention, ltms); omit with a catalogue code.",
    )
    start_date = bounded.DateField()
    slots = SlotInput(many=True)
    jurisdiction = serializers.ChoiceField(choices=PREVIEW_JURISDICTIONS, required=False)
    closures = serializers.ListField(child=bounded.DateField(), required=False, default=list)
    sessions_per_module = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)


class PreviewSessionOutput(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    module = serializers.IntegerField()
    module_title = bounded.CharField()
    block = serializers.IntegerField(allow_null=True)
    date = bounded.DateField()
    start = serializers.TimeField()
    end = serializers.TimeField()


class SkippedDateOutput(serializers.Serializer[Any]):
    date = bounded.DateField()
    reason = bounded.CharField()


class PreviewOutput(serializers.Serializer[Any]):
    programme = ProgrammeRefOutput()
    jurisdiction = bounded.CharField()
    sessions = PreviewSessionOutput(many=True)
    skipped = SkippedDateOutput(
        many=True, help_text="Slot dates passed over, with the reason (bank holiday...)."
    )


# --- calendar -----------------------------------------------------------------------------------------------


class FeedOutput(serializers.Serializer[Any]):
    url = serializers.URLField(
        allow_null=True, help_text="Private: anyone with the URL can read the calendar."
    )
    created_at = serializers.DateTimeField(allow_null=True)
