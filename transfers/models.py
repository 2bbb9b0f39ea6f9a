"""A person's transfer from the probation area that holds them to another (issue 12).

A CRN is unique nationally, so a person cannot be added again in a second area: the receiving area's treatment
manager requests the transfer, the holding area's treatment manager or administrator approves (or refuses) it, and
the record moves with its open referral and their history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from isotp.fields import BoundedTextField


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the holding area"
    APPROVED = "approved", "Approved: the person has moved"
    REFUSED = "refused", "Refused"


class TransferRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("referrals.Person", on_delete=models.PROTECT, related_name="transfer_requests")
    from_area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    to_area = models.ForeignKey("accounts.ProbationArea", on_delete=models.PROTECT, related_name="+")
    offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The receiving area's offender manager who takes the person on.",
    )
    reason = BoundedTextField(max_length=2000)
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = BoundedTextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="pending"), name="transfer_one_pending_per_person"
            ),
            models.CheckConstraint(
                name="transfer_between_two_areas", condition=~Q(from_area=models.F("to_area"))
            ),
        ]
        indexes = [
            models.Index(fields=["from_area", "status"], name="transfer_from_idx"),
            models.Index(fields=["to_area", "status"], name="transfer_to_idx"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.public_id}"
