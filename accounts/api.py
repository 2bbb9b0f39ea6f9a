"""Thin API views for staff, venues and closure dates: authorise, call a selector, serialise."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors
from accounts.models import AreaClosure, Role, User, Venue
from accounts.permissions import IsManager, IsVerifiedStaff
from accounts.serializers import AreaOutput, ClosureOutput, UserOutput, VenueOutput


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

    def get_queryset(self):
        return selectors.staff_for_list(self.request.user).select_related("area")


class VenueListApi(generics.ListAPIView[Venue]):
    """Any member of staff: the area's venues."""

    permission_classes = [IsVerifiedStaff]
    serializer_class = VenueOutput

    def get_queryset(self):
        return selectors.venues_for(self.request.user)


class ClosureListApi(generics.ListAPIView[AreaClosure]):
    """Any member of staff: the area's closure dates (schedules skip them)."""

    permission_classes = [IsVerifiedStaff]
    serializer_class = ClosureOutput

    def get_queryset(self):
        return selectors.closures_for(self.request.user)
