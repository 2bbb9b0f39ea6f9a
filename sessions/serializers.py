"""Input and output shapes of the delivery API. Inputs check types and choices; the services decide.

Groups, plans, sessions and memberships are named by `id` = their public UUID; programmes by their `code`.
No output carries a participant's name except the members list of a group (staff who run the group need it).
"""

from __future__ import annotations

import re
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
from sessions.rules.default_catalogue import DEFAULT_CATALOGUE
from sessions.services import REMOVAL_NEXT_STATUSES
from sessions.services.plans import DEFAULT_ONE_TO_ONE

WEEKDAY_CHOICES = [(day, day.capitalize()) for day in WEEKDAYS]
REMOVAL_STATUS_CHOICES = [(s, s.replace("_", " ").capitalize()) for s in REMOVAL_NEXT_STATUSES]
# The jurisdictions the preview accepts: the area's names (domain.md §5) plus the `holidays` subdivision codes.
PREVIEW_JURISDICTIONS = [
    *Jurisdiction.choices,
    ("ENG", "England"),
    ("WLS", "Wales"),
    ("NIR", "Northern Ireland"),
]

# What the schema says a create or preview may name (issue 12: the schema says what the API accepts). The codes are
# fixed (a catalogue change is a new version of a code, sessions/services/catalogue.FIXED_KEYS); which of them an
# area offers on a date is the service's to say (LI/HI only where switched on).
GROUP_CODES = [e["code"] for e in DEFAULT_CATALOGUE if e["delivery"] != Delivery.ONE_TO_ONE]
ONE_TO_ONE_CODES = [e["code"] for e in DEFAULT_CATALOGUE if e["delivery"] == Delivery.ONE_TO_ONE]
PROGRAMME_FAMILIES = sorted({e["programme"] for e in DEFAULT_CATALOGUE})
FORMATS = sorted({e["format"] for e in DEFAULT_CATALOGUE})
# Weekly slots: one or two on different weekdays (sessions/rules/schedule._check_slots); a programme meeting once a
# week or monthly takes one (its max_slots_per_week).
SLOTS = bounded.schema(minItems=1, maxItems=2)
SLOTS_HELP = (
    "One or two weekly slots on different weekdays; a programme that meets once a week or monthly "
    "(max_slots_per_week 1, e.g. nsogp_ltms) takes one."
)
# The largest number the group's columns hold (PositiveSmallIntegerField): a bigger capacity or age is refused on
# its field, not written (an age of 40000 reached the database).
SMALL_MAX = 32_767
FUTURE_START_HELP = (
    "Today or later. The first session is on the first slot date from it that is not a bank holiday or an area "
    "closure."
)


def _plan_schema() -> dict[str, Any]:
    """sessions_per_module of the national one-to-one programme: every module, at least one session each, and no
    module so many that the others (one each at least) push the total over its maximum (domain.md §2.2)."""
    entry = next(e for e in DEFAULT_CATALOGUE if e["code"] == DEFAULT_ONE_TO_ONE)
    numbers = [str(m["number"]) for m in entry["modules"]]
    most = entry["sessions_max"] - (len(numbers) - 1)
    return bounded.schema(
        type="object",
        properties={n: {"type": "integer", "minimum": 1, "maximum": most} for n in numbers},
        required=numbers,
        additionalProperties=False,
    )


PLAN_HELP = (
    'Module number -> sessions, e.g. {"1": 5, "2": 4, ...}: every module of the programme with at least one '
    "session, 20 to 30 in all (i-SOTP one-to-one). A module outside its guidance range (GET "
    "/api/v1/programmes/isotp_one_to_one/: sessions_min-sessions_max) needs a rationale. The modules are those of "
    "the national version; an area's own version lists its own."
)


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
    programme = bounded.CharField(
        help_text="Catalogue code of a group programme your area offers (li_group and hi_group only where the "
        "area has switched the optional suite on).",
        style=bounded.schema(enum=GROUP_CODES),
    )
    venue = serializers.IntegerField(min_value=1, help_text="The id of an active venue of your area.")
    treatment_manager = serializers.UUIDField(
        required=False, help_text="A treatment manager of your area; defaults to you."
    )
    facilitators = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        help_text="Facilitators of your area trained for the programme and supervised on the start date, each "
        "once: at least the programme's facilitators_per_session (2 in the national catalogue).",
        style=bounded.schema(uniqueItems=True),
    )
    slots = SlotInput(many=True, help_text=SLOTS_HELP, style=SLOTS)
    start_date = bounded.DateField(help_text=FUTURE_START_HELP)
    capacity = serializers.IntegerField(
        min_value=1,
        max_value=SMALL_MAX,
        help_text="Within the programme's group sizes, group_min to group_max (national catalogue: 8 to 10 for "
        "isotp_group, 6 to 10 for the others).",
    )
    age_min = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=10,
        max_value=SMALL_MAX,
        help_text="Default: the programme's min_age. Below it only for the programme's young adult band "
        "(isotp_group: 17 to 21, with age_max at most 21).",
    )
    age_max = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=10,
        max_value=SMALL_MAX,
        help_text="Not below age_min, nor above the programme's max_age where it has one.",
    )
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
    referral = serializers.UUIDField(
        help_text="A referral of your area awaiting allocation to the programme's one-to-one format."
    )
    facilitator = serializers.UUIDField(
        help_text="A facilitator of your area trained for the programme and supervised on the start date."
    )
    sessions_per_module = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text=PLAN_HELP, style=_plan_schema()
    )
    rationale = bounded.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the plan departs from a module's guidance range: needed when one does.",
    )
    slots = SlotInput(many=True, help_text=SLOTS_HELP, style=SLOTS)
    start_date = bounded.DateField(help_text=FUTURE_START_HELP)
    venue = serializers.IntegerField(min_value=1, help_text="The id of an active venue of your area.")
    programme = bounded.CharField(
        required=False,
        default=DEFAULT_ONE_TO_ONE,
        help_text="Catalogue code of a one-to-one programme your area offers.",
        style=bounded.schema(enum=ONE_TO_ONE_CODES),
    )


# --- schedule preview ---------------------------------------------------------------------------------------


def _preview_pairs() -> list[dict[str, Any]]:
    """The programme and format pairs the preview takes (sessions.selectors.catalogue.programme_for_preview): a
    catalogue code with no format, or a family with one of its formats. A plan (`sessions_per_module`) only with a
    one-to-one programme."""
    no_plan = {"not": {"required": ["sessions_per_module"]}}

    def one_of(values: list[str]) -> dict[str, Any]:
        # A pattern, not an enum: drf-spectacular names every enum as a component of its own.
        return {"maxLength": 0} if values == [""] else {"pattern": f"^({'|'.join(map(re.escape, values))})$"}

    def pair(programmes: list[str], formats: list[str], *, plan: bool) -> dict[str, Any]:
        variant: dict[str, Any] = {
            "properties": {"programme": one_of(programmes), "format": one_of(formats)},
            **({} if plan else no_plan),
        }
        if formats != [""]:
            variant["required"] = ["format"]
        return variant

    one_to_one = [e for e in DEFAULT_CATALOGUE if e["delivery"] == Delivery.ONE_TO_ONE]
    others = [e for e in DEFAULT_CATALOGUE if e["delivery"] != Delivery.ONE_TO_ONE]
    pairs = [
        pair([e["code"] for e in others], [""], plan=False),
        pair([e["code"] for e in one_to_one], [""], plan=True),
    ]
    for family in PROGRAMME_FAMILIES:
        group_formats = sorted({e["format"] for e in others if e["programme"] == family})
        if group_formats:
            pairs.append(pair([family], group_formats, plan=False))
        if any(e["programme"] == family for e in one_to_one):
            pairs.append(pair([family], sorted({e["format"] for e in one_to_one}), plan=True))
    return pairs


class PreviewInput(serializers.Serializer[Any]):
    openapi_request = {"anyOf": _preview_pairs()}

    programme = bounded.CharField(
        help_text="A programme family (isotp, nsogp, li, hi) with a format, or a catalogue code without one; "
        "your area must offer it.",
        style=bounded.schema(enum=[*PROGRAMME_FAMILIES, *(e["code"] for e in DEFAULT_CATALOGUE)]),
    )
    format = serializers.ChoiceField(
        choices=FORMATS,
        required=False,
        allow_blank=True,
        default="",
        help_text="With a programme family: the format (a family offers only some: isotp group and one_to_one; "
        "nsogp core_group, relapse_prevention and ltms; li and hi group). Empty with a catalogue code.",
    )
    start_date = bounded.DateField(help_text="Any date from 1900 to 2100; nothing is written.")
    slots = SlotInput(many=True, help_text=SLOTS_HELP, style=SLOTS)
    jurisdiction = serializers.ChoiceField(choices=PREVIEW_JURISDICTIONS, required=False)
    closures = serializers.ListField(child=bounded.DateField(), required=False, default=list)
    sessions_per_module = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text=f"A one-to-one plan to preview, with a one-to-one programme only. {PLAN_HELP}",
        style=_plan_schema(),
    )


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
