"""Transfer pages and API for the permission matrix: TMs and administrators see their area's transfers; TMs
request; the holding area's TM or administrator decides (another area: 404)."""

from tests.matrix import Route

MANAGERS = frozenset({"treatment_manager", "area_admin"})
TM = frozenset({"treatment_manager"})


def _incoming(area, personas):
    """A transfer another area asked for, of a person this area holds (so this area decides it)."""
    from accounts.models import ProbationArea
    from tests.factories import ProbationAreaFactory, UserFactory
    from tests.referrals.factories import eligible_person
    from transfers.services import request_transfer

    elsewhere = ProbationArea.objects.filter(code="matrix-elsewhere").first() or ProbationAreaFactory(
        code="matrix-elsewhere", name="Elsewhere"
    )
    their_tm = UserFactory(area=elsewhere, role="treatment_manager")
    their_om = UserFactory(area=elsewhere, role="offender_manager")
    person = eligible_person(area, personas["offender_manager"])
    transfer = request_transfer(actor=their_tm, crn=person.crn, offender_manager=their_om, reason="Work")
    return {"public_id": transfer.public_id}


ROUTES = [
    Route("transfers:list", roles=MANAGERS),
    Route("transfers:request", roles=TM),
    Route("transfers:decide", roles=MANAGERS, kwargs=_incoming, scoped=True),
    Route("api-transfer-list", roles=MANAGERS, api=True),
    Route("api-transfer-list", roles=TM, api=True, method="post"),
    Route("api-transfer-approve", roles=MANAGERS, api=True, method="post", kwargs=_incoming, scoped=True),
    Route("api-transfer-refuse", roles=MANAGERS, api=True, method="post", kwargs=_incoming, scoped=True),
]
