"""Notification API: a member of staff's own notifications and marking them read."""

from __future__ import annotations

import uuid
from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import IsVerifiedStaff
from isotp.api import AccessLoggedList
from notifications import selectors, services
from notifications.models import Notification
from notifications.serializers import NotificationOutput


class NotificationListApi(AccessLoggedList, generics.ListAPIView[Notification]):
    """Any member of staff: their own notifications, newest first (`?unread=true` for unread only)."""

    permission_classes = [IsVerifiedStaff]
    access_list_name = "notifications"
    serializer_class = NotificationOutput

    def get_queryset(self) -> QuerySet[Notification]:
        rows = selectors.for_user(cast(User, self.request.user))
        if self.request.query_params.get("unread") in ("true", "1"):
            rows = rows.filter(read_at__isnull=True)
        return rows


class NotificationReadApi(APIView):
    """Any member of staff: mark one of their own notifications read (another person's: 404)."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        user = cast(User, request.user)
        note = services.mark_read(actor=user, notification=selectors.get_for_user(user, public_id))
        return Response(NotificationOutput(note).data)


class NotificationReadAllApi(APIView):
    """Any member of staff: mark all their notifications read."""

    permission_classes = [IsVerifiedStaff]

    @extend_schema(
        request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()})
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": services.mark_all_read(actor=cast(User, request.user))})
