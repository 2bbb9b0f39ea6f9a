"""Thin API views for staff, venues and closure dates: authorise, call a selector, serialise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import ApiToken, AreaClosure, Role, User, Venue
from accounts.permissions import IsManager, IsVerifiedStaff
from accounts.serializers import (
    ApiTokenCreatedOutput,
    ApiTokenInput,
    ApiTokenOutput,
    AreaOutput,
    ClosureOutput,
    EndSupervisionInput,
    SupervisionOutput,
    UserOutput,
    VenueOutput,
)


class MeApi(APIView):
    """The signed-in member of staff and their area."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(responses={200: UserOutput}, summary="Who am I")
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        return Response({**UserOutput(user).data, "area_detail": AreaOutput(user.area).data})


class StaffFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role"]


class StaffListApi(generics.ListAPIView[User]):
    """Managers: the area's active staff."""

    permission_classes = [IsManager]
    serializer_class = UserOutput
    filterset_class = StaffFilter

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.staff_for_list(self.request.user).select_related("area")


class VenueListApi(generics.ListAPIView[Venue]):
    """Any member of staff: the area's venues."""

    permission_classes = [IsVerifiedStaff]
    serializer_class = VenueOutput

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.venues_for(self.request.user)


class ClosureListApi(generics.ListAPIView[AreaClosure]):
    """Any member of staff: the area's closure dates (schedules skip them)."""

    permission_classes = [IsVerifiedStaff]
    serializer_class = ClosureOutput

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.closures_for(self.request.user)


class ApiTokenListCreateApi(generics.ListAPIView[ApiToken]):
    """Any member of staff: their own API tokens (GET); a new named, expiring one (POST, from a signed-in browser
    session only: a token cannot mint tokens that would outlive its own revocation). Rate-limited."""

    permission_classes = [IsVerifiedStaff]
    serializer_class = ApiTokenOutput
    throttle_scope = "tokens"

    def get_throttles(self) -> list[Any]:  # listing is not limited, issuing is
        return super().get_throttles() if self.request.method == "POST" else []

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.api_tokens_of(self.request.user, self.request.user)  # type: ignore[arg-type]

    @extend_schema(
        request=ApiTokenInput,
        responses={201: ApiTokenCreatedOutput},
        summary="Issue an API token (browser session only; the key is shown once)",
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(
                "API tokens are issued from a signed-in browser session, not with a token."
            )
        data = ApiTokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.issue_api_token(
            actor=request.user,  # type: ignore[arg-type]
            name=data.validated_data["name"],
            lifetime_days=data.validated_data.get("lifetime_days"),
        )
        token.key = key  # type: ignore[attr-defined]
        return Response(ApiTokenCreatedOutput(token).data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    """The token's owner, or an administrator of the owner's area: revoke it (409 if already revoked)."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(request=None, responses={200: ApiTokenOutput}, summary="Revoke an API token")
    def post(self, request: Request, public_id: str) -> Response:
        token = selectors.api_token(request.user, public_id)
        token = services.revoke_api_token(actor=request.user, token=token)  # type: ignore[arg-type]
        return Response(ApiTokenOutput(token).data)


class StaffSupervisionEndApi(APIView):
    """Managers: end a facilitator's current supervision (audited); 409 NO_CURRENT_SUPERVISION when he has none."""

    permission_classes = [IsManager]

    @extend_schema(
        request=EndSupervisionInput,
        responses={200: SupervisionOutput, 400: None, 404: None, 409: None},
        summary="End a facilitator's supervision",
    )
    def post(self, request: Request, public_id: str) -> Response:
        facilitator = selectors.staff_member(request.user, public_id)
        data = EndSupervisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.end_supervision(
            actor=request.user,  # type: ignore[arg-type]
            facilitator=facilitator,
            ended_on=data.validated_data["ended_on"],
        )
        return Response(SupervisionOutput(ended).data)
