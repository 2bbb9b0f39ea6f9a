"""Transfer API shapes. The requesting area sees the person's CRN only (it typed it) until the person has moved."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from isotp import fields as bounded
from referrals.serializers import CrnField
from transfers.models import TransferRequest, TransferStatus


class TransferInput(serializers.Serializer[Any]):
    crn = CrnField(
        help_text="The person's CRN, held by another area: one letter and 6 digits, e.g. C123456 (a lowercase "
        "letter is taken as capital)."
    )
    offender_manager = serializers.UUIDField(
        help_text="The id of the offender manager of your area taking him on."
    )
    reason = bounded.CharField(max_length=2000, help_text="Why the person should move to your area.")


class RefuseInput(serializers.Serializer[Any]):
    reason = bounded.CharField(max_length=2000)


class TransferOutput(serializers.ModelSerializer[TransferRequest]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    crn = serializers.CharField(source="person.crn", read_only=True)
    from_area = serializers.CharField(source="from_area.name", read_only=True)
    to_area = serializers.CharField(source="to_area.name", read_only=True)
    offender_manager = serializers.CharField(source="offender_manager.full_name", read_only=True)
    requested_by = serializers.CharField(source="requested_by.full_name", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.full_name", read_only=True, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=TransferStatus.choices, read_only=True)

    class Meta:
        model = TransferRequest
        fields = [
            "id",
            "crn",
            "from_area",
            "to_area",
            "offender_manager",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
