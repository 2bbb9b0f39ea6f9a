from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from accounts.models import API_TOKEN_STATUSES, ApiToken, AreaClosure, ProbationArea, Supervision, User, Venue
from isotp import fields as bounded


class AreaOutput(serializers.ModelSerializer[ProbationArea]):
    class Meta:
        model = ProbationArea
        fields = ["code", "name", "jurisdiction", "holiday_subdivision", "lihi_enabled"]


class UserOutput(serializers.ModelSerializer[User]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    area = serializers.SlugRelatedField[ProbationArea](slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "area"]


class VenueOutput(serializers.ModelSerializer[Venue]):
    class Meta:
        model = Venue
        fields = ["id", "name", "address", "postcode", "capacity", "step_free_access", "active"]


class ClosureOutput(serializers.ModelSerializer[AreaClosure]):
    class Meta:
        model = AreaClosure
        fields = ["id", "date", "reason"]


class ApiTokenOutput(serializers.ModelSerializer[ApiToken]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=API_TOKEN_STATUSES, read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "status"]


class ApiTokenCreatedOutput(ApiTokenOutput):
    key = bounded.CharField(read_only=True, help_text="The token itself: shown once, never again.")

    class Meta(ApiTokenOutput.Meta):
        fields = [*ApiTokenOutput.Meta.fields, "key"]


class ApiTokenInput(serializers.Serializer[Any]):
    name = bounded.CharField(max_length=100)
    lifetime_days = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Days until it expires; at most API_TOKEN_LIFETIME_DAYS (default).",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        """`lifetime_days`'s maximum is the configured API_TOKEN_LIFETIME_DAYS (a 400 on the field, and the
        schema's `maximum`)."""
        fields = super().get_fields()
        fields["lifetime_days"] = serializers.IntegerField(
            min_value=1,
            max_value=settings.API_TOKEN_LIFETIME_DAYS,
            required=False,
            help_text="Days until it expires; at most API_TOKEN_LIFETIME_DAYS (default).",
        )
        return fields


class EndSupervisionInput(serializers.Serializer[Any]):
    ended_on = bounded.DateField(help_text="The last day the facilitator is supervised.")


class SupervisionOutput(serializers.ModelSerializer[Supervision]):
    treatment_manager = serializers.UUIDField(source="treatment_manager.public_id", read_only=True)
    facilitator = serializers.UUIDField(source="facilitator.public_id", read_only=True)

    class Meta:
        model = Supervision
        fields = ["treatment_manager", "facilitator", "started_on", "ended_on"]
