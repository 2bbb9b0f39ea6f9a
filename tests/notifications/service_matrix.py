"""The notification services for the service matrix: a notification is its recipient's alone."""

from __future__ import annotations

from typing import Any

from notifications import services
from tests.service_matrix import ALL_ROLES, NotAService, Service


def _tm_note(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    (note,) = services.notify(
        recipients=[personas["treatment_manager"]], kind="other", subject="A notice", body="Something."
    )
    return {"notification": note}


SERVICES = [
    # The recipient only: anyone else, in this area or another, finds no such notification (404).
    Service(services.mark_read, roles=frozenset({"treatment_manager"}), kwargs=_tm_note, scoped=True),
    Service(services.mark_all_read, roles=ALL_ROLES),
]

NOT_SERVICES = [
    NotAService(services.notify, "called by other services after their own gate, for the people they name"),
]
