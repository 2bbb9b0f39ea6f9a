"""The QA, statistics and outcome pages: what each shows, errors in the GOV.UK summary, CSV without formula
injection, audited downloads, and page query counts that do not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from quality.models import MonitoringForm, Reoffence, SessionRecording
from quality.rules.monitoring import AREAS_OF_PRACTICE
from quality.tables import Table, safe_cell, table_csv
from tests.pages import page_text
from tests.referrals.factories import PersonFactory
from tests.reports.factories import quick_membership


def test_the_statistics_page_shows_every_table_with_its_chart_and_csv(login, tm):
    response = login(tm).get(reverse("quality:statistics"))
    assert response.status_code == 200
    text = page_text(response)
    for heading in (
        "Referrals, starts and completions",
        "Non-completions by reason",
        "Attendance, catch-ups and time to start",
        "Psychometrics of completers",
        "Reports issued on time",
        "Proven reoffending: observed beside the OGRS3 prediction",
    ):
        assert heading in text
    body = response.content.decode()
    assert body.count("<svg") >= 4
    assert body.count("Download this table as CSV") == 6
    assert "All areas" not in text  # no national choice without the grant


def test_a_csv_is_an_attachment_of_the_same_table(login, tm):
    response = login(tm).get(reverse("quality:statistics_csv", args=["non-completions"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines()[0] == "Reason,Number"
    assert login(tm).get(reverse("quality:statistics_csv", args=["nothing"])).status_code == 404


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("12.5%", "12.5%"),
    ],
)
def test_csv_cells_cannot_start_a_formula(value, safe):
    assert safe_cell(value) == safe
    assert (
        table_csv(Table(slug="t", title="t", headings=["h"], rows=[[value]])).splitlines()[1].strip('"')
        == safe
    )


def test_a_facilitator_marks_a_session_and_the_tm_monitors_it(login, area, personas, tm, facilitator):
    from isotp import clock
    from sessions.models import ScheduledSession

    session = quick_membership(area, personas, finished=True).group.sessions.order_by("number").first()
    ScheduledSession.objects.filter(pk=session.pk).update(date=clock.today() - dt.timedelta(days=7))
    fac = login(facilitator)
    assert session.module_title in page_text(fac.get(reverse("quality:recordings")))
    fac.post(reverse("quality:mark_recorded", args=[session.public_id]))
    recording = SessionRecording.objects.get(session=session)
    client = login(tm)
    page = page_text(client.get(reverse("quality:recordings")))
    assert facilitator.full_name in page and "Below target" in page
    url = reverse("quality:monitoring_form", args=[recording.public_id])
    response = client.post(url, {"facilitator": str(facilitator.public_id)})
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text and "Rate programme integrity" in text
    data = {
        "facilitator": str(facilitator.public_id),
        # viewed on or after the session (a week ago), never before it
        "viewed_on_0": str(clock.today().day),
        "viewed_on_1": str(clock.today().month),
        "viewed_on_2": str(clock.today().year),
        "comments": "Good pace.",
        **dict.fromkeys(AREAS_OF_PRACTICE, "4"),
    }
    assert client.post(url, data).status_code == 302
    assert MonitoringForm.objects.get().comments == "Good pace."
    record = page_text(client.get(reverse("quality:facilitator_record", args=[facilitator.public_id])))
    assert "Good pace." in record and "Excellent" in record


@pytest.mark.parametrize("records", [1, 6])
def test_the_facilitators_record_query_count_does_not_grow(
    login, area, tm, facilitator, records, django_assert_max_num_queries
):
    """Review of issue 11: the facilitator's record at two sizes (supervision sessions listed)."""
    from quality.models import SupervisionRecord

    for n in range(records):
        SupervisionRecord.objects.create(
            area=area,
            treatment_manager=tm,
            facilitator=facilitator,
            held_on=dt.date(2026, 1, 1) + dt.timedelta(weeks=n),
            notes=f"Supervision {n}",
        )
    client = login(tm)
    url = reverse("quality:facilitator_record", args=[facilitator.public_id])
    with django_assert_max_num_queries(20):
        text = page_text(client.get(url))
    assert all(f"Supervision {n}" in text for n in range(records))


def test_the_tm_records_supervision_from_the_facilitators_record(login, tm, facilitator):
    facilitator.date_joined = timezone.make_aware(dt.datetime(2020, 1, 1))
    facilitator.save(update_fields=["date_joined"])
    client = login(tm)
    url = reverse("quality:supervision_new", args=[facilitator.public_id])
    assert "Enter the notes" in page_text(client.post(url, {}))
    response = client.post(
        url, {"held_on_0": "4", "held_on_1": "3", "held_on_2": "2025", "notes": "Went well."}
    )
    assert response.status_code == 302
    assert "Went well." in page_text(client.get(response["Location"]))


def test_the_om_records_a_reoffence_with_errors_shown(login, area, om):
    person = PersonFactory(area=area, offender_manager=om)
    client = login(om)
    url = reverse("quality:reoffence_new", args=[person.public_id])
    assert "Choose the type of offence" in page_text(client.post(url, {}))
    data = {
        "offence_on_0": "1",
        "offence_on_1": "5",
        "offence_on_2": "2025",
        "proven_on_0": "1",
        "proven_on_1": "4",
        "proven_on_2": "2025",
        "offence_type": "other",
    }
    assert "on or after the date of the offence" in page_text(client.post(url, data))
    data["proven_on_1"] = "8"
    assert client.post(url, data).status_code == 302
    assert Reoffence.objects.get().person == person


def test_the_audit_pack_download_is_audited(login, area, tm, area_admin):
    from tests.quality.matrix import _pack_id

    pack = _pack_id(area, {"treatment_manager": tm})["public_id"]
    response = login(area_admin).get(reverse("quality:audit_pack_download", args=[pack]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="statistics.audit_pack_downloaded", actor=area_admin).exists()


@pytest.mark.parametrize("sessions", [1, 4])
def test_the_recordings_page_query_count_does_not_grow(
    login, area, personas, tm, sessions, django_assert_max_num_queries
):
    group = quick_membership(area, personas, finished=True).group
    for s in group.sessions.order_by("number")[:sessions]:
        SessionRecording.objects.create(area=area, session=s, recorded_by=tm)
    client = login(tm)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("quality:recordings")).status_code == 200


def test_the_recordings_page_shows_every_recording_a_page_at_a_time(login, area, personas, tm):
    """Issue 11: the recorded sessions are paginated (25 a page), newest first; the 26th is on page 2, not lost."""
    group = quick_membership(area, personas, finished=True).group
    sessions = list(group.sessions.order_by("-date", "-start")[:27])
    assert len(sessions) == 27
    for s in sessions:
        SessionRecording.objects.create(area=area, session=s, recorded_by=tm)
    client = login(tm)
    first = client.get(reverse("quality:recordings")).content.decode()
    second = client.get(reverse("quality:recordings") + "?page=2").content.decode()
    link = "Complete a monitoring form<span"
    assert (first.count(link), second.count(link)) == (25, 2)
    assert (
        f"session {sessions[0].number}</td>" in first and f"session {sessions[0].number}</td>" not in second
    )
    assert f"session {sessions[-1].number}</td>" in second
    assert 'aria-current="page"><span class="govuk-visually-hidden">Page </span>1 of 2' in first
    assert 'rel="next"' in first and 'rel="prev"' in second
    # A page past the end shows the last page, as every list does.
    assert client.get(reverse("quality:recordings") + "?page=9").content.decode().count(link) == 2


def test_the_recordings_pages_name_each_session_s_facilitators_by_name(login, area, personas, tm):
    """Issue 11: a page's facilitators are loaded by key (isotp.prefetch), not joined: the same names, in order."""
    group = quick_membership(area, personas, finished=True).group
    first, second = group.sessions.order_by("number")[:2]
    names = sorted(f.full_name for f in first.facilitators.all())
    assert len(names) == 2
    second.facilitators.remove(personas["facilitator"])
    for s in (first, second):
        SessionRecording.objects.create(area=area, session=s, recorded_by=tm)
    client = login(tm)
    page = client.get(reverse("quality:recordings")).content.decode()
    assert ", ".join(names) in page
    attention = client.get(
        reverse("attention_list", kwargs={"key": "recordings-to-monitor"})
    ).content.decode()
    assert ", ".join(names) in attention
    alone = second.facilitators.get().full_name
    assert page.count(alone) >= 2 and attention.count(alone) >= 2


def test_the_statistics_page_query_count_is_fixed(login, tm, django_assert_max_num_queries):
    client = login(tm)
    with django_assert_max_num_queries(30):
        client.get(reverse("quality:statistics"))


def test_the_om_sees_changes_and_removes_a_recorded_reoffence_from_the_person_page(
    login, area, om, other_om, tm
):
    """Review of issue 14 (accuracy): a recorded reoffence is shown on the person page to the person's OM, who can
    correct or remove it with a reason (both audited); a TM does not see it; another area's OM gets 404."""
    person = PersonFactory(area=area, offender_manager=om)
    row = Reoffence.objects.create(
        area=area,
        person=person,
        offence_on=dt.date(2025, 5, 1),
        proven_on=dt.date(2025, 8, 1),
        offence_type="other",
        sexual=False,
        recorded_by=om,
    )
    client = login(om)
    page = page_text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert "Proven reoffences" in page and "1 May 2025" in page
    assert "Proven reoffences" not in page_text(
        login(tm).get(reverse("referrals:person_detail", args=[person.public_id]))
    )
    change = reverse("quality:reoffence_edit", args=[row.public_id])
    data = {
        "offence_on_0": "2",
        "offence_on_1": "5",
        "offence_on_2": "2025",
        "proven_on_0": "1",
        "proven_on_1": "8",
        "proven_on_2": "2025",
        "offence_type": "other",
    }
    assert "Enter the reason for the change" in page_text(client.post(change, data))
    assert client.post(change, {**data, "reason": "Wrong offence date"}).status_code == 302
    row.refresh_from_db()
    assert row.offence_on == dt.date(2025, 5, 2)
    event = AuditEvent.objects.get(action="person.reoffence_changed")
    assert event.changes["reason"] == "Wrong offence date"
    assert login(other_om).get(change).status_code == 404
    remove = reverse("quality:reoffence_delete", args=[row.public_id])
    assert login(other_om).post(remove, {"reason": "x"}).status_code == 404
    assert "Enter the reason for removing it" in page_text(client.post(remove, {}))
    assert client.post(remove, {"reason": "Recorded against the wrong person"}).status_code == 302
    assert not Reoffence.objects.filter(pk=row.pk).exists()
    assert AuditEvent.objects.filter(action="person.reoffence_deleted", actor=om).exists()


def test_the_reoffence_page_logs_the_oms_view_and_not_a_refused_tms(login, area, om, tm):
    """Tester of issue 7, no. 4: the selector refuses (permission first), the view combines no role rules; the
    GET shows the person's reoffences, so an allowed view is logged once and a refused one not at all."""
    from audit.models import AccessLog

    person = PersonFactory(area=area, offender_manager=om)
    url = reverse("quality:reoffence_new", args=[person.public_id])
    logged = AccessLog.objects.filter(object_id=str(person.public_id))
    assert login(tm).get(url).status_code == 403
    assert not logged.exists()
    assert login(om).get(url).status_code == 200
    assert logged.filter(actor=om).count() == 1 and logged.count() == 1
