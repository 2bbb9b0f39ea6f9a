"""The report pages: the Reports list (newest first, query count flat), the draft form, the status fragment,
the TM's decisions and the audited download."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from tests.pages import page_text
from tests.reports.factories import AFTER_THE_PROGRAMME, finished_member, quick_report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [2, 6])
def test_the_oms_reports_list_query_count_does_not_grow(
    login, area, personas, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        quick_report(area, personas, status="issued", issued=True)
    client = login(personas["offender_manager"])
    with django_assert_max_num_queries(14):
        response = client.get("/reports/")
    assert response.status_code == 200
    assert page_text(response).count("Issued") >= rows


def test_newest_first(login, area, personas):
    older = quick_report(area, personas)
    newer = quick_report(area, personas)
    body = page_text(login(personas["offender_manager"]).get("/reports/"))
    assert body.index(newer.referral.person.crn) < body.index(older.referral.person.crn)


def test_the_facilitator_drafts_with_errors_shown(login, area, tm, facilitator, om, time_machine):
    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    client = login(facilitator)
    listing = client.get("/reports/")
    assert "Ready for a report" in page_text(listing)
    response = client.post(f"/reports/start/{member.public_id}/")
    assert response.status_code == 302
    edit_url = response["Location"]
    response = client.post(edit_url, {"strengths": "Engaged", "submit": "1"})
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text and "Rate progress against the target" in text
    response = client.post(edit_url, {"strengths": "Engaged well", "save": "1"})
    assert response.status_code == 302
    assert "Engaged well" in page_text(client.get(edit_url))


def test_status_fragment_polls_only_while_rendering(login, area, personas):
    rendering = quick_report(area, personas, status="rendering")
    issued = quick_report(area, personas, status="issued", issued=True)
    client = login(personas["offender_manager"])
    assert "data-poll-url" in client.get(f"/reports/{rendering.public_id}/status/").content.decode()
    fragment = client.get(f"/reports/{issued.public_id}/status/").content.decode()
    assert "data-poll-url" not in fragment and "Download version 1" in fragment


def test_failed_shows_a_retry_button_to_the_tm(login, area, personas):
    failed = quick_report(area, personas, status="failed")
    assert "Try again" in page_text(login(personas["treatment_manager"]).get(f"/reports/{failed.public_id}/"))
    assert "Try again" not in page_text(
        login(personas["offender_manager"]).get(f"/reports/{failed.public_id}/")
    )


def test_a_failed_render_shows_one_plain_message_and_no_success_banner(
    login, area, tm, facilitator, om, time_machine, monkeypatch, django_capture_on_commit_callbacks
):
    """Review: the failure was shown twice, with the exception's class, under a green success banner."""
    from isotp import outbox
    from reports import services, tasks
    from tests.reports.factories import report_awaiting_approval

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    report = report_awaiting_approval(member, drafter=facilitator)

    def broken(*args, **kwargs):
        raise KeyError("template_bug")

    monkeypatch.setattr(services, "render_pdf", broken)
    monkeypatch.setattr(outbox, "_publish", lambda task, message: task.apply(args=message.args))
    client = login(tm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reports/{report.public_id}/approve/")
    assert response.status_code == 302
    response = client.get(response["Location"])  # the page the TM lands on, with any banner set by approving
    html = response.content.decode()
    text = page_text(response)
    assert "Failed" in text
    assert "govuk-notification-banner--success" not in html and "Success" not in text
    assert text.count("The PDF could not be produced") == 1
    assert text.count(tasks.FAILED_FOR_GOOD) == 1
    assert "KeyError" not in text and "template_bug" not in text
    assert "govuk-error-summary" in html and ">Try again</button>" in html


def test_the_author_is_not_offered_the_approve_button(login, area, tm, facilitator, om, time_machine):
    from tests.factories import UserFactory
    from tests.reports.factories import report_awaiting_approval

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    report = report_awaiting_approval(member, drafter=tm)
    page = page_text(login(tm).get(f"/reports/{report.public_id}/"))
    assert "Approve and issue" not in page and "another treatment manager must approve it" in page
    other = UserFactory(area=area, role="treatment_manager")
    assert "Approve and issue" in page_text(login(other).get(f"/reports/{report.public_id}/"))


def test_the_draft_shows_the_facts_beside_the_writing(login, area, tm, facilitator, om, time_machine):
    from reports import services
    from tests.reports.factories import record_psychometrics

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    record_psychometrics(member, actor=tm)
    report = services.open_report(actor=facilitator, membership=member)
    response = login(facilitator).get(f"/reports/{report.public_id}/draft/")
    html = response.content.decode()
    text = page_text(response)
    person = member.referral.person
    facts_at = text.index("The facts from the records")
    assert facts_at < text.index("Progress against each treatment target")  # above the writing
    for fact in (
        person.crn,
        "Date of birth",
        "Sessions attended",
        "Missed sessions",
        "Psychometric results",
        "Treatment needs",
        tm.full_name,
        person.offender_manager.full_name,
    ):
        assert fact in text, fact
    assert "<svg" in html  # the chart
    results = report.membership.psychometric_administrations.get(kind="pre")
    assert results.battery_version.battery.name in text


def test_the_exit_draft_starts_from_the_removal_reason(login, area, tm, facilitator, om, time_machine):
    from reports import services
    from sessions import services as delivery

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om, record_all=False)
    first = member.group.sessions.order_by("number").first()
    delivery.record_attendance(actor=tm, membership=member, session=first, outcome="attended")
    delivery.remove_member(
        actor=tm,
        membership=member,
        reason="Recalled to custody.",
        next_status="withdrawn",
        reason_code="moved_out_of_area",
    )
    member.refresh_from_db()
    report = services.open_report(actor=facilitator, membership=member)
    html = login(facilitator).get(f"/reports/{report.public_id}/draft/").content.decode()
    assert "Recalled to custody.</textarea>" in html


def test_the_download_is_a_pdf_and_audited(login, area, personas):
    report = quick_report(area, personas, status="issued", issued=True)
    om = personas["offender_manager"]
    response = login(om).get(f"/reports/{report.public_id}/versions/1/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="report.downloaded", actor=om).count() == 1


def test_a_flagged_profile_is_marked_with_caution_on_the_draft_and_in_the_pdf(
    login, area, tm, facilitator, om, time_machine
):
    """Issue 9: a social-desirability score above its threshold flags the profile "interpret with caution" wherever
    it is shown: the report's psychometrics and treatment-needs sections say it, naming the administration that
    raised it, on the draft page and in the PDF. The needs name their scales, not codes."""
    import io

    from pypdf import PdfReader

    from assessments.models import Administration
    from reports import services
    from tests.reports.factories import record_psychometrics

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    record_psychometrics(member, actor=tm, flagged=True)
    pre = Administration.objects.get(membership=member, kind="pre")
    raised = f"The pre-programme scores of {pre.administered_on:%-d %B %Y} flag this profile"
    report = services.open_report(actor=facilitator, membership=member)
    client = login(facilitator)

    text = " ".join(page_text(client.get(f"/reports/{report.public_id}/draft/")).split())
    psychometrics, needs = text.index("Psychometric results"), text.index("Treatment needs")
    first, second = text.index(raised), text.index(raised, text.index(raised) + 1)
    assert psychometrics < first < needs < second  # in both sections
    assert "Interpret with caution" in text and "The needs shown may be understated" in text
    assert "Social desirability" in text[needs:]  # the reason names the scale
    assert "(from Cognitive distortions" in text[needs:] and "(from CDS" not in text

    pdf = PdfReader(io.BytesIO(client.get(f"/reports/{report.public_id}/preview.pdf").content))
    everything = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert everything.count(raised) == 2, everything
    assert "The needs shown may be understated" in everything
    assert "(from Cognitive distortions" in everything and "(from CDS" not in everything


def test_an_unflagged_profile_has_no_caution(login, area, tm, facilitator, om, time_machine):
    from reports import services
    from tests.reports.factories import record_psychometrics

    time_machine.move_to(AFTER_THE_PROGRAMME, tick=False)
    member = finished_member(area, tm=tm, facilitator=facilitator, om=om)
    record_psychometrics(member, actor=tm)
    report = services.open_report(actor=facilitator, membership=member)
    assert "Interpret with caution" not in page_text(
        login(facilitator).get(f"/reports/{report.public_id}/draft/")
    )
