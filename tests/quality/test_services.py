"""QA and outcome writes: who may, what is refused (409 with a code, field errors), the audit event in the same
transaction, and the audit pack rendered by the worker's task into a PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from isotp import outbox
from isotp.errors import DomainConflict
from quality import services
from quality.models import AuditPack, MonitoringForm, Reoffence, SessionRecording, SupervisionRecord
from quality.rules.monitoring import AREAS_OF_PRACTICE
from quality.tasks import render_audit_pack
from tests.factories import UserFactory
from tests.referrals.factories import PersonFactory
from tests.reports.factories import quick_membership

GOOD = dict.fromkeys(AREAS_OF_PRACTICE, "3")


@pytest.fixture
def past_session(area, personas):
    membership = quick_membership(area, personas, finished=True)
    return membership.group.sessions.order_by("number").first()


def test_a_facilitator_of_the_session_marks_it_recorded_once(past_session, facilitator, tm, area):
    recording = services.mark_recorded(actor=facilitator, session=past_session)
    assert recording.area_id == area.pk
    assert AuditEvent.objects.filter(action="qa.session_recorded").count() == 1
    with pytest.raises(DomainConflict) as exc:
        services.mark_recorded(actor=tm, session=past_session)
    assert exc.value.code == "ALREADY_RECORDED"


def test_a_session_still_to_come_cannot_be_recorded(area, personas, facilitator):
    future = quick_membership(area, personas).group.sessions.order_by("number").first()
    with pytest.raises(DomainConflict) as exc:
        services.mark_recorded(actor=facilitator, session=future)
    assert exc.value.code == "SESSION_NOT_DELIVERED"


def test_only_its_facilitators_and_the_areas_tms_mark_a_session(past_session, area, other_tm, om):
    stranger = UserFactory(role="facilitator", area=area)
    for user in (stranger, om):
        with pytest.raises(PermissionDenied):
            services.mark_recorded(actor=user, session=past_session)
    with pytest.raises(Http404):  # issue 7: another area's session is not found
        services.mark_recorded(actor=other_tm, session=past_session)


def test_the_tm_rates_a_facilitator_on_a_recording(past_session, facilitator, tm):
    recording = services.mark_recorded(actor=facilitator, session=past_session)
    form = services.record_monitoring(
        actor=tm,
        recording=recording,
        facilitator=facilitator,
        viewed_on=dt.date(2025, 1, 1),
        ratings=GOOD,
        comments="Warm and directive.",
    )
    assert form.ratings == GOOD
    event = AuditEvent.objects.get(action="qa.monitoring_recorded")
    assert event.actor == tm
    with pytest.raises(DomainConflict) as exc:
        services.record_monitoring(
            actor=tm,
            recording=recording,
            facilitator=facilitator,
            viewed_on=dt.date(2025, 1, 1),
            ratings=GOOD,
        )
    assert exc.value.code == "ALREADY_MONITORED"


def test_the_monitoring_form_refuses_bad_input_with_field_errors(past_session, facilitator, tm, area):
    recording = services.mark_recorded(actor=facilitator, session=past_session)
    with pytest.raises(ValidationError) as exc:
        services.record_monitoring(
            actor=tm,
            recording=recording,
            facilitator=facilitator,
            viewed_on=dt.date(2025, 1, 1),
            ratings={**GOOD, "responsivity": "5", "made_up": "3"},
        )
    assert {"responsivity", "ratings"} <= set(exc.value.message_dict)
    other = UserFactory(role="facilitator", area=area)
    with pytest.raises(ValidationError) as exc:
        services.record_monitoring(
            actor=tm, recording=recording, facilitator=other, viewed_on=dt.date(2025, 1, 1), ratings=GOOD
        )
    assert "facilitator" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.record_monitoring(
            actor=facilitator,
            recording=recording,
            facilitator=facilitator,
            viewed_on=dt.date(2025, 1, 1),
            ratings=GOOD,
        )
    assert not MonitoringForm.objects.exists()


def test_supervision_is_recorded_by_a_tm_of_the_area(tm, facilitator, other_tm):
    facilitator.date_joined = timezone.make_aware(dt.datetime(2020, 1, 1))
    facilitator.save(update_fields=["date_joined"])
    record = services.record_supervision(
        actor=tm,
        facilitator=facilitator,
        held_on=dt.date(2025, 3, 1),
        notes="Reviewed session 12.",
        actions="Watch the recording of session 13.",
    )
    assert record.treatment_manager == tm and record.area_id == tm.area_id
    assert AuditEvent.objects.filter(action="qa.supervision_recorded").exists()
    with pytest.raises(Http404):  # issue 7: another area's facilitator is not found
        services.record_supervision(
            actor=other_tm, facilitator=facilitator, held_on=dt.date(2025, 3, 1), notes="x"
        )
    with pytest.raises(ValidationError) as exc:
        services.record_supervision(
            actor=tm, facilitator=facilitator, held_on=dt.date(2025, 3, 1), notes="  "
        )
    assert "notes" in exc.value.message_dict
    assert SupervisionRecord.objects.count() == 1


def test_the_qa_settings_are_validated_and_audited(tm, om):
    services.update_qa_settings(actor=tm, monitoring_target=Decimal("0.25"), report_days=15)
    from quality.selectors import targets_for_area

    assert targets_for_area(tm.area_id).monitoring_target == 0.25
    assert AuditEvent.objects.filter(action="qa.settings_changed").exists()
    with pytest.raises(ValidationError):
        services.update_qa_settings(actor=tm, monitoring_target=Decimal("1.5"), report_days=15)
    with pytest.raises(PermissionDenied):
        services.update_qa_settings(actor=om, monitoring_target=Decimal("0.1"), report_days=15)


def test_the_om_records_a_reoffence_for_their_caseload_only(area, om, tm, other_om):
    person = PersonFactory(area=area, offender_manager=om)
    row = services.record_reoffence(
        actor=om,
        person=person,
        offence_on=dt.date(2025, 5, 1),
        proven_on=dt.date(2025, 8, 1),
        offence_type="sexual_contact",
        sexual=False,
    )
    assert row.sexual is True  # a sexual offence type is always sexual
    event = AuditEvent.objects.get(action="person.reoffence_recorded")
    assert event.object_label == person.crn
    for user, refusal in ((tm, PermissionDenied), (other_om, Http404)):  # issue 7: another area's person: 404
        with pytest.raises(refusal):
            services.record_reoffence(
                actor=user,
                person=person,
                offence_on=dt.date(2025, 5, 1),
                proven_on=dt.date(2025, 8, 1),
                offence_type="other",
                sexual=False,
            )
    with pytest.raises(ValidationError) as exc:
        services.record_reoffence(
            actor=om,
            person=person,
            offence_on=dt.date(2025, 5, 1),
            proven_on=dt.date(2025, 4, 1),
            offence_type="nonsense",
            sexual=False,
        )
    assert {"proven_on", "offence_type"} <= set(exc.value.message_dict)
    assert Reoffence.objects.count() == 1


def test_the_audit_pack_is_queued_on_commit_and_rendered_once_by_the_task(
    tm, om, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(outbox, "_publish", lambda task, message: queued.append(message.args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        pack = services.request_audit_pack(
            actor=tm,
            national=False,
            programme="",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
        )
    assert queued == [pack.pk]
    # The worker's function, run here in-process: the real worker test is tests/platform/test_worker.py's.
    assert render_audit_pack.apply(args=[pack.pk]).get() == "ready"
    pack.refresh_from_db()
    assert pack.status == "ready" and len(pack.sha256) == 64
    assert pack.file.open("rb").read(5) == b"%PDF-"
    assert render_audit_pack.apply(args=[pack.pk]).get() == "skipped"  # a second delivery does nothing
    with pytest.raises(PermissionDenied):
        services.request_audit_pack(
            actor=tm,
            national=True,
            programme="",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
        )
    with pytest.raises(PermissionDenied):
        services.request_audit_pack(
            actor=om,
            national=False,
            programme="",
            period_start=dt.date(2025, 1, 1),
            period_end=dt.date(2025, 12, 31),
        )
    assert AuditPack.objects.count() == 1
    assert SessionRecording.objects.count() == 0


def test_a_national_reader_without_a_manager_role_gets_no_area_pack(om, django_capture_on_commit_callbacks):
    """Review of issue 14: a non-manager granted national statistics who blanks the hidden scope field must not
    get an area pack; the service repeats statistics_scope's check. A national pack is theirs to ask for."""
    from django.contrib.auth.models import Permission

    om.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
    reader = type(om).objects.get(pk=om.pk)  # a fresh instance: the permission cache is per instance
    period = {"programme": "", "period_start": dt.date(2025, 1, 1), "period_end": dt.date(2025, 12, 31)}
    with pytest.raises(PermissionDenied):
        services.request_audit_pack(actor=reader, national=False, **period)
    assert AuditPack.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False):
        pack = services.request_audit_pack(actor=reader, national=True, **period)
    assert pack.area_id is None
