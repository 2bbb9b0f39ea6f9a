"""The quality services for the service matrix: managers configure QA and read statistics, TMs monitor
recordings and record supervision, a session's facilitators (or a TM) mark it recorded, OMs record reoffences."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from quality import services
from sessions.models import ScheduledSession, SessionStatus
from tests.referrals.factories import eligible_person
from tests.service_matrix import MANAGERS, NotAService, Service
from tests.sessions.service_matrix import _group

TM, FAC, OM = "treatment_manager", "facilitator", "offender_manager"
D = dt.date


def _delivered_session(area: Any, personas: dict[str, Any]) -> ScheduledSession:
    session = _group(area, personas).sessions.get(number=1)
    ScheduledSession.objects.filter(pk=session.pk).update(status=SessionStatus.DELIVERED, date=D(2026, 11, 2))
    session.refresh_from_db()
    return session


def _monitoring(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    recording = services.mark_recorded(actor=personas[TM], session=_delivered_session(area, personas))
    return {
        "recording": recording,
        "facilitator": personas[FAC],
        "viewed_on": D(2026, 11, 20),
        "ratings": {},
    }


def _reoffence(area, personas):
    from quality.models import Reoffence

    return Reoffence.objects.create(
        area=area,
        person=eligible_person(area, personas[OM]),
        offence_on=D(2026, 9, 1),
        proven_on=D(2026, 11, 1),
        offence_type="violence",
        sexual=False,
        recorded_by=personas[OM],
    )


SERVICES = [
    Service(
        services.update_qa_settings,
        roles=MANAGERS,
        kwargs=lambda a, p: {"monitoring_target": Decimal("0.1"), "report_days": 10},
    ),
    Service(
        services.mark_recorded,
        roles=frozenset({TM, FAC}),
        kwargs=lambda a, p: {"session": _delivered_session(a, p)},
        scoped=True,
    ),
    Service(services.record_monitoring, roles=frozenset({TM}), kwargs=_monitoring, scoped=True),
    Service(
        services.record_supervision,
        roles=frozenset({TM}),
        kwargs=lambda a, p: {
            "facilitator": p[FAC],
            "held_on": D(2026, 11, 20),
            "notes": "Reviewed session 3",
        },
        scoped=True,
    ),
    Service(
        services.record_reoffence,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {
            "person": eligible_person(a, p[OM]),
            "offence_on": D(2026, 9, 1),
            "proven_on": D(2026, 11, 1),
            "offence_type": "violence",
            "sexual": False,
        },
        scoped=True,
    ),
    Service(
        services.change_reoffence,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {
            "reoffence": _reoffence(a, p),
            "offence_on": D(2026, 9, 1),
            "proven_on": D(2026, 11, 2),
            "offence_type": "violence",
            "sexual": False,
            "reason": "The conviction date was wrong",
        },
        scoped=True,
    ),
    Service(
        services.delete_reoffence,
        roles=frozenset({OM}),
        kwargs=lambda a, p: {"reoffence": _reoffence(a, p), "reason": "Recorded against the wrong person"},
        scoped=True,
    ),
    Service(
        services.request_audit_pack,
        roles=MANAGERS,
        kwargs=lambda a, p: {
            "national": False,
            "programme": "isotp",
            "period_start": D(2026, 1, 1),
            "period_end": D(2026, 6, 30),
        },
    ),
]

NOT_SERVICES = [
    NotAService(
        services.clean_ratings, "checks a monitoring form's ratings inside the gated service; no write"
    ),
]
