"""Thin API views for registers, catch-ups, progress and enforcement (issue 8): selector, input serializer, one
service call, output serializer. Refusals are 409 `{"code", "detail", ...}` from the services."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import (
    AttendancePermission,
    EnforcementPermission,
    ManageDeliveryPermission,
)
from audit.services import record_search
from isotp.api import act_on
from referrals import selectors as referral_selectors
from sessions import attendance_selectors, services
from sessions.api import _ref, _staff, _user, _venue
from sessions.attendance_serializers import (
    AttendanceRecordInput,
    AttendanceRecordOutput,
    BreachInput,
    CatchUpCancelInput,
    CatchUpExceptionInput,
    CatchUpExceptionOutput,
    CatchUpInput,
    CatchUpOutcomeInput,
    CatchUpOutput,
    EnforcementActionOutput,
    RegisterInput,
    RegisterOutput,
    WarningInput,
)
from sessions.models import CatchUp
from sessions.progress import register_for
from sessions.selectors import groups, schedule

CONFLICT = OpenApiResponse(description="A domain rule refuses the change: {code, detail, ...}.")


def _today() -> Any:
    from isotp.clock import today

    return today()


class SessionAttendanceApi(APIView):
    """Facilitators of the session and TMs: record one member's outcome (with homework, a note, a concern)."""

    permission_classes = [AttendancePermission]

    @extend_schema(
        request=AttendanceRecordInput,
        responses={200: AttendanceRecordOutput, 400: None, 409: CONFLICT},
        summary="Record attendance (409 REGISTER_NOT_OPEN, CATCH_UP_OUTSTANDING, MEMBERSHIP_ENDED)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        def record(user: Any, session: Any, values: dict[str, Any]) -> Any:
            membership = _ref(
                "membership", lambda: groups.membership_for_user(user, values.pop("membership"))
            )
            return services.record_attendance(actor=user, membership=membership, session=session, **values)

        return act_on(
            request,
            public_id,
            find=schedule.session_for_user,
            input_class=AttendanceRecordInput,
            act=record,
            output_class=AttendanceRecordOutput,
        )


def _register(session: Any, records: Any = None) -> dict[str, Any]:
    lines = register_for(session, records)
    return {
        "session": session.public_id,
        "date": session.date,
        "is_open": session.date <= _today(),
        "content_delivered": session.content_delivered,
        "exercises": session.exercises,
        "register_taken_at": session.register_taken_at,
        "members": [
            {
                "membership": line.membership.public_id,
                "crn": line.membership.referral.person.crn,
                "full_name": line.membership.referral.person.full_name,
                "membership_status": line.membership.status,
                "record": line.record,
                "catch_up_outstanding": [s.session_id for s in line.outstanding],
                "may_attend": line.may_attend,
                "blocked_by": line.blocked_by,
            }
            for line in lines
        ],
    }


class SessionRegisterApi(APIView):
    """Facilitators of the session and TMs: the session's register (GET) and the whole register at once (PUT)."""

    permission_classes = [AttendancePermission]

    @extend_schema(responses={200: RegisterOutput}, summary="A session's register")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        session = schedule.session_for_user(_user(request), public_id)
        body = RegisterOutput(_register(session)).data
        # The register lists the session's members: in the access log, as the register page is.
        record_search(
            actor=_user(request), list_name="register", query={"session": str(session.public_id)}, via="api"
        )
        return Response(body)

    @extend_schema(
        request=RegisterInput,
        responses={200: RegisterOutput, 400: None, 409: CONFLICT},
        summary="Take the whole register in one transaction (409 REGISTER_NOT_OPEN, CATCH_UP_OUTSTANDING, "
        "MEMBERSHIP_ENDED)",
    )
    def put(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        session = schedule.session_for_user(user, public_id)
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        entries = []
        records = data.validated_data["records"]
        # Every member named, in one query (the user's memberships, as `membership_for_user` finds one): only
        # their ids, since the service reads and locks the members itself.
        found = {
            str(m.public_id): m
            for m in groups.memberships_for_user(user)
            .filter(public_id__in=[str(raw["membership"]) for raw in records])
            .select_related(None)
            .only("pk", "public_id")
        }
        for index, raw in enumerate(records):
            values = dict(raw)
            membership = found.get(str(values.pop("membership")))
            if membership is None:
                # DRF's own shape for a nested list's errors: {"records": {"0": {"membership": [...]}}}.
                raise ValidationError(
                    {"records": {str(index): {"membership": ["Not found: choose one from your area."]}}}
                )
            entries.append(services.RegisterEntry(membership=membership, **values))
        taken = services.take_register(
            actor=user,
            session=session,
            entries=entries,
            content_delivered=data.validated_data.get("content_delivered"),
            exercises=data.validated_data.get("exercises"),
        )
        # The answer from the session and the records as written (only members not in the PUT are read).
        return Response(RegisterOutput(_register(taken.session, taken.records)).data)


class MembershipCatchUpListApi(APIView):
    """A member's catch-ups (GET); TMs and the member's facilitators record or book one (POST, 201)."""

    permission_classes = [AttendancePermission]

    def _membership(self, public_id: uuid.UUID) -> Any:
        return groups.membership_for_user(_user(self.request), public_id)

    @extend_schema(responses={200: CatchUpOutput(many=True)}, summary="A member's catch-ups")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        membership = self._membership(public_id)
        rows = CatchUp.objects.filter(membership=membership).select_related(
            "membership", "missed_session", "venue", "facilitator"
        )
        return Response(CatchUpOutput(rows, many=True).data)

    @extend_schema(
        request=CatchUpInput,
        responses={201: CatchUpOutput, 400: None, 409: CONFLICT},
        summary="Record or book a catch-up (409 FACILITATOR_CLASH, VENUE_CLASH, NOT_MISSED, ALREADY_CAUGHT_UP)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        def book(user: Any, membership: Any, v: dict[str, Any]) -> Any:
            missed = _ref(
                "missed_session", lambda: attendance_selectors.session_in_area(user, v["missed_session"])
            )
            return services.book_catch_up(
                actor=user,
                membership=membership,
                missed_session=missed,
                date=v["date"],
                facilitator=_staff(user, "facilitator", v["facilitator"]),
                start=v["start"],
                venue=_venue(user, v["venue"]) if v["venue"] is not None else None,
                outcome=v["outcome"],
                notes=v["notes"],
            )

        return act_on(
            request,
            public_id,
            find=groups.membership_for_user,
            input_class=CatchUpInput,
            act=book,
            output_class=CatchUpOutput,
            status_code=status.HTTP_201_CREATED,
        )


class CatchUpOutcomeApi(APIView):
    """TMs and the member's facilitators: record a booked catch-up's outcome, on or after its date."""

    permission_classes = [AttendancePermission]

    @extend_schema(
        request=CatchUpOutcomeInput,
        responses={200: CatchUpOutput, 400: None, 409: CONFLICT},
        summary="Record a catch-up's outcome (409 CATCH_UP_IN_FUTURE)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return act_on(
            request,
            public_id,
            find=attendance_selectors.catch_up_for_user,
            input_class=CatchUpOutcomeInput,
            act=lambda user, catch_up, values: services.record_catch_up_outcome(
                actor=user, catch_up=catch_up, **values
            ),
            output_class=CatchUpOutput,
        )


class CatchUpCancelApi(APIView):
    """TMs, the member's facilitators and the booked facilitator: cancel a booked catch-up, with the reason."""

    permission_classes = [AttendancePermission]

    @extend_schema(
        request=CatchUpCancelInput,
        responses={200: CatchUpOutput, 400: None, 409: CONFLICT},
        summary="Cancel a booked catch-up (409 CATCH_UP_RECORDED, CATCH_UP_CANCELLED)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return act_on(
            request,
            public_id,
            find=attendance_selectors.catch_up_for_user,
            input_class=CatchUpCancelInput,
            act=lambda user, catch_up, values: services.cancel_catch_up(
                actor=user, catch_up=catch_up, reason=values["reason"]
            ),
            output_class=CatchUpOutput,
        )


class CatchUpExceptionApi(APIView):
    """Treatment managers: let a member continue while one catch-up is outstanding, with the reason."""

    permission_classes = [ManageDeliveryPermission]

    @extend_schema(
        request=CatchUpExceptionInput,
        responses={201: CatchUpExceptionOutput, 400: None, 409: CONFLICT},
        summary="Record a TM exception to an outstanding catch-up",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        def grant(user: Any, membership: Any, values: dict[str, Any]) -> Any:
            missed = _ref(
                "missed_session", lambda: attendance_selectors.session_in_area(user, values["missed_session"])
            )
            return services.grant_catch_up_exception(
                actor=user, membership=membership, missed_session=missed, reason=values["reason"]
            )

        return act_on(
            request,
            public_id,
            find=groups.membership_for_user,
            input_class=CatchUpExceptionInput,
            act=grant,
            output_class=CatchUpExceptionOutput,
            status_code=status.HTTP_201_CREATED,
        )


def _enforcement(
    request: Request, public_id: uuid.UUID, input_class: type[Any], record: Callable[..., Any]
) -> Response:
    return act_on(
        request,
        public_id,
        find=referral_selectors.referral_for_user,
        input_class=input_class,
        act=lambda user, referral, values: record(actor=user, referral=referral, **values),
        output_class=EnforcementActionOutput,
        status_code=status.HTTP_201_CREATED,
    )


class ReferralWarningApi(APIView):
    """The person's OM or a TM: record the warning issued for a failure to comply (domain.md §6)."""

    permission_classes = [EnforcementPermission]

    @extend_schema(
        request=WarningInput,
        responses={201: EnforcementActionOutput, 400: None, 409: CONFLICT},
        summary="Record a warning issued (409 ENFORCEMENT_NOT_DUE)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return _enforcement(request, public_id, WarningInput, services.record_warning)


class ReferralBreachApi(APIView):
    """The person's OM or a TM: record breach action taken (domain.md §6; due by the 10th working day)."""

    permission_classes = [EnforcementPermission]

    @extend_schema(
        request=BreachInput,
        responses={201: EnforcementActionOutput, 400: None, 409: CONFLICT},
        summary="Record breach action (409 ENFORCEMENT_NOT_DUE)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return _enforcement(request, public_id, BreachInput, services.record_breach)
