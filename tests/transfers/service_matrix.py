"""The transfer services for the service matrix."""

from __future__ import annotations

from typing import Any

from tests.service_matrix import Service
from tests.transfers.matrix import _incoming
from transfers import services
from transfers.models import TransferRequest


def _request_args(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    """A person held elsewhere, to be moved to `area` and its OM."""
    from accounts.models import ProbationArea
    from tests.factories import ProbationAreaFactory, UserFactory
    from tests.referrals.factories import eligible_person

    elsewhere = ProbationArea.objects.filter(code="matrix-holder").first() or ProbationAreaFactory(
        code="matrix-holder", name="Holder"
    )
    holder_om = UserFactory(area=elsewhere, role="offender_manager")
    return {
        "crn": eligible_person(elsewhere, holder_om).crn,
        "offender_manager": personas["offender_manager"],
        "reason": "Work",
    }


def _transfer(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    return {"transfer": TransferRequest.objects.get(public_id=_incoming(area, personas)["public_id"])}


SERVICES = [
    # Unscoped: the person is by definition held by another area; the CRN is the national key.
    Service(services.request_transfer, roles=frozenset({"treatment_manager"}), kwargs=_request_args),
    Service(
        services.approve_transfer,
        roles=frozenset({"treatment_manager", "area_admin"}),
        kwargs=_transfer,
        scoped=True,
    ),
    Service(
        services.refuse_transfer,
        roles=frozenset({"treatment_manager", "area_admin"}),
        kwargs=lambda a, p: {**_transfer(a, p), "reason": "No"},
        scoped=True,
    ),
]
