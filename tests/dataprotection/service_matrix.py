"""The subject access export for the service matrix: area administrators of the person's area only."""

from __future__ import annotations

from dataprotection import services
from dataprotection.services import retention
from tests.referrals.factories import eligible_person
from tests.service_matrix import NotAService, Service

SERVICES = [
    Service(
        services.export_subject_access,
        roles=frozenset({"area_admin"}),
        kwargs=lambda a, p: {"person": eligible_person(a, p["offender_manager"])},
        scoped=True,
    ),
]


def _due_person(a, p):
    person = eligible_person(a, p["offender_manager"])
    person.sentences.update(start_date="2012-01-01", supervision_end_date="2015-01-01")
    return {"person": person}


SERVICES.append(
    Service(retention.erase_personal_data, roles=frozenset({"area_admin"}), kwargs=_due_person, scoped=True)
)
NOT_SERVICES = [
    NotAService(retention.refresh_candidates, "the nightly job (no actor): lists people, changes no record"),
]
