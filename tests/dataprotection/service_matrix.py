"""The subject access export for the service matrix: area administrators of the person's area only."""

from __future__ import annotations

from dataprotection import services
from tests.referrals.factories import eligible_person
from tests.service_matrix import Service

SERVICES = [
    Service(
        services.export_subject_access,
        roles=frozenset({"area_admin"}),
        kwargs=lambda a, p: {"person": eligible_person(a, p["offender_manager"])},
        scoped=True,
    ),
]
