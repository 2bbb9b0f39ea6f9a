from __future__ import annotations

from rest_framework import serializers

from accounts.models import AreaClosure, ProbationArea, User, Venue


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
