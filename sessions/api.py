"""Thin API views for delivery: authorise, call one selector or service, serialise (docs: api.md).

Writes go through `sessions.services`, the same functions the pages use, so the two cannot disagree.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as staff_selectors
from accounts.models import User
from accounts.permissions import (
    CataloguePermission,
    DeliveryPermission,
    ManageDeliveryPermission,
    MembershipPermission,
    OwnCalendarPermission,
    SchedulePreviewPermission,
)
from isotp.api import AccessLoggedList, act_on
from referrals import selectors as referral_selectors
from referrals.api import FormatIsAFilter
from sessions import services
from sessions.attendance_serializers import MembershipProgressOutput, with_progress
from sessions.filters import GroupFilter, PlanFilter, ProgrammeFilter, SessionFilter
from sessions.models import Membership, Programme, ScheduledSession
from sessions.selectors.area import current_feed_token
from sessions.selectors.catalogue import programme_for_preview, programme_for_user, programmes_for_area
from sessions.selectors.groups import (
    group_for_user,
    group_in_reach,
    group_list_for_user,
    member_list_for_group,
    membership_for_user,
    membership_record_for,
    schedule_for_group,
    with_group_staff,
)
from sessions.selectors.plans import plan_for_user, plan_in_reach, plan_list_for_user, with_plan_staff
from sessions.selectors.schedule import (
    schedule_for_plan,
    session_for_user,
    session_rows_for_user,
)
from sessions.serializers import (
    AllocateInput,
    CancelSessionInput,
    CloseInput,
    FeedOutput,
    GroupCreateInput,
    GroupOutput,
    MembershipOutput,
    MovedSessionsOutput,
    PlanCreateInput,
    PlanOutput,
    PreviewInput,
    PreviewOutput,
    ProgrammeOutput,
    RemoveMemberInput,
    RescheduleInput,
    SessionDetailOutput,
    SessionOutput,
)

T = TypeVar("T")
CONFLICT = OpenApiResponse(description="A domain rule refuses the change: {code, detail, allowed?}.")
# 400s of the creates and the preview: the rules across fields or about other records, which a schema cannot say
# (issue 12); each is a message on the field named.
GROUP_400 = OpenApiResponse(
    description="Field errors. Besides each field's own bounds: `programme` a group programme your area offers on "
    "the start date; `venue` an active venue of your area; `treatment_manager` one of your area; `facilitators` "
    "of your area, trained for the programme, each once, at least the programme's facilitators_per_session; "
    "`slots` no more than the programme's max_slots_per_week, on different weekdays; `start_date` today or later; "
    "`capacity` within the programme's group_min to group_max; `age_min`/`age_max` the programme's ages or its "
    "young adult band, age_max not below age_min."
)
PLAN_400 = OpenApiResponse(
    description="Field errors. Besides each field's own bounds: `referral` and `facilitator` of your area (the "
    "facilitator trained for the programme); `programme` a one-to-one programme your area offers; "
    "`sessions_per_module` every module of that programme's version, 20 to 30 sessions in all; `rationale` "
    "needed when a module is outside its guidance range; `slots` on different weekdays, no more than the "
    "programme's max_slots_per_week; `start_date` today or later; `venue` an active venue of your area."
)
PREVIEW_400 = OpenApiResponse(
    description="Field errors. Besides each field's own bounds: `programme` a family with a `format` it has, or a "
    "catalogue code with no format, that your area offers; `slots` on different weekdays, no more than the "
    "programme's max_slots_per_week; `sessions_per_module` (optional) the modules of that programme, with the "
    "total it allows (one-to-one: 20 to 30)."
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _ref(field: str, lookup: Callable[[], T]) -> T:
    """Resolve a referenced record; one that is not found (or not yours) is a 400 on its field, not a 404."""
    try:
        return lookup()
    except (Http404, ValueError):
        raise ValidationError({field: ["Not found: choose one from your area."]}) from None


def _staff(user: User, field: str, public_id: object) -> User:
    return _ref(field, lambda: staff_selectors.staff_member(user, str(public_id)))


def _venue(user: User, pk: int) -> Any:
    venue = staff_selectors.venues_for(user).filter(pk=pk).first()
    if venue is None:
        raise ValidationError({"venue": ["Choose a venue in your area."]})
    return venue


# --- catalogue ----------------------------------------------------------------------------------------------


class ProgrammeListApi(generics.ListAPIView[Programme]):
    """Managers: the catalogue versions in force in their area (the LI/HI suite only where switched on)."""

    permission_classes = [CataloguePermission]
    serializer_class = ProgrammeOutput
    filterset_class = ProgrammeFilter
    # `?format=group` is the filter, not DRF's renderer override (which answered 404: review of issue 11).
    content_negotiation_class = FormatIsAFilter

    def get_queryset(self) -> QuerySet[Any]:
        return programmes_for_area(self.request.user)


class ProgrammeDetailApi(APIView):
    """Managers: the version of one programme in force in their area."""

    permission_classes = [CataloguePermission]

    @extend_schema(responses={200: ProgrammeOutput}, summary="One programme")
    def get(self, request: Request, code: str) -> Response:
        return Response(ProgrammeOutput(programme_for_user(request.user, code)).data)


# --- groups -------------------------------------------------------------------------------------------------


class GroupListApi(generics.ListCreateAPIView):
    """TMs and administrators: the area's groups; facilitators: the groups they deliver. TMs create groups."""

    permission_classes = [DeliveryPermission]
    serializer_class = GroupOutput
    filterset_class = GroupFilter

    def get_queryset(self) -> QuerySet[Any]:
        return group_list_for_user(self.request.user)

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else with_group_staff(list(page))

    @extend_schema(
        request=GroupCreateInput,
        responses={201: GroupOutput, 400: GROUP_400, 409: CONFLICT},
        summary="Create a group and generate its sessions",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = GroupCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = _user(request)
        facilitators = [_staff(user, "facilitators", pid) for pid in v["facilitators"]]
        tm = (
            _ref("treatment_manager", lambda: staff_selectors.staff_member(user, v["treatment_manager"]))
            if v.get("treatment_manager")
            else user
        )
        group = services.create_group(
            actor=user,
            programme_code=v["programme"],
            venue=_venue(user, v["venue"]),
            treatment_manager=tm,
            facilitators=facilitators,
            slots=v["slots"],
            start_date=v["start_date"],
            capacity=v["capacity"],
            age_min=v.get("age_min"),
            age_max=v.get("age_max"),
            name=v["name"],
        )
        return Response(
            GroupOutput(group_for_user(user, group.public_id)).data, status=status.HTTP_201_CREATED
        )


class GroupDetailApi(APIView):
    """A group the user may see."""

    permission_classes = [DeliveryPermission]

    @extend_schema(responses={200: GroupOutput}, summary="One group")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(GroupOutput(group_for_user(request.user, public_id)).data)


CLOSE_CONFLICT = OpenApiResponse(
    description="The programme is not over: SESSIONS_TO_COME or REGISTERS_MISSING (with `sessions`, their "
    "numbers), NOTHING_DELIVERED, ALREADY_COMPLETED, OWNER_CANCELLED."
)


class GroupCloseApi(APIView):
    """TMs: mark a group completed now its programme is over (every session delivered or cancelled, every
    register taken). The last register does this by itself; a rolling group may end this way."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=CloseInput,
        responses={200: GroupOutput, 400: None, 409: CLOSE_CONFLICT},
        summary="Close a group (mark it completed)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return act_on(
            request,
            public_id,
            find=group_for_user,
            input_class=CloseInput,
            # read again through the selector: the answer carries its annotated fields
            act=lambda user, group, values: group_for_user(
                user, services.close_group(actor=user, group=group, **values).public_id
            ),
            output_class=GroupOutput,
        )


class GroupSessionListApi(generics.ListAPIView):
    """A group's sessions in date order (provider-cancelled ones included, with their status)."""

    permission_classes = [DeliveryPermission]
    serializer_class = SessionOutput
    filterset_class = SessionFilter

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return ScheduledSession.objects.none()
        group = group_in_reach(self.request.user, self.kwargs["public_id"])
        return schedule_for_group(group)


class GroupMembershipListApi(AccessLoggedList, generics.ListAPIView):
    """A group's members (active first); TMs allocate a waiting referral with POST."""

    permission_classes = [DeliveryPermission]
    access_list_name = "group"

    def access_query(self, request: Any) -> Any:
        return {"group": str(self.kwargs["public_id"])}

    serializer_class = MembershipOutput

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        group = group_in_reach(self.request.user, self.kwargs["public_id"])
        return member_list_for_group(group)

    @extend_schema(
        request=AllocateInput,
        responses={
            201: MembershipOutput,
            400: None,
            409: OpenApiResponse(
                description="GROUP_FULL, UNDER_AGE, OVER_AGE, ALREADY_ALLOCATED, NOT_AWAITING_ALLOCATION, "
                "WRONG_PROGRAMME, GROUP_CLOSED, NO_JOIN_POINT, GROUP_NOT_OPEN"
            ),
        },
        summary="Allocate a referral from the waiting list",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        group = group_for_user(user, public_id)
        data = AllocateInput(data=request.data)
        data.is_valid(raise_exception=True)
        referral = _ref(
            "referral", lambda: referral_selectors.referral_for_user(user, data.validated_data["referral"])
        )
        membership = services.allocate(actor=user, group=group, referral=referral)
        return Response(MembershipOutput(membership).data, status=status.HTTP_201_CREATED)


class MembershipDetailApi(APIView):
    """One membership (an OM reads those of their own caseload); TMs end it with DELETE (body: reason,
    next_status) or POST .../remove/."""

    permission_classes = [MembershipPermission]

    @extend_schema(responses={200: MembershipProgressOutput}, summary="One membership with its progress")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        membership = membership_record_for(request.user, public_id)
        return Response(MembershipProgressOutput(with_progress(membership)).data)

    @extend_schema(
        request=RemoveMemberInput,
        responses={200: MembershipOutput, 400: None, 409: CONFLICT},
        summary="Remove a member (reason and the referral's next status)",
    )
    def delete(self, request: Request, public_id: uuid.UUID) -> Response:
        return _remove(request, public_id)


class MembershipRemoveApi(APIView):
    """TMs: end a membership with a reason and the referral's next status."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=RemoveMemberInput,
        responses={200: MembershipOutput, 400: None, 409: CONFLICT},
        summary="Remove a member (reason and the referral's next status)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return _remove(request, public_id)


def _remove(request: Request, public_id: uuid.UUID) -> Response:
    user = _user(request)
    membership = membership_for_user(user, public_id)
    data = RemoveMemberInput(data=request.data)
    data.is_valid(raise_exception=True)
    ended = services.remove_member(actor=user, membership=membership, **data.validated_data)
    return Response(MembershipOutput(ended).data)


# --- sessions -----------------------------------------------------------------------------------------------


class SessionDetailApi(APIView):
    """One session the user may see."""

    permission_classes = [DeliveryPermission]

    @extend_schema(responses={200: SessionDetailOutput}, summary="One session")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(SessionDetailOutput(session_for_user(request.user, public_id)).data)


class SessionRescheduleApi(APIView):
    """TMs: move a session to a new date (and optionally every later one). Past sessions never move."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=RescheduleInput,
        responses={
            200: MovedSessionsOutput,
            400: None,
            409: OpenApiResponse(
                description="PAST_SESSION, DATE_IN_PAST, NON_WORKING_DAY, OUT_OF_ORDER, VENUE_CLASH, FACILITATOR_CLASH"
            ),
        },
        summary="Reschedule a session",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        session = session_for_user(user, public_id)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        moved = services.reschedule_session(actor=user, session=session, **data.validated_data)
        return Response(MovedSessionsOutput({"moved": moved}).data)


class SessionCancelApi(APIView):
    """TMs: the provider cancels a session; it and the later ones move to the next free slot dates."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=CancelSessionInput,
        responses={200: SessionOutput, 409: CONFLICT},
        summary="Cancel a session (provider): rescheduled for everyone",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        session = session_for_user(user, public_id)
        data = CancelSessionInput(data=request.data)
        data.is_valid(raise_exception=True)
        replacement = services.cancel_session_by_provider(actor=user, session=session, **data.validated_data)
        return Response(SessionOutput(replacement).data)


class MySessionListApi(generics.ListAPIView):
    """Facilitators: the sessions they deliver (filter by `date_after` / `date_before`)."""

    permission_classes = [OwnCalendarPermission]
    serializer_class = SessionDetailOutput
    filterset_class = SessionFilter

    def get_queryset(self) -> QuerySet[Any]:
        return session_rows_for_user(self.request.user).exclude(status="cancelled_by_provider")


class MyCalendarFeedApi(APIView):
    """Facilitators: their private iCalendar feed URL; POST issues a new one (the old stops), DELETE revokes."""

    permission_classes = [OwnCalendarPermission]

    def _out(self, request: Request, token: Any) -> Response:
        from django.urls import reverse

        url = (
            request.build_absolute_uri(reverse("programme_sessions_feed:ical", args=[token.token]))
            if token
            else None
        )
        return Response(FeedOutput({"url": url, "created_at": token.created_at if token else None}).data)

    @extend_schema(responses={200: FeedOutput}, summary="My calendar feed")
    def get(self, request: Request) -> Response:
        return self._out(request, current_feed_token(_user(request)))

    @extend_schema(request=None, responses={200: FeedOutput}, summary="Issue a new calendar feed URL")
    def post(self, request: Request) -> Response:
        user = _user(request)
        return self._out(request, services.issue_feed_token(actor=user, user=user))

    @extend_schema(responses={204: None}, summary="Revoke my calendar feed URL")
    def delete(self, request: Request) -> Response:
        user = _user(request)
        services.revoke_feed_token(actor=user, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- one-to-one plans ---------------------------------------------------------------------------------------


class PlanListApi(AccessLoggedList, generics.ListCreateAPIView):
    """TMs and administrators: the area's one-to-one plans; facilitators: theirs. TMs create plans."""

    permission_classes = [DeliveryPermission]
    access_list_name = "one_to_one_plans"
    serializer_class = PlanOutput
    filterset_class = PlanFilter

    def get_queryset(self) -> QuerySet[Any]:
        return plan_list_for_user(self.request.user)

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return None if page is None else with_plan_staff(list(page))

    @extend_schema(
        request=PlanCreateInput,
        responses={201: PlanOutput, 400: PLAN_400, 409: CONFLICT},
        summary="Create a one-to-one plan and generate its sessions",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PlanCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = _user(request)
        plan = services.create_one_to_one_plan(
            actor=user,
            referral=_ref("referral", lambda: referral_selectors.referral_for_user(user, v["referral"])),
            facilitator=_ref("facilitator", lambda: staff_selectors.staff_member(user, v["facilitator"])),
            sessions_per_module=v["sessions_per_module"],
            rationale=v["rationale"],
            slots=v["slots"],
            start_date=v["start_date"],
            venue=_venue(user, v["venue"]),
            programme_code=v["programme"],
        )
        return Response(PlanOutput(plan_for_user(user, plan.public_id)).data, status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    """A one-to-one plan the user may see."""

    permission_classes = [DeliveryPermission]

    @extend_schema(responses={200: PlanOutput}, summary="One one-to-one plan")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(PlanOutput(plan_for_user(request.user, public_id)).data)


class PlanCloseApi(APIView):
    """TMs: mark a one-to-one plan completed now its programme is over (the same rule as a group)."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=CloseInput,
        responses={200: PlanOutput, 400: None, 409: CLOSE_CONFLICT},
        summary="Close a one-to-one plan (mark it completed)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return act_on(
            request,
            public_id,
            find=plan_for_user,
            input_class=CloseInput,
            act=lambda user, plan, values: plan_for_user(
                user, services.close_plan(actor=user, plan=plan, **values).public_id
            ),
            output_class=PlanOutput,
        )


class PlanSessionListApi(generics.ListAPIView):
    """A plan's sessions in date order."""

    permission_classes = [DeliveryPermission]
    serializer_class = SessionOutput

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return ScheduledSession.objects.none()
        plan = plan_in_reach(self.request.user, self.kwargs["public_id"])
        return schedule_for_plan(plan)


# --- schedule preview ---------------------------------------------------------------------------------------


class SchedulePreviewApi(APIView):
    """Stateless: the sessions a programme would get from a start date and slots, skipping the bank holidays of
    the jurisdiction (default: your area's) and the closure dates given. Nothing is written."""

    throttle_scope = "calculators"  # stateless and cheap to call in a loop: rate-limited
    permission_classes = [SchedulePreviewPermission]

    @extend_schema(
        request=PreviewInput, responses={200: PreviewOutput, 400: PREVIEW_400}, summary="Preview a schedule"
    )
    def post(self, request: Request) -> Response:
        user = _user(request)
        data = PreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        programme = programme_for_preview(user, v["programme"], v["format"])
        if programme is None:
            raise ValidationError({"programme": ["Choose a programme and format this area offers."]})
        jurisdiction = v.get("jurisdiction") or user.area.holiday_subdivision  # type: ignore[union-attr]
        plan = _plan_or_none(v.get("sessions_per_module"))
        if plan is not None:
            services.check_plan(plan, programme=programme, rationale=None)  # domain.md §2.2: 20-30 in all
        schedule = services.preview_schedule(
            programme=programme,
            start_date=v["start_date"],
            slots=v["slots"],
            jurisdiction=jurisdiction,
            closures=v["closures"],
            sessions_per_module=plan,
        )
        return Response(
            PreviewOutput(
                {
                    "programme": programme,
                    "jurisdiction": jurisdiction,
                    "sessions": schedule.sessions,
                    "skipped": schedule.skipped,
                }
            ).data
        )


def _plan_or_none(raw: dict[str, int] | None) -> dict[int, int] | None:
    return services.parse_plan(raw) if raw else None
