"""The report services: drafting, the TM's decisions, the render task (twice, failures, retries), amendments,
immutability, the completion rule and audited downloads. "Today" is fixed after the programme ended."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.utils import DatabaseError
from django.http import Http404

from audit.models import AccessLog, AuditEvent
from isotp import outbox
from isotp.errors import DomainConflict
from reports import services
from reports.models import PostProgrammeReport, ReportVersion
from reports.tasks import render_report
from tests.reports.factories import (
    AFTER_THE_PROGRAMME,
    finished_member,
    full_content,
    record_psychometrics,
    report_awaiting_approval,
)
from tests.sessions.factories import trained_facilitator


def record_psychometrics_post(membership, tm):
    import datetime as dt

    from assessments.services import record_administration
    from tests.assessments.factories import battery_of, sheet

    pre = membership.psychometric_administrations.get(kind="pre")
    record_administration(
        actor=tm,
        membership=membership,
        kind="post",
        administered_on=dt.date(2026, 10, 5),
        scores=sheet(battery_of(pre.battery_version)),
    )


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _after_the_programme(time_machine):
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)


@pytest.fixture
def member(area, tm, facilitator, om):
    return finished_member(area, tm=tm, facilitator=facilitator, om=om)


@pytest.fixture
def awaiting(member, facilitator):
    return report_awaiting_approval(member, drafter=facilitator)


def _issue(report, tm):
    """Approve and run the render task in this process (`.apply()`: the worker test drives a real worker)."""
    services.approve(actor=tm, report=report)
    assert render_report.apply(args=[report.pk]).get() == "issued"
    report.refresh_from_db()
    return report


def test_a_draft_opens_only_when_the_sessions_are_over(area, tm, facilitator, om, time_machine):
    import datetime as dt

    member = finished_member(area, tm=tm, facilitator=facilitator, om=om, record_all=False)
    time_machine.move_to(dt.datetime(2026, 6, 1, 10, tzinfo=AFTER_THE_PROGRAMME.tzinfo), tick=False)
    with pytest.raises(DomainConflict) as refused:
        services.open_report(actor=facilitator, membership=member)
    assert refused.value.code == "SESSIONS_NOT_COMPLETE"


def test_the_draft_is_filled_in_from_the_records(member, facilitator):
    report = services.open_report(actor=facilitator, membership=member)
    assert report.kind == "post_programme" and report.status == "draft"
    assert services.open_report(actor=facilitator, membership=member) == report  # opening twice: the same one
    from reports.facts import report_facts

    facts = report_facts(member, report.kind)
    assert facts["person"]["crn"] == member.referral.person.crn
    assert facts["attendance"]["attended"] == 33 and facts["attendance"]["missed"] == 2
    assert [a["number"] for a in facts["attendance"]["absences"]] == [7, 19]
    assert len(facts["targets"]) == 6
    assert AuditEvent.objects.filter(action="report.opened", object_id=str(report.public_id)).exists()


def test_a_facilitator_who_does_not_deliver_the_group_cannot_draft(member, area, facilitator):
    report = services.open_report(actor=facilitator, membership=member)
    stranger = trained_facilitator(area)
    with pytest.raises(PermissionDenied):
        services.save_draft(actor=stranger, report=report, content={})
    with pytest.raises(PermissionDenied):
        services.open_report(actor=stranger, membership=member)


def test_an_incomplete_draft_cannot_go_for_approval(member, facilitator):
    report = services.open_report(actor=facilitator, membership=member)
    services.save_draft(actor=facilitator, report=report, content={"strengths": "Engaged"})
    with pytest.raises(DomainConflict) as refused:
        services.submit_for_approval(actor=facilitator, report=report)
    assert refused.value.code == "REPORT_INCOMPLETE"
    assert "recommendations" in refused.value.extra["missing"]


def test_a_bad_rating_is_a_field_error(member, facilitator):
    report = services.open_report(actor=facilitator, membership=member)
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            actor=facilitator, report=report, content={"targets": {"empathy": {"rating": "brilliant"}}}
        )
    assert "empathy_rating" in refused.value.message_dict


def test_a_facilitator_cannot_approve(awaiting, facilitator):
    with pytest.raises(PermissionDenied):
        services.approve(actor=facilitator, report=awaiting)


def test_another_areas_tm_does_not_find_the_report(awaiting, other_tm):
    with pytest.raises(Http404):
        services.approve(actor=other_tm, report=awaiting)


def test_approval_freezes_the_facts_and_queues_the_render_after_commit(
    awaiting, tm, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(outbox, "_publish", lambda task, message: queued.append(message.args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.approve(actor=tm, report=awaiting)
    assert report.status == "queued"
    assert queued == [report.pk]
    assert report.approved_snapshot["signoff"]["approved_by"] == tm.full_name
    assert report.approved_snapshot["content"]["strengths"]


def test_returned_with_comments(awaiting, tm, facilitator):
    with pytest.raises(ValidationError):
        services.return_report(actor=tm, report=awaiting, comments=" ")
    report = services.return_report(actor=tm, report=awaiting, comments="Add evidence from outside sessions.")
    assert report.status == "draft" and "outside" in report.return_comments
    services.submit_for_approval(actor=facilitator, report=report)
    report.refresh_from_db()
    assert report.status == "awaiting_approval" and report.return_comments == ""


def test_issue_stores_the_pdf_with_its_sha256(awaiting, tm):
    import hashlib

    report = _issue(awaiting, tm)
    version = report.versions.get()
    assert report.status == "issued" and version.number == 1 and not version.superseded
    body = version.file.read()
    assert body.startswith(b"%PDF-") and hashlib.sha256(body).hexdigest() == version.sha256
    assert version.pages >= 2
    assert str(report.public_id) in version.file.name and report.referral.person.crn not in version.file.name


def test_running_the_task_twice_gives_one_version(awaiting, tm):
    report = _issue(awaiting, tm)
    assert render_report.apply(args=[report.pk]).get() == "skipped"
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_approving_an_issued_report_is_already_issued(awaiting, tm):
    report = _issue(awaiting, tm)
    with pytest.raises(DomainConflict) as refused:
        services.approve(actor=tm, report=report)
    assert refused.value.code == "ALREADY_ISSUED"


def test_a_failure_is_recorded_and_a_retry_issues(awaiting, tm, monkeypatch):
    from reports import tasks

    real = services.render_pdf

    def broken(*args, **kwargs):
        raise ValueError("template bug")

    monkeypatch.setattr(services, "render_pdf", broken)
    services.approve(actor=tm, report=awaiting)
    assert render_report.apply(args=[awaiting.pk]).get() == "failed"
    awaiting.refresh_from_db()
    assert awaiting.status == "failed"
    # One plain-English message for the page: no exception class, never the exception's message (it could quote
    # the report); the details are in the server log.
    assert awaiting.failure_reason == tasks.FAILED_FOR_GOOD
    assert "ValueError" not in awaiting.failure_reason and "template bug" not in awaiting.failure_reason
    assert AuditEvent.objects.filter(action="report.render_failed").exists()

    monkeypatch.setattr(services, "render_pdf", real)
    services.retry_render(actor=tm, report=awaiting)
    assert render_report.apply(args=[awaiting.pk]).get() == "issued"
    awaiting.refresh_from_db()
    assert awaiting.status == "issued" and awaiting.failure_reason == ""
    assert awaiting.versions.count() == 1


class _Retried(Exception):
    pass


def test_transient_errors_are_retried_with_backoff(awaiting, tm, monkeypatch):
    from reports import tasks

    real = services.render_pdf
    asked = []

    def flaky(*args, **kwargs):
        raise OperationalError("connection reset")

    def retry(**kwargs):  # what Celery would schedule: a redelivery after `countdown` seconds
        asked.append(kwargs["countdown"])
        return _Retried()

    monkeypatch.setattr(services, "render_pdf", flaky)
    monkeypatch.setattr(render_report, "retry", retry)
    services.approve(actor=tm, report=awaiting)
    with pytest.raises(_Retried):
        render_report.apply(args=[awaiting.pk])
    assert asked == [5]
    assert PostProgrammeReport.objects.get(pk=awaiting.pk).status == "queued"  # back in the queue
    monkeypatch.setattr(services, "render_pdf", real)
    assert render_report.apply(args=[awaiting.pk], retries=1).get() == "issued"  # the redelivery
    awaiting.refresh_from_db()
    assert awaiting.status == "issued" and awaiting.render_attempts == 2 and awaiting.versions.count() == 1
    assert [tasks.backoff_seconds(n) for n in range(4)] == [5, 10, 20, 40]
    assert tasks.backoff_seconds(20) == 600


def test_transient_errors_that_never_clear_end_as_a_failure(awaiting, tm, monkeypatch, settings):
    settings.REPORT_RENDER_MAX_RETRIES = 2

    def down(*args, **kwargs):
        raise OperationalError("database unavailable")

    monkeypatch.setattr(services, "render_pdf", down)
    services.approve(actor=tm, report=awaiting)
    assert render_report.apply(args=[awaiting.pk], retries=2).get() == "failed"  # the last allowed delivery
    awaiting.refresh_from_db()
    assert awaiting.status == "failed" and "after 3 attempts" in awaiting.failure_reason
    assert "OperationalError" not in awaiting.failure_reason


def test_an_amendment_is_a_new_version_and_the_old_one_is_superseded(awaiting, tm, facilitator):
    report = _issue(awaiting, tm)
    first = report.versions.get()
    with pytest.raises(ValidationError):
        services.amend(actor=tm, report=report, reason="")
    services.amend(actor=tm, report=report, reason="The OM's name was wrong.")
    content = full_content(report)
    content["recommendations"] = "Review the plan monthly."
    services.save_draft(actor=facilitator, report=report, content=content)
    services.submit_for_approval(actor=facilitator, report=report)
    report = _issue(report, tm)
    first.refresh_from_db()
    second = report.versions.get(number=2)
    assert first.superseded and not second.superseded
    assert second.amendment_reason == "The OM's name was wrong."
    assert first.file.read().startswith(b"%PDF-")  # the old one stays readable
    assert first.sha256 != second.sha256


def test_an_issued_version_never_changes(awaiting, tm):
    report = _issue(awaiting, tm)
    version = report.versions.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ReportVersion.objects.filter(pk=version.pk).update(sha256="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_reportversion WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.sha256 != "0" * 64


def test_completion_waits_for_the_post_programme_psychometrics(awaiting, tm):
    record_psychometrics(awaiting.membership, actor=tm, post=False)
    report = _issue(awaiting, tm)
    report.referral.refresh_from_db()
    assert report.referral.status == "on_programme" and report.completion_recorded_at is None
    with pytest.raises(DomainConflict) as refused:
        services.record_completion(actor=tm, report=report)
    assert refused.value.code == "COMPLETION_NOT_DUE"
    assert refused.value.extra["reasons"] == ["POST_PSYCHOMETRICS_MISSING"]

    record_psychometrics_post(report.membership, tm)
    services.record_completion(actor=tm, report=report)
    report.referral.refresh_from_db()
    report.membership.refresh_from_db()
    assert report.referral.status == "completed" and report.membership.status == "completed"


def test_completion_counts_on_issue_when_the_psychometrics_are_done(awaiting, tm):
    record_psychometrics(awaiting.membership, actor=tm)
    report = _issue(awaiting, tm)
    version = report.versions.get()
    assert version.snapshot["facts"]["psychometrics"]["post"] is not None
    assert "<svg" in version.snapshot["facts"]["psychometrics"]["chart_svg"]
    report.referral.refresh_from_db()
    assert report.referral.status == "completed" and report.completion_recorded_at is not None
    assert report.referral.status_changes.filter(to_status="completed", actor=tm).exists()


def test_an_exit_report_for_a_member_who_left_early(area, tm, facilitator, om):
    from sessions import services as delivery

    member = finished_member(area, tm=tm, facilitator=facilitator, om=om, record_all=False)
    for session in member.group.sessions.order_by("number")[:3]:  # he attended three sessions, then moved
        delivery.record_attendance(actor=tm, membership=member, session=session, outcome="attended")
    delivery.remove_member(
        actor=tm,
        membership=member,
        reason="Moved away",
        next_status="withdrawn",
        reason_code="moved_out_of_area",
    )
    report = report_awaiting_approval(member, drafter=facilitator)
    assert report.kind == "exit"
    report = _issue(report, tm)
    assert report.status == "issued" and report.completion_recorded_at is None


def test_every_download_is_audited(awaiting, tm, om):
    report = _issue(awaiting, tm)
    version = report.versions.get()
    with services.open_version(actor=om, version=version, via="page") as handle:
        assert handle.read().startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="report.downloaded", actor=om)
    assert event.changes["version"] == 1 and event.object_id == str(report.public_id)
    assert AccessLog.objects.filter(actor=om, via="download", object_id=str(report.public_id)).exists()


def test_a_failing_audit_write_leaves_nothing_saved(awaiting, tm, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record_event", boom)
    with pytest.raises(RuntimeError):
        services.approve(actor=tm, report=awaiting)
    assert PostProgrammeReport.objects.get(pk=awaiting.pk).status == "awaiting_approval"


def test_on_issue_the_om_is_told_with_a_link_never_the_pdf(awaiting, tm, om):
    from notifications.models import Notification

    report = _issue(awaiting, tm)
    note = Notification.objects.get(recipient=om, kind="report")
    assert note.link == f"/reports/{report.public_id}/"
    assert note.email is True
    assert report.referral.person.crn in note.subject
    assert ".pdf" not in note.body and "download/" not in note.link


def test_a_template_that_reaches_for_the_network_fails_visibly(awaiting, tm, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(
        pdf,
        "render_html",
        lambda *a, **k: '<html lang="en"><title>t</title><img src="https://example.org/x.png">',
    )
    services.approve(actor=tm, report=awaiting)
    assert render_report.apply(args=[awaiting.pk]).get() == "failed"
    awaiting.refresh_from_db()
    assert awaiting.status == "failed" and "RemoteFetchRefused" not in awaiting.failure_reason


# --- the review's findings (issue 10) -------------------------------------------------------------------------


def test_the_failure_is_logged_without_personal_data(awaiting, tm, monkeypatch, caplog):
    person = awaiting.referral.person

    def broken(*args, **kwargs):
        raise ValueError(f"bad data for {person.full_name} {person.crn}")

    monkeypatch.setattr(services, "render_pdf", broken)
    services.approve(actor=tm, report=awaiting)
    with caplog.at_level("ERROR", logger="reports.tasks"):
        assert render_report.apply(args=[awaiting.pk]).get() == "failed"
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "reports.tasks")
    assert "ValueError" in logged and str(awaiting.pk) in logged  # enough to find the bug
    assert person.full_name not in logged and person.crn not in logged


class _StorageDown(Exception):
    pass


def test_a_storage_write_error_is_transient_and_retried(awaiting, tm, monkeypatch):
    """Issue 10 (review): the PDF's storage refusing a write (a full or unmounted disk, S3 unreachable) is retried
    with backoff like any transient error, and the redelivery issues one version."""
    from django.core.files.storage import storages

    backend = storages["reports"]
    real_save = backend.save
    calls = []

    def fails_once(name, content, max_length=None):
        calls.append(name)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real_save(name, content, max_length=max_length)

    asked = []

    def retry(**kwargs):
        asked.append(kwargs["countdown"])
        return _StorageDown()

    monkeypatch.setattr(backend, "save", fails_once)
    monkeypatch.setattr(render_report, "retry", retry)
    services.approve(actor=tm, report=awaiting)
    with pytest.raises(_StorageDown):
        render_report.apply(args=[awaiting.pk])
    assert asked == [5]
    awaiting.refresh_from_db()
    assert awaiting.status == "queued" and awaiting.versions.count() == 0  # nothing half-issued
    assert render_report.apply(args=[awaiting.pk], retries=1).get() == "issued"
    awaiting.refresh_from_db()
    assert awaiting.status == "issued" and awaiting.versions.count() == 1 and len(calls) == 2


def test_the_author_cannot_approve_their_own_report(member, area, tm):
    """Separation of duties: a TM who drafted the version submitted may not approve it; another TM may."""
    from tests.factories import UserFactory

    report = report_awaiting_approval(member, drafter=tm)
    assert not services.may_approve(tm, report)
    with pytest.raises(DomainConflict) as refused:
        services.approve(actor=tm, report=report)
    assert refused.value.code == "AUTHOR_CANNOT_APPROVE"
    assert PostProgrammeReport.objects.get(pk=report.pk).status == "awaiting_approval"
    second = UserFactory(area=area, role="treatment_manager")
    assert services.may_approve(second, report)
    assert services.approve(actor=second, report=report).status == "queued"


def test_an_amendment_written_by_the_tm_needs_another_tm(awaiting, tm, area):
    from tests.factories import UserFactory

    report = _issue(awaiting, tm)
    services.amend(actor=tm, report=report, reason="The dates were wrong.")
    services.save_draft(actor=tm, report=report, content=full_content(report))
    services.submit_for_approval(actor=tm, report=report)
    with pytest.raises(DomainConflict) as refused:
        services.approve(actor=tm, report=report)
    assert refused.value.code == "AUTHOR_CANNOT_APPROVE"
    report = _issue(report, UserFactory(area=area, role="treatment_manager"))
    assert report.versions.count() == 2


def _last_attended_day(member):
    from sessions.models import Attendance

    attended = Attendance.objects.filter(membership=member, outcome__in=["attended", "late"])
    return attended.order_by("-session__date").values_list("session__date", flat=True).first()


def test_the_completion_date_is_the_last_session_attended_and_an_amendment_keeps_it(
    awaiting, tm, facilitator, area, time_machine
):
    import datetime as dt

    from tests.factories import UserFactory

    record_psychometrics(awaiting.membership, actor=tm)
    report = _issue(awaiting, tm)
    member = report.membership
    member.refresh_from_db()
    last = _last_attended_day(member)
    assert report.completion_recorded_at is not None and member.status == "completed"
    assert member.left_on == last != AFTER_THE_PROGRAMME.date()  # from the records, not the day of issue
    first = report.versions.get(number=1)
    assert first.snapshot["facts"]["dates"]["left_on"] == last.isoformat()

    time_machine.move_to(AFTER_THE_PROGRAMME + dt.timedelta(days=40), tick=False)
    services.amend(actor=tm, report=report, reason="A target's evidence was incomplete.")
    services.save_draft(actor=facilitator, report=report, content=full_content(report))
    services.submit_for_approval(actor=facilitator, report=report)
    report = _issue(report, UserFactory(area=area, role="treatment_manager"))
    second = report.versions.get(number=2)
    member.refresh_from_db()
    assert member.left_on == last
    assert second.snapshot["facts"]["dates"] == first.snapshot["facts"]["dates"]
    assert second.snapshot["facts"]["attendance"] == first.snapshot["facts"]["attendance"]


def _leaves_on_the_day_of_session_4(area, tm, facilitator, om, time_machine, *, at_hour):
    """A member who attended sessions 1-3 and is removed on the day of session 4, at `at_hour` local time."""
    import datetime as dt

    from sessions import services as delivery

    member = finished_member(area, tm=tm, facilitator=facilitator, om=om, record_all=False)
    sessions = list(member.group.sessions.order_by("number"))
    fourth = sessions[3]
    moment = dt.datetime.combine(fourth.date, dt.time(at_hour, 0), tzinfo=AFTER_THE_PROGRAMME.tzinfo)
    time_machine.move_to(moment, tick=False)
    for session in sessions[:3]:
        delivery.record_attendance(actor=tm, membership=member, session=session, outcome="attended")
    delivery.remove_member(
        actor=tm,
        membership=member,
        reason="He moved to another probation area for work.",
        next_status="withdrawn",
        reason_code="moved_out_of_area",
    )
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member.refresh_from_db()
    return member, sessions


def test_an_exit_report_counts_only_the_sessions_before_the_leaving_point(
    area, tm, facilitator, om, time_machine
):
    from reports.facts import report_facts

    member, sessions = _leaves_on_the_day_of_session_4(area, tm, facilitator, om, time_machine, at_hour=0)
    assert member.left_on == sessions[3].date and sessions[3].start.hour > 0
    report = services.open_report(actor=facilitator, membership=member)
    assert report.kind == "exit"
    # The removal reason starts the exit report's reasons.
    assert report.content["exit_reasons"] == "He moved to another probation area for work."
    facts = report_facts(member, report.kind)
    assert facts["dates"]["sessions_scheduled"] == 3  # session 4, later on the leaving day, is not his
    assert facts["dates"]["last_session"] == sessions[2].date.isoformat()
    assert facts["dates"]["left_on"] == sessions[3].date.isoformat() and facts["dates"]["left_early"]
    assert facts["attendance"]["attended"] == 3 and facts["attendance"]["missed"] == 0


def test_a_session_earlier_on_the_leaving_day_counts(area, tm, facilitator, om, time_machine):
    from reports.facts import report_facts

    member, sessions = _leaves_on_the_day_of_session_4(area, tm, facilitator, om, time_machine, at_hour=23)
    assert sessions[3].start.hour < 23
    facts = report_facts(member, "exit")
    assert facts["dates"]["sessions_scheduled"] == 4
    assert facts["dates"]["last_session"] == sessions[3].date.isoformat()


def test_another_area_is_not_found_by_every_report_service(
    awaiting, other_tm, other_facilitator, other_om, tm
):
    """Issue 7's rule in the report services: another area's report or member is 404, not 403."""
    report = _issue(awaiting, tm)
    version = report.versions.get()
    for call in (
        lambda: services.open_report(actor=other_tm, membership=report.membership),
        lambda: services.save_draft(actor=other_facilitator, report=report, content={}),
        lambda: services.amend(actor=other_tm, report=report, reason="x"),
        lambda: services.record_completion(actor=other_tm, report=report),
        lambda: services.preview_pdf(actor=other_tm, report=report),
        lambda: services.open_version(actor=other_om, version=version, via="page"),
    ):
        with pytest.raises(Http404):
            call()


def test_another_oms_download_is_not_found(awaiting, tm, area):
    from tests.factories import UserFactory

    report = _issue(awaiting, tm)
    stranger = UserFactory(area=area, role="offender_manager")
    with pytest.raises(Http404):
        services.open_version(actor=stranger, version=report.versions.get(), via="page")
    assert not AuditEvent.objects.filter(action="report.downloaded", actor=stranger).exists()
