"""Regression tests for the tester's findings on issue 14 (home links, the statistics permission and filters, audit
pack filters, recording and monitoring dates, the recordings list, charts, the CSV columns, the OM home, the reports
list, the QA settings wording and the demo's recordings)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from isotp import clock
from isotp.errors import DomainConflict
from quality import services
from quality.models import AuditPack, SessionRecording
from quality.rules.monitoring import AREAS_OF_PRACTICE, session_has_ended, viewed_on_problem
from sessions.models import ScheduledSession
from tests.pages import error_summary, page_text
from tests.reports.factories import quick_membership, quick_report

GOOD = dict.fromkeys(AREAS_OF_PRACTICE, "3")


def _grant_national(user):
    user.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
    return type(user).objects.get(pk=user.pk)


# --- 1. the TM home's waiting-list counts are links to exactly those people ------------------------------------


def test_the_tm_home_links_each_programme_count_to_the_filtered_waiting_list(login, tm):
    body = login(tm).get(reverse("home")).content.decode()
    for programme, fmt in (("isotp", "group"), ("isotp", "one_to_one"), ("nsogp", "group")):
        assert f"/waiting-list/?programme={programme}&amp;format={fmt}" in body or (
            f"programme={programme}&amp;format={fmt}" in body
        )


def test_the_waiting_list_filters_to_who_must_start_soon(login, tm):
    response = login(tm).get(reverse("referrals:waiting_list") + "?programme=isotp&format=group&urgency=soon")
    assert response.status_code == 200
    text = page_text(response)
    assert "must start soon" in text


# --- 2. one permission for the statistics page, API and navigation ----------------------------------------------


def test_a_national_reader_of_another_role_gets_the_page_the_api_and_the_link(login, api, om):
    reader = _grant_national(om)
    page = login(reader).get(reverse("quality:statistics"))
    assert page.status_code == 200 and "All areas" in page_text(page)
    assert 'href="/statistics/"' in page.content.decode()  # the navigation link
    response = api(reader).get(reverse("api-statistics"))
    assert response.status_code == 200 and response.json()["scope"] == "All areas"
    assert api(reader).get(reverse("api-statistics"), {"scope": "area"}).status_code == 403


def test_staff_without_the_grant_or_a_manager_role_get_neither(login, api, om):
    assert api(om).get(reverse("api-statistics")).status_code == 403
    assert 'href="/statistics/"' not in login(om).get(reverse("home")).content.decode()


def test_the_grant_through_a_group_counts_as_has_perm_does_in_one_query(
    login, om, facilitator, django_assert_num_queries
):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.permissions import can_view_national_statistics

    readers = Group.objects.create(name="National readers")
    readers.permissions.add(Permission.objects.get(codename="view_national_statistics"))
    om.groups.add(readers)
    reader, other = User.objects.get(pk=om.pk), User.objects.get(pk=facilitator.pk)
    with django_assert_num_queries(1):  # asked twice (navigation, then the page): one query
        assert can_view_national_statistics(reader) and can_view_national_statistics(reader)
    assert reader.has_perm("quality.view_national_statistics")
    assert not can_view_national_statistics(other) and not other.has_perm("quality.view_national_statistics")
    assert 'href="/statistics/"' in login(reader).get(reverse("home")).content.decode()


# --- 3. bad filters are errors on their fields ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"programme": "nonsense"}, "id_programme", "Choose a programme from the list"),
        ({"scope": "elsewhere"}, "id_scope", "Choose my area or all areas"),
        ({"start": "2026-02-31"}, "id_start", "Enter the start of the period as a real date"),
        ({"end": "yesterday"}, "id_end", "Enter the end of the period as a real date"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "id_end", "The end of the period must be"),
        # 012: the dates of every other field's bounds (isotp/bounds.py), a year-1 start was taken.
        ({"start": "0001-01-01"}, "id_start", "Enter a date on or after 1 January 1900"),
        ({"start": "1899-12-31"}, "id_start", "Enter a date on or after 1 January 1900"),
        ({"end": "9999-12-31"}, "id_end", "Enter a date on or before 31 December 2100"),
    ],
)
def test_bad_statistics_filters_show_the_error_summary(login, api, tm, query, field, message):
    response = login(tm).get(reverse("quality:statistics"), query)
    summary = error_summary(response)
    assert f'href="#{field}"' in summary and message in summary
    assert "Download this table as CSV" not in page_text(response)  # no figures for filters it cannot use
    answer = api(tm).get(reverse("api-statistics"), query)
    assert answer.status_code == 400 and field.removeprefix("id_") in answer.json(), answer.json()


@pytest.mark.parametrize(
    "query", [{"start": "1900-01-01", "end": "1900-12-31"}, {"start": "2100-01-01", "end": "2100-12-31"}]
)
def test_the_statistics_filters_take_the_first_and_last_dates_of_the_bounds(login, api, tm, query):
    assert "govuk-error-summary" not in login(tm).get(reverse("quality:statistics"), query).content.decode()
    assert api(tm).get(reverse("api-statistics"), query).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"programme": "nonsense"}, "id_programme", "Choose a programme from the list"),
        ({"start": "2026-02-31"}, "id_start", "Enter the start of the period as a real date"),
        ({"end": "yesterday"}, "id_end", "Enter the end of the period as a real date"),
        ({"start": "2026-05-01", "end": "2026-04-01"}, "id_end", "The end of the period must be"),
        ({"start": "0001-01-01"}, "id_start", "Enter a date on or after 1 January 1900"),
        ({"end": "2101-01-01"}, "id_end", "Enter a date on or before 31 December 2100"),
    ],
)
def test_bad_audit_pack_filters_show_the_error_summary_on_their_fields(login, tm, data, field, message):
    posted = {"programme": "", "start": "2025-04-01", "end": "2026-03-31", "scope": "", **data}
    response = login(tm).post(reverse("quality:audit_pack_request"), posted)
    assert response.status_code == 400
    summary = error_summary(response)
    assert f'href="#{field}"' in summary and message in summary
    html = response.content.decode()
    assert f'id="{field}-error"' in html and "govuk-notification-banner" not in html
    assert not AuditPack.objects.exists()


# --- 4. the audit pack keeps its filters ------------------------------------------------------------------------


def test_the_audit_pack_keeps_and_shows_the_filters(login, tm, django_capture_on_commit_callbacks):
    client = login(tm)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("quality:audit_pack_request"),
            {"programme": "nsogp", "start": "2025-04-01", "end": "2026-03-31", "scope": ""},
        )
    assert response.status_code == 302
    assert "programme=nsogp" in response["Location"] and "start=2025-04-01" in response["Location"]
    pack = AuditPack.objects.get()
    assert (pack.programme, pack.period_start, pack.period_end) == (
        "nsogp",
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
    )
    text = page_text(client.get(response["Location"]))
    assert "N-SOGP" in text and "1 Apr 2025 to 31 Mar 2026" in text


# --- 5. recording and monitoring dates --------------------------------------------------------------------------


def test_session_end_and_viewed_date_rules():
    day = dt.date(2026, 3, 2)
    assert not session_has_ended(date=day, end=dt.time(12), now=dt.datetime(2026, 3, 2, 11, 59))
    assert session_has_ended(date=day, end=dt.time(12), now=dt.datetime(2026, 3, 2, 12, 0))
    assert viewed_on_problem(viewed_on=day, session_date=day, today=day) is None
    assert "on or after the session" in (
        viewed_on_problem(viewed_on=day - dt.timedelta(days=1), session_date=day, today=day) or ""
    )
    assert "today or in the past" in (
        viewed_on_problem(viewed_on=day + dt.timedelta(days=1), session_date=day, today=day) or ""
    )


def test_a_session_today_that_has_not_ended_cannot_be_recorded(area, personas, facilitator, time_machine):
    # A fixed afternoon (not the wall clock): the session runs 18:00-20:00 the same day, so it has not ended.
    time_machine.move_to(timezone.make_aware(dt.datetime(2026, 11, 30, 15, 0)), tick=False)
    session = quick_membership(area, personas, finished=True).group.sessions.order_by("number").first()
    ScheduledSession.objects.filter(pk=session.pk).update(
        date=dt.date(2026, 11, 30), start=dt.time(18, 0), end=dt.time(20, 0)
    )
    session.refresh_from_db()
    with pytest.raises(DomainConflict) as exc:
        services.mark_recorded(actor=facilitator, session=session)
    assert exc.value.code == "SESSION_NOT_DELIVERED"
    assert not SessionRecording.objects.exists()


@pytest.mark.parametrize(
    "date, end, now, ended",
    [
        (
            dt.date(2026, 3, 2),
            dt.time(21, 0),
            dt.datetime(2026, 3, 2, 18, 0),
            False,
        ),  # this evening's session
        (dt.date(2026, 3, 2), dt.time(21, 0), dt.datetime(2026, 3, 2, 21, 0), True),
        (dt.date(2026, 3, 1), dt.time(21, 0), dt.datetime(2026, 3, 2, 8, 0), True),
        (dt.date(2026, 3, 3), dt.time(9, 0), dt.datetime(2026, 3, 2, 23, 0), False),
    ],
)
def test_session_has_ended_is_the_rule_the_list_uses(date, end, now, ended):
    from quality.rules.monitoring import ended_by, session_has_ended

    last_day, last_end = ended_by(now)
    assert session_has_ended(date=date, end=end, now=now) is ended
    assert (date < last_day or (date == last_day and end <= last_end)) is ended


def test_the_sessions_to_mark_list_leaves_out_a_session_that_has_not_ended(area, personas, facilitator):
    """Second review of issue 14: this evening's session was listed before it had ended."""
    from quality import selectors

    session = quick_membership(area, personas, finished=True).group.sessions.order_by("number").first()
    ScheduledSession.objects.filter(pk=session.pk).update(
        date=dt.date(2026, 3, 2), start=dt.time(19, 0), end=dt.time(21, 0)
    )
    today = dt.date(2026, 3, 2)
    before = selectors.recordable_sessions(facilitator, today, now=dt.datetime(2026, 3, 2, 18, 0))
    after = selectors.recordable_sessions(facilitator, today, now=dt.datetime(2026, 3, 2, 21, 0))
    assert session.pk not in set(before.values_list("pk", flat=True))
    assert session.pk in set(after.values_list("pk", flat=True))


def test_a_running_group_with_no_session_left_has_no_places_free(area, personas, tm):
    """Second review of issue 14: finished groups (status still Running, no session left) were counted."""
    from sessions.home import groups_with_places_free
    from sessions.models import GroupStatus, ProgrammeGroup

    group = quick_membership(area, personas, finished=True).group
    ProgrammeGroup.objects.filter(pk=group.pk).update(status=GroupStatus.RUNNING)
    ProgrammeGroup.objects.exclude(pk=group.pk).delete()
    last = group.sessions.order_by("-date").first()
    assert len(groups_with_places_free(tm, last.date + dt.timedelta(days=1)).rows) == 0
    assert len(groups_with_places_free(tm, last.date).rows) == 1


def test_a_monitoring_date_before_the_session_is_a_field_error(area, personas, facilitator, tm):
    session = quick_membership(area, personas, finished=True).group.sessions.order_by("number").first()
    recording = services.mark_recorded(actor=facilitator, session=session)
    with pytest.raises(ValidationError) as exc:
        services.record_monitoring(
            actor=tm,
            recording=recording,
            facilitator=facilitator,
            viewed_on=session.date - dt.timedelta(days=1),
            ratings=GOOD,
        )
    assert "viewed_on" in exc.value.message_dict


# --- 6. the recordings list: newest first, stacked at phone width ------------------------------------------------


def test_the_recordings_list_is_newest_first_and_stacks(login, area, personas, tm):
    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number")[:3])
    for session in sessions:
        SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    body = login(tm).get(reverse("quality:recordings")).content.decode()
    dates = [s.date for s in sessions]
    shown = [body.index(f"{d:%-d %b %Y}", body.index("Recorded sessions, newest first")) for d in dates]
    assert shown == sorted(shown, reverse=True)  # the latest session comes first
    assert "app-stacked-table" in body and 'data-label="Facilitators"' in body


# --- 7. and 8. charts for every table; the CSV's separate columns ------------------------------------------------


def test_every_statistics_table_has_its_chart(login, tm):
    body = login(tm).get(reverse("quality:statistics")).content.decode()
    for slug in ("flow", "non-completions", "delivery", "psychometrics", "reports", "outcomes"):
        section = body[body.index(f'id="table-{slug}"') :]
        section = section[: section.index("</section>")]
        assert "<svg" in section, slug


def test_the_csv_gives_rate_interval_and_n_their_own_columns(login, tm):
    response = login(tm).get(reverse("quality:statistics_csv", args=["outcomes"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:8] == [
        "Cohort and follow-up",
        "People",
        "At risk (followed up in full)",
        "Observed proven reoffending rate (%)",
        "Observed proven reoffending 95% CI low (%)",
        "Observed proven reoffending 95% CI high (%)",
        "Observed proven reoffending count",
        "Observed proven reoffending n",
    ]
    reports = list(
        csv.reader(
            io.StringIO(login(tm).get(reverse("quality:statistics_csv", args=["reports"])).content.decode())
        )
    )
    assert reports[0] == ["Measure", "rate (%)", "95% CI low (%)", "95% CI high (%)", "count", "n"]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows + reports for cell in row)


def test_a_proportion_splits_into_csv_columns():
    from quality.rules.figures import proportion
    from quality.tables import _proportion_csv

    assert _proportion_csv(proportion(3, 12)) == ["25.0", "8.9", "53.2", "3", "12"]
    assert _proportion_csv(proportion(3, 9))[0] == "Suppressed (fewer than 10)"
    assert _proportion_csv(proportion(3, 9))[1:] == ["", "", "", ""]


# --- 9. the OM home: new reports, and the caseload's programme status --------------------------------------------


def test_the_om_home_counts_only_reports_not_yet_downloaded(login, area, personas, om):
    report = quick_report(area, personas, status="issued", issued=True)
    client = login(om)
    body = client.get(reverse("home")).content.decode()
    assert "/reports/?new=yes" in body
    assert report.referral.person.crn in page_text(client.get(reverse("reports:report_list") + "?new=yes"))
    version = report.versions.get()
    client.get(reverse("reports:version_download", args=[report.public_id, version.number]))
    text = page_text(client.get(reverse("reports:report_list") + "?new=yes"))
    assert report.referral.person.crn not in text and "You have downloaded every issued report" in text


def test_uuid_text_key_is_one_form_whatever_the_database_writes(area, personas):
    """Second review of issue 14: SQLite stores a UUID as 32 hex characters, the audit writes it hyphenated; the key
    normalises both (and PostgreSQL's uuid column) to the same text."""
    from django.db.models import Value

    from reports.models import PostProgrammeReport
    from reports.selectors import uuid_text_key

    report = quick_report(area, personas, status="issued", issued=True)
    public_id = report.public_id
    keys = (
        PostProgrammeReport.objects.filter(pk=report.pk)
        .annotate(
            column=uuid_text_key("public_id"),
            hyphenated=uuid_text_key(Value(str(public_id))),
            sqlite_form=uuid_text_key(Value(public_id.hex)),
            upper=uuid_text_key(Value(str(public_id).upper())),
        )
        .values("column", "hyphenated", "sqlite_form", "upper")
        .get()
    )
    assert set(keys.values()) == {public_id.hex}


def test_a_download_audited_in_either_uuid_text_form_clears_the_new_report(area, personas, om):
    """Second review of issue 14: the OM's new reports never cleared on SQLite, where the hyphenated audit
    object_id never equalled the column's unhyphenated text."""
    from audit.models import AuditEvent
    from reports import selectors, services

    real = quick_report(area, personas, status="issued", issued=True)
    assert selectors.new_reports_for(om).filter(pk=real.pk).exists()
    services.open_version(actor=om, version=real.versions.get(), via="page").close()  # audited hyphenated
    assert not selectors.new_reports_for(om).filter(pk=real.pk).exists()
    sqlite_form = quick_report(area, personas, status="issued", issued=True)
    assert selectors.new_reports_for(om).filter(pk=sqlite_form.pk).exists()
    AuditEvent.objects.create(
        actor=om,
        action="report.downloaded",
        object_type=sqlite_form._meta.label_lower,
        object_id=sqlite_form.public_id.hex.upper(),
    )
    assert not selectors.new_reports_for(om).filter(pk=sqlite_form.pk).exists()


def test_the_om_home_shows_the_caseloads_programme_status_with_links(login, area, personas, om):
    membership = quick_membership(area, personas)
    membership.referral.refresh_from_db()
    status = membership.referral.status
    body = login(om).get(reverse("home")).content.decode()
    assert "My caseload&#x27;s programme status" in body or "My caseload's programme status" in body
    assert f"/referrals/?status={status}" in body


# --- 10. the reports list shows "ready for a report" only when it is relevant -----------------------------------


def test_members_ready_are_not_shown_beside_a_status_filter(login, area, personas, tm):
    quick_membership(area, personas, finished=True)
    client = login(tm)
    assert "Ready for a report" in page_text(client.get(reverse("reports:report_list")))
    assert "Ready for a report" not in page_text(
        client.get(reverse("reports:report_list") + "?status=issued")
    )


# --- 11. the QA settings say what is wrong in plain English ------------------------------------------------------


def test_the_qa_settings_errors_are_plain_english(login, tm):
    response = login(tm).post(reverse("quality:settings"), {"monitoring_target": "150", "report_days": "0"})
    summary = error_summary(response)
    assert "The share of sessions to monitor must be 100% or less" in summary
    assert "The number of days must be 1 or more" in summary
    assert "Ensure this value" not in page_text(response)


# --- 12. the demo's recordings are current ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_recordings_are_spread_over_recent_months():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    today = clock.today()
    dates = list(SessionRecording.objects.values_list("session__date", flat=True))
    recent = [d for d in dates if today - dt.timedelta(days=185) <= d <= today]
    assert len(recent) >= 4
    assert len({(d.year, d.month) for d in recent}) >= 3
