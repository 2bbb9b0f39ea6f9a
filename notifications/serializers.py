"""Notification API shapes."""

from __future__ import annotations

from rest_framework import serializers

from notifications.models import Kind, Notification


class NotificationOutput(serializers.ModelSerializer[Notification]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "created_at", "read", "read_at"]

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None
