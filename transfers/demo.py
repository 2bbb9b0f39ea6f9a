"""Demo data: one transfer waiting for the holding area (a Northumbria TM asks Cheshire for one of its people)."""

from __future__ import annotations

from isotp.demo_factory import demo_user
from transfers.models import TransferRequest
from transfers.services import PLACED, request_transfer


def seed(log: list[str]) -> None:
    if TransferRequest.objects.exists():
        return
    from referrals.models import Person

    tm, om = demo_user("tm", "northumbria"), demo_user("om", "northumbria")
    if tm is None or om is None:
        return
    person = (
        Person.objects.filter(area__code="cheshire")
        .exclude(referrals__status__in=PLACED)
        .order_by("crn")
        .first()
    )
    if person is None:
        return
    request_transfer(
        actor=tm,
        crn=person.crn,
        offender_manager=om,
        reason="He has moved to Newcastle for work and lives there now",
    )
    log.append("created a transfer request")
