"""Retention erasure leaves nothing (issue 12): a person with a rich record, erased through the service, is no
longer named anywhere in the project's tables. Every CharField, TextField and JSONField of every model of the
project apps is scanned for his CRN, first name, last name and date of birth; the only rows allowed to keep them
are the append-only audit trail and access log (README "Known limits"). His report files are gone from storage."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from django.test import TestCase

from dataprotection.services.retention import erase_personal_data, refresh_candidates
from notifications.services import notify
from referrals.models import Ogrs3Assessment, Person, Referral
from referrals.services.risk import calculate_and_record_rm2000, record_deviance
from reports.models import PostProgrammeReport, ReportVersion
from sessions.models import Attendance, CatchUp, EnforcementAction, Membership
from tests.project_apps import PROJECT_APP_LABELS
from tests.referrals.factories import SentenceFactory, rm2000_inputs
from tests.reports.factories import quick_report

pytestmark = pytest.mark.django_db

FIRST, LAST = "Quillon", "Marchbanks"
BORN = dt.date(1979, 8, 23)
LONG_AGO = dt.date(2015, 3, 31)
# What README "Known limits" says the erasure keeps: the append-only audit trail and access log.
DOCUMENTED_EXCEPTIONS = {"audit.auditevent", "audit.accesslog"}


def _needles(crn: str) -> list[str]:
    return [crn, FIRST, LAST, BORN.isoformat(), BORN.strftime("%d/%m/%Y"), "23 August 1979"]


def _hits(needles: list[str]) -> dict[str, set[str]]:
    """model label -> the fields holding any needle (case-insensitive), over every project model."""
    found: dict[str, set[str]] = {}
    lowered = [n.lower() for n in needles]
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APP_LABELS:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                text = (
                    json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value or "")
                ).lower()
                if any(n in text for n in lowered):
                    found.setdefault(model._meta.label_lower, set()).add(field.name)
    return found


@pytest.fixture
def report_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    return tmp_path


def _rich_person(area, personas, other_area, other_om) -> tuple[Person, list[str]]:
    """A man with a referral, risk, sentence, conviction, a group place with attendance and a catch-up,
    enforcement, notifications, an issued Post-Programme Report, a refused transfer: staff quote him everywhere."""
    tm, om, facilitator = personas["treatment_manager"], personas["offender_manager"], personas["facilitator"]
    report = quick_report(area, personas, status="issued", issued=True)
    person = report.referral.person
    Person.objects.filter(pk=person.pk).update(first_name=FIRST, last_name=LAST, date_of_birth=BORN)
    person.refresh_from_db()
    crn = person.crn
    said = f"{FIRST} {LAST} ({crn}, born {BORN:%d/%m/%Y})"
    referral = report.referral
    Referral.objects.filter(pk=referral.pk).update(status="completed", notes=f"{said} lives at 1 High Street")
    referral.status_changes.update(reason=f"Moved on for {said}")
    SentenceFactory(person=person)
    person.sentences.update(start_date=LONG_AGO - dt.timedelta(days=700), supervision_end_date=LONG_AGO)
    person.convictions.update(notes=f"{said} offended in 2010")
    calculate_and_record_rm2000(actor=om, person=person, inputs=rm2000_inputs(person))
    Ogrs3Assessment.objects.create(
        person=person,
        one_year=0.1,
        two_year=0.2,
        band="low",
        assessed_on=LONG_AGO,
        recorded_by=om,
        inputs={"date_of_birth": BORN.isoformat(), "sex": "male"},
    )
    record_deviance(actor=tm, person=person, level="high", rationale=f"{FIRST} described {said} fantasies")
    membership = Membership.objects.get(pk=report.membership_id)
    Membership.objects.filter(pk=membership.pk).update(removal_reason=f"{said} asked to leave")
    session = membership.group.sessions.order_by("number").first()
    Attendance.objects.create(
        membership=membership,
        session=session,
        outcome="unacceptable_absence",
        recorded_by=facilitator,
        notes=f"{FIRST} did not come; {said}",
    )
    CatchUp.objects.create(
        membership=membership,
        missed_session=session,
        date=session.date,
        facilitator=facilitator,
        booked_by=tm,
        outcome="attended",
        notes=f"Caught up with {said}",
    )
    EnforcementAction.objects.create(
        referral=referral, kind="warning", on=LONG_AGO, notes=f"Warning letter to {said}", recorded_by=om
    )
    notify(
        recipients=[tm, om],
        kind="other",
        subject="An absence",
        body=f"{said} missed a session",
        person=person,
    )
    PostProgrammeReport.objects.filter(pk=report.pk).update(
        content={"strengths": f"{FIRST} engaged"},
        approved_snapshot={"person": said},
        return_comments=f"Say more about {FIRST}",
    )
    from dataprotection.models import ErasurePermit

    # Issued versions are immutable outside an erasure: the snapshot a render would write, set as scenery.
    permit = ErasurePermit.objects.create(report_id=report.pk)
    ReportVersion.objects.filter(report=report).update(snapshot={"person": said, "crn": crn})
    permit.delete()
    from transfers.models import TransferRequest

    TransferRequest.objects.create(
        person=person,
        from_area=area,
        to_area=other_area,
        offender_manager=other_om,
        reason=f"{said} is moving to his sister's",
        status="refused",
        requested_by=tm,
        decision_reason=f"{LAST} has a place here",
    )
    # Free text about the group's delivery names him too (a session's record, the TM's monitoring of it).
    from quality.models import MonitoringForm, SessionRecording

    type(session).objects.filter(pk=session.pk).update(content_delivered=f"Role play with {FIRST} {LAST}")
    recording = SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    MonitoringForm.objects.create(
        area=area,
        recording=recording,
        facilitator=facilitator,
        rated_by=tm,
        viewed_on=LONG_AGO,
        ratings={},
        comments=f"Good challenge of {FIRST.upper()} {LAST} ({crn}); the others joined in",
    )
    _psychometrics_and_outbox(area, personas, membership, report, said)
    files = list(ReportVersion.objects.filter(report=report).values_list("file", flat=True))
    return person, files


def _psychometrics_and_outbox(area, personas, membership, report, said: str) -> None:
    """His pre and post psychometric administrations (scores with item responses, a TM's deviance override naming
    him) and the outbox rows of work queued about him while the broker was down (his report's rendering, the email
    of a notification about him)."""
    from assessments.models import Administration, DevianceOverride, ScaleScore
    from isotp.models import OutboxMessage
    from notifications.models import Notification
    from tests.assessments.factories import demo_battery

    version = demo_battery(area)
    facilitator, tm = personas["facilitator"], personas["treatment_manager"]
    for kind in ("pre", "post"):
        administration = Administration.objects.create(
            membership=membership,
            area=area,
            kind=kind,
            battery_version=version,
            administered_on=LONG_AGO,
            administered_by=facilitator,
            recorded_by=facilitator,
        )
        ScaleScore.objects.create(
            administration=administration, scale_code="demo", score=12, items=[1, 2, None]
        )
        if kind == "pre":
            DevianceOverride.objects.create(
                administration=administration, level="high", rationale=f"{said} rated high", recorded_by=tm
            )
    notification = Notification.objects.filter(person=membership.referral.person).first()
    OutboxMessage.objects.create(
        task_name="reports.tasks.render_report", args=[report.pk], last_error="OSError"
    )
    OutboxMessage.objects.create(
        task_name="notifications.tasks.send_notification_email", args=[notification.pk], last_error="OSError"
    )


def test_erasure_leaves_his_personal_data_nowhere_but_the_audit_trail(
    area, personas, area_admin, other_area, other_om, report_storage
):
    person, files = _rich_person(area, personas, other_area, other_om)
    needles = _needles(person.crn)
    before = _hits(needles)
    assert {
        "referrals.person",
        "referrals.referral",
        "notifications.notification",
        "assessments.devianceoverride",
    } <= set(before)
    # The scan reads the psychometric and outbox tables too (the outbox holds ids only: nothing of his to find).
    assert {"assessments", "isotp"} <= PROJECT_APP_LABELS
    assert files and all((report_storage / name).exists() for name in files)

    refresh_candidates()
    with TestCase.captureOnCommitCallbacks(execute=True):
        erase_personal_data(actor=area_admin, person=person)

    after = _hits(needles)
    assert set(after) <= DOCUMENTED_EXCEPTIONS, {
        k: v for k, v in after.items() if k not in DOCUMENTED_EXCEPTIONS
    }
    assert not any((report_storage / name).exists() for name in files)
    # Only the mention left the group's free text: the rest, about the others, stays.
    from quality.models import MonitoringForm

    assert (
        MonitoringForm.objects.get().comments == "Good challenge of [erased] ([erased]); the others joined in"
    )
