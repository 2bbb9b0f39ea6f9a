"""Transfer API: list (TMs and administrators, their area's), request (TMs), approve and refuse (the holding area's
TM or administrator). The services are the gate; another area's transfer is not found."""

from __future__ import annotations

import uuid
from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsVerifiedStaff, can_request_transfer, require
from isotp.api import AccessLoggedList
from transfers import selectors, services
from transfers.models import TransferRequest
from transfers.serializers import RefuseInput, TransferInput, TransferOutput


def _om(actor: User, public_id: uuid.UUID) -> User | None:
    return User.objects.filter(public_id=public_id, area_id=actor.area_id).first()


class TransferListApi(AccessLoggedList, generics.ListAPIView[TransferRequest]):
    """TMs and administrators: transfers into and out of their area, newest first. TMs: request a transfer of a
    person another area holds (400 unknown CRN or wrong OM; 409 TRANSFER_SAME_AREA or TRANSFER_PENDING)."""

    permission_classes = [IsVerifiedStaff]
    access_list_name = "transfers"
    serializer_class = TransferOutput

    def get_queryset(self) -> QuerySet[TransferRequest]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return TransferRequest.objects.none()
        return selectors.transfers_for(self.request.user)

    @extend_schema(
        request=TransferInput,
        responses={
            201: TransferOutput,
            400: OpenApiResponse(
                description="Field errors. Besides each field's own bounds: `crn` a person held by a probation area "
                "(another one: your own is a 409); `offender_manager` an active offender manager of your area; "
                "`reason` not blank."
            ),
            409: OpenApiResponse(description="TRANSFER_SAME_AREA or TRANSFER_PENDING"),
        },
    )
    def post(self, request: Request) -> Response:
        actor = cast(User, request.user)
        require(can_request_transfer(actor))  # 403 before any field error; the service checks again
        data = TransferInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.request_transfer(
            actor=actor,
            crn=data.validated_data["crn"],
            offender_manager=_om(actor, data.validated_data["offender_manager"]),
            reason=data.validated_data["reason"],
        )
        return Response(TransferOutput(transfer).data, status=status.HTTP_201_CREATED)


class TransferApproveApi(APIView):
    """The holding area's TM or administrator: move the person and their open referral (409 when decided, or the
    person has a programme place)."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=None, responses={200: TransferOutput, 409: OpenApiResponse(description="Conflict")}
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        actor = cast(User, request.user)
        transfer = services.approve_transfer(
            actor=actor, transfer=selectors.transfer_for(actor, str(public_id))
        )
        return Response(TransferOutput(transfer).data)


class TransferRefuseApi(APIView):
    """The holding area's TM or administrator: refuse, with a reason."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=RefuseInput, responses={200: TransferOutput, 409: OpenApiResponse(description="Conflict")}
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        actor = cast(User, request.user)
        transfer = selectors.transfer_for(actor, str(public_id))  # 403 / 404 before any field error
        data = RefuseInput(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.refuse_transfer(
            actor=actor, transfer=transfer, reason=data.validated_data["reason"]
        )
        return Response(TransferOutput(transfer).data)
