"""The psychometrics services for the service matrix: administrators keep the battery; the member's facilitators
and the area's TMs record administrations; only a TM overrides the computed deviance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assessments.services import administrations, batteries
from tests.assessments.factories import battery_of, demo_battery, demo_definition, member, sheet
from tests.service_matrix import NotAService, Service

ADMIN = frozenset({"area_admin"})
PRE_DAY = dt.date(
    2026, 11, 20
)  # after the factories' referral (8 July 2026), before the group starts (4 January 2027)


def _member(area: Any, personas: dict[str, Any]) -> Any:
    return member(area, facilitator=personas["facilitator"], tm=personas["treatment_manager"])


def _administration_input(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    version = demo_battery(area)
    return {
        "membership": _member(area, personas),
        "kind": "pre",
        "administered_on": PRE_DAY,
        "scores": sheet(battery_of(version)),
    }


def _administration(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    recorded = administrations.record_administration(
        actor=personas["treatment_manager"], **_administration_input(area, personas)
    )
    return {"administration": recorded, "level": "high", "rationale": "Clinical interview"}


SERVICES = [
    Service(
        batteries.save_battery_version, roles=ADMIN, kwargs=lambda a, p: {"definition": demo_definition()}
    ),
    Service(batteries.import_battery, roles=ADMIN, kwargs=lambda a, p: {"text": "{}"}),
    # The member's own facilitators (the persona delivers the group) and TMs of the area.
    Service(
        administrations.record_administration,
        roles=frozenset({"treatment_manager", "facilitator"}),
        kwargs=_administration_input,
        scoped=True,
    ),
    Service(
        administrations.override_deviance,
        roles=frozenset({"treatment_manager"}),
        kwargs=_administration,
        scoped=True,
    ),
]

SERVICES += [
    # The checks the pages ask before a form is shown or when some fields could not be read: the same gate.
    Service(
        administrations.start_administration,
        roles=frozenset({"treatment_manager", "facilitator"}),
        kwargs=lambda a, p: {"membership": _member(a, p), "kind": "pre"},
        scoped=True,
    ),
    Service(
        administrations.check_administration,
        roles=frozenset({"treatment_manager", "facilitator"}),
        kwargs=_administration_input,
        scoped=True,
    ),
    Service(
        administrations.deviance_override_target,
        roles=frozenset({"treatment_manager"}),
        kwargs=lambda a, p: {"membership": _member(a, p)},
        scoped=True,
    ),
]

NOT_SERVICES = [
    NotAService(
        administrations.recordable_kinds,
        "reads which administrations the user may record now (none for a role that may not); no write",
    ),
    NotAService(administrations.first_session_date, "reads a member's first session; no write"),
    NotAService(administrations.last_session_date, "reads a member's last session; no write"),
    NotAService(administrations.sessions_complete, "reads whether a member's sessions are over; no write"),
    NotAService(administrations.current_battery_version, "reads the area's battery in force; no write"),
]
