"""Managers: the audit trail as JSON (for an area's own SIEM)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import generics, serializers

from accounts.permissions import IsManager
from audit import selectors
from audit.models import AuditEvent


class AuditEventOutput(serializers.ModelSerializer[AuditEvent]):
    actor = serializers.EmailField(source="actor.email", default=None, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "reason",
        ]


class AuditEventListApi(generics.ListAPIView[AuditEvent]):
    """Managers: their area's audit events, newest first; filter with `action`, `object_id`."""

    permission_classes = [IsManager]
    serializer_class = AuditEventOutput

    def get_queryset(self) -> QuerySet[Any]:
        params = self.request.query_params
        return selectors.events_for_search(
            self.request.user, action=params.get("action", ""), object_id=params.get("object_id", "")
        )
