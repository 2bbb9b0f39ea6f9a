"""Every QA, statistics and outcome page for the permission matrix (tests/matrix.py explains the rules)."""

from __future__ import annotations

import datetime as dt

from tests.matrix import MANAGERS, Route

TM, FAC, OM, ADMIN = "treatment_manager", "facilitator", "offender_manager", "area_admin"


def _session(area, personas):
    from tests.reports.factories import quick_membership

    membership = quick_membership(area, personas, finished=True)
    return membership.group.sessions.order_by("number").first()


def _session_id(area, personas):
    return {"public_id": _session(area, personas).public_id}


def _recording_id(area, personas):
    from quality.models import SessionRecording

    session = _session(area, personas)
    recording = SessionRecording.objects.create(area=area, session=session, recorded_by=personas[FAC])
    return {"public_id": recording.public_id}


def _facilitator_id(area, personas):
    return {"public_id": personas[FAC].public_id}


def _reoffence_id(area, personas):
    from quality.models import Reoffence
    from tests.referrals.factories import PersonFactory

    person = PersonFactory(area=area, offender_manager=personas[OM])
    row = Reoffence.objects.create(
        area=area,
        person=person,
        offence_on=dt.date(2026, 9, 1),
        proven_on=dt.date(2026, 10, 1),
        offence_type="violence",
        sexual=False,
        recorded_by=personas[OM],
    )
    return {"public_id": row.public_id}


def _person_id(area, personas):
    from tests.referrals.factories import PersonFactory

    return {"public_id": PersonFactory(area=area, offender_manager=personas[OM]).public_id}


def _pack_id(area, personas):
    from django.core.files.base import ContentFile

    from quality.models import AuditPack

    pack = AuditPack(
        area=area,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        status="ready",
        requested_by=personas[TM],
        sha256="0" * 64,
    )
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
    pack.save()
    return {"public_id": pack.public_id}


ROUTES = [
    Route("quality:statistics", roles=MANAGERS),
    Route("quality:statistics_csv", roles=MANAGERS, kwargs=lambda a, p: {"slug": "flow"}),
    Route(
        "quality:audit_pack_request",
        roles=MANAGERS,
        method="post",
        data={"start": "2025-01-01", "end": "2025-12-31"},
    ),
    Route("quality:audit_pack_download", roles=MANAGERS, kwargs=_pack_id, scoped=True),
    Route("quality:recordings", roles=frozenset({TM, FAC})),
    Route(
        "quality:mark_recorded", roles=frozenset({TM, FAC}), method="post", kwargs=_session_id, scoped=True
    ),
    Route("quality:monitoring_form", roles=frozenset({TM}), kwargs=_recording_id, scoped=True),
    Route(
        "quality:facilitator_record", roles=frozenset({TM, FAC, ADMIN}), kwargs=_facilitator_id, scoped=True
    ),
    Route("quality:supervision_new", roles=frozenset({TM}), kwargs=_facilitator_id, scoped=True),
    Route("quality:settings", roles=MANAGERS),
    Route("quality:reoffence_new", roles=frozenset({OM}), kwargs=_person_id, scoped=True),
    Route("quality:reoffence_edit", roles=frozenset({OM}), kwargs=_reoffence_id, scoped=True),
    Route("quality:reoffence_delete", roles=frozenset({OM}), kwargs=_reoffence_id, scoped=True),
]
ROUTES.append(Route("api-statistics", roles=MANAGERS, api=True))

# The attention lists behind the home cards (isotp.home.AttentionList): each list to the roles whose cards link to
# it; any other role is refused (403). Written from the list of cards per role, not from the code.
ATTENTION_LISTS = {
    "sessions-this-week": {TM},
    "sessions-short-of-facilitators": {TM},
    "sessions-on-closures": {TM},
    "schedules-after-supervision": {TM},
    "groups-starting-soon": {TM},
    "groups-with-places": {TM},
    "catch-ups-outstanding": {TM, FAC},
    "enforcement-due": {TM, OM},
    "waiting-must-start-soon": {TM},
    "recordings-to-monitor": {TM},
    "facilitators-below-target": {TM},
    "my-sessions-today": {FAC},
    "my-sessions-this-week": {FAC},
    "registers-overdue": {FAC},
    "catch-ups-to-deliver": {FAC},
    "reports-to-draft": {FAC},
    "psychometrics-to-enter": {FAC},
    "sessions-to-mark-recorded": {FAC},
    "caseload-absences": {OM},
    "closures-coming-up": {ADMIN},
    "venues-coming-up": {ADMIN},
    "failed-tasks": {ADMIN},
}


def _attention(key):
    return lambda area, personas: {"key": key}


ROUTES += [
    Route("attention_list", roles=frozenset(roles), kwargs=_attention(key))
    for key, roles in ATTENTION_LISTS.items()
]
