"""Psychometrics API (under /api/v1/): batteries with their versions, administrations, results, the TM's
deviance override and the stateless change calculator. Thin views: validate, one service or selector call,
serialize."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import (
    BatteryPermission,
    DevianceOverridePermission,
    IsVerifiedStaff,
    PsychometricsPermission,
)
from assessments import selectors, services
from assessments.models import Administration, Battery
from assessments.rules import InvalidScaleInput, ScaleNorms, change
from assessments.rules.change import Direction
from assessments.serializers import (
    AdministrationInput,
    AdministrationOutput,
    BatteryImportInput,
    BatteryOutput,
    BatteryVersionOutput,
    ChangeInput,
    ChangeOutput,
    DevianceOverrideInput,
    DevianceOverrideOutput,
    ResultsOutput,
)
from isotp.api import AccessLoggedList, act_on

CONFLICT = OpenApiResponse(description="A domain rule refuses the change: {code, detail}.")
BAD_REQUEST = OpenApiResponse(
    description='Field errors: {"field": ["message"]}; a scale\'s as "scores.CODE".'
)


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


class PsychometricChangeApi(APIView):
    """Any member of staff: the change per scale (RCI, reliable or not, the cut-off used, classification) per §7,
    for the figures given; nothing is stored."""

    permission_classes: list[type[BasePermission]] = [IsVerifiedStaff]
    throttle_scope = "calculators"  # stateless and cheap to call in a loop: rate-limited

    @extend_schema(
        request=ChangeInput,
        responses={200: ChangeOutput, 400: BAD_REQUEST},
        summary="Reliable change and classification per scale (stateless)",
    )
    def post(self, request: Request) -> Response:
        data = ChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        out = []
        for index, scale in enumerate(data.validated_data["scales"]):
            norms = ScaleNorms(
                direction=Direction(scale["direction"]),
                norm_mean=scale["norm_mean"],
                norm_sd=scale["norm_sd"],
                reliability=scale["reliability"],
                offender_mean=scale["offender_mean"],
                offender_sd=scale["offender_sd"],
            )
            try:
                found = change(scale["pre"], scale["post"], norms)
            except (
                InvalidScaleInput
            ) as problem:  # the serializer catches these first; the rules are the backstop
                raise ValidationError(
                    {"scales": [f"Scale {index + 1}, {problem.field}: {problem.message}"]}
                ) from None
            out.append(
                {
                    "rci": round(found.rci, 4),
                    "reliable": found.reliable,
                    "cutoff": round(found.cutoff, 4),
                    "classification": found.classification.value,
                    "cutoff_used": found.cutoff_kind.value,
                    "cutoffs": {"a": found.cutoffs.a, "b": found.cutoffs.b, "c": found.cutoffs.c},
                    "reliable_threshold": round(found.reliable_threshold, 4),
                    "code": found.code,
                    "reason": found.reason,
                }
            )
        return Response(ChangeOutput({"scales": out}).data)


class BatteryListApi(generics.ListAPIView[Battery]):
    """Managers and facilitators: the area's batteries with their versions. Area administrators import a
    definition as a new version (POST)."""

    permission_classes = [BatteryPermission]
    serializer_class = BatteryOutput

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Battery.objects.none()
        return selectors.battery_list_for_user(self.request.user)

    @extend_schema(
        request=BatteryImportInput,
        responses={201: BatteryVersionOutput, 400: BAD_REQUEST},
        summary="Import a battery definition as a new version",
    )
    def post(self, request: Request) -> Response:
        data = BatteryImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.save_battery_version(
            actor=_user(request),
            definition=data.validated_data["definition"],
            change_note=data.validated_data["change_note"],
        )
        return Response(BatteryVersionOutput(version).data, status=status.HTTP_201_CREATED)


class BatteryDetailApi(APIView):
    """Managers and facilitators: one battery and its versions."""

    permission_classes = [BatteryPermission]

    @extend_schema(responses={200: BatteryOutput}, summary="A battery and its versions")
    def get(self, request: Request, code: str) -> Response:
        return Response(BatteryOutput(selectors.battery_for_user(request.user, code)).data)


class BatteryVersionApi(APIView):
    """Managers and facilitators: one version's full definition (the export)."""

    permission_classes = [BatteryPermission]

    @extend_schema(responses={200: BatteryVersionOutput}, summary="A battery version's definition (export)")
    def get(self, request: Request, code: str, version: int) -> Response:
        return Response(
            BatteryVersionOutput(selectors.battery_version_for_user(request.user, code, version)).data
        )


class AdministrationListApi(AccessLoggedList, generics.ListAPIView[Administration]):
    """Readers of psychometrics: the administrations of the memberships they may see (paginated)."""

    permission_classes = [PsychometricsPermission]
    access_list_name = "psychometric_administrations"
    serializer_class = AdministrationOutput

    def get_queryset(self) -> QuerySet:
        return selectors.administration_list_for_user(self.request.user)

    def paginate_queryset(self, queryset: Any) -> list[Administration] | None:  # type: ignore[override]
        page = super().paginate_queryset(queryset)
        return None if page is None else selectors.with_score_rows(list(page))


class AdministrationDetailApi(APIView):
    permission_classes = [PsychometricsPermission]

    @extend_schema(responses={200: AdministrationOutput}, summary="One administration with its scores")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        return Response(AdministrationOutput(selectors.administration_for_user(request.user, public_id)).data)


class MembershipPsychometricsApi(APIView):
    """Readers: a membership's full results (GET). The member's facilitators and TMs record an administration
    (POST); the pre-programme one records the person's deviance through the referrals service."""

    permission_classes = [PsychometricsPermission]

    @extend_schema(responses={200: ResultsOutput}, summary="A member's psychometric results")
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        user = _user(request)
        membership = selectors.membership_for_user(user, public_id)
        return Response(
            ResultsOutput(selectors.membership_results(user=user, membership=membership, via="api")).data
        )

    @extend_schema(
        request=AdministrationInput,
        responses={201: AdministrationOutput, 400: BAD_REQUEST, 409: CONFLICT},
        summary="Record a pre- or post-programme administration",
        description="409 codes: ADMINISTRATION_EXISTS, PRE_PROGRAMME_REQUIRED, SESSIONS_NOT_COMPLETE, "
        "MEMBERSHIP_ENDED, NO_BATTERY.",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        def record(user: User, membership: Any, values: dict[str, Any]) -> Administration:
            administration = services.record_administration(
                actor=user,
                membership=membership,
                kind=values["kind"],
                administered_on=values["administered_on"],
                scores=values["scores"],
                battery_code=values.get("battery"),
                administered_by=values["administered_by"],
            )
            return selectors.administration_for_user(user, administration.public_id)

        return act_on(
            request,
            public_id,
            find=selectors.membership_for_user,
            input_class=AdministrationInput,
            act=record,
            output_class=AdministrationOutput,
            status_code=status.HTTP_201_CREATED,
        )


class DevianceOverrideApi(APIView):
    """TMs: record the assessed deviance over the computed one, with rationale; both are kept."""

    permission_classes = [DevianceOverridePermission]

    @extend_schema(
        request=DevianceOverrideInput,
        responses={201: DevianceOverrideOutput, 400: BAD_REQUEST, 409: CONFLICT},
        summary="Override the computed deviance (TM)",
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        return act_on(
            request,
            public_id,
            find=selectors.administration_for_user,
            input_class=DevianceOverrideInput,
            act=lambda user, administration, values: services.override_deviance(
                actor=user, administration=administration, **values
            ),
            output_class=DevianceOverrideOutput,
            status_code=status.HTTP_201_CREATED,
        )
