"""Issue 13: CSV exports of the waiting list, a group's schedule and a register: the same rows as the page,
formula injection neutralised in every cell, scoped (another area's group or session is not found) and audited
(who exported what; ids, never names)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.models import Venue
from audit.models import AuditEvent
from isotp.csv_export import csv_text, safe_cell
from referrals.models import Person
from sessions import services
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 1234", "'+44 1234"),
        ("-1", "'-1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("O'Neil", "O'Neil"),
        ("Smith-Jones", "Smith-Jones"),
        (12, "12"),
        (None, ""),
    ],
)
def test_every_cell_is_neutralised(value, expected):
    assert safe_cell(value) == expected
    assert list(csv.reader(io.StringIO(csv_text(["h"], [[value]]))))[1] == [expected]


def test_the_waiting_list_export_has_the_pages_rows_and_is_audited(login, area, tm, om):
    first = waiting_referral(area, om)
    second = waiting_referral(area, om)
    Person.objects.filter(pk=second.person_id).update(last_name="=cmd|' /C calc'!A0", crn="Z999999")
    client = login(tm)
    rows = _rows(client.get(reverse("referrals:waiting_list_csv")))
    assert rows[0][:3] == ["Place", "Name", "CRN"]
    assert len(rows) == 3
    crns = [r[2] for r in rows[1:]]
    assert first.person.crn in crns and "Z999999" in crns
    injected = next(r for r in rows[1:] if r[2] == "Z999999")
    assert not injected[1].startswith("=") and "cmd" in injected[1]
    event = AuditEvent.objects.get(action="waiting_list.exported", actor=tm)
    assert event.changes["people"] == 2
    assert sorted(event.changes["referrals"]) == sorted([str(first.public_id), str(second.public_id)])
    assert "Z999999" not in str(event.changes)  # ids, not the people's details
    # The search narrows the export as it narrows the page.
    only = _rows(client.get(reverse("referrals:waiting_list_csv"), {"q": "Z999999"}))
    assert [r[2] for r in only[1:]] == ["Z999999"]


def test_the_waiting_list_export_is_for_managers(login, om, facilitator, area_admin):
    assert login(om).get(reverse("referrals:waiting_list_csv")).status_code == 403
    assert login(facilitator).get(reverse("referrals:waiting_list_csv")).status_code == 403
    assert login(area_admin).get(reverse("referrals:waiting_list_csv")).status_code == 200
    assert not AuditEvent.objects.filter(action="waiting_list.exported", actor=om).exists()


def test_a_group_schedule_export_shows_cancelled_and_moved_sessions(login, area, tm, facilitator, other_tm):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    s3 = group.sessions.get(number=3)
    services.cancel_session_by_provider(actor=tm, session=s3, reason="Venue flooded")
    client = login(tm)
    rows = _rows(client.get(reverse("programme_sessions:group_schedule_csv", args=[group.public_id])))
    assert rows[0][0] == "Session" and rows[0][-1] == "Moved from"
    cancelled = [r for r in rows[1:] if r[7] == "Cancelled by the provider"]
    assert len(cancelled) == 1 and cancelled[0][0] == ""  # unnumbered, as on the page
    numbers = [r[0] for r in rows[1:] if r[0]]
    assert len(numbers) == len(set(numbers))  # no session number twice
    assert AuditEvent.objects.filter(action="group.schedule_exported", actor=tm).count() == 1
    assert (
        login(facilitator)
        .get(reverse("programme_sessions:group_schedule_csv", args=[group.public_id]))
        .status_code
        == 200
    )
    assert (
        login(other_tm)
        .get(reverse("programme_sessions:group_schedule_csv", args=[group.public_id]))
        .status_code
        == 404
    )


def test_a_register_export_lists_each_member_with_what_was_recorded(
    login, area, tm, om, facilitator, other_tm, time_machine
):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, om)) for _ in range(2)
    ]
    s1 = group.sessions.get(number=1)
    time_machine.move_to(dt.datetime(s1.date.year, s1.date.month, s1.date.day, 20, tzinfo=LONDON), tick=False)
    services.take_register(
        actor=facilitator,
        session=s1,
        entries=[
            services.RegisterEntry(membership=members[0], outcome="attended", homework_done=True),
            services.RegisterEntry(membership=members[1], outcome="acceptable_absence"),
        ],
    )
    client = login(facilitator)
    url = reverse("programme_sessions:session_register_csv", args=[s1.public_id])
    rows = _rows(client.get(url))
    assert rows[0][:3] == ["Name", "CRN", "Attendance"]
    by_crn = {r[1]: r for r in rows[1:]}
    assert by_crn[members[0].referral.person.crn][2] == "Attended"
    assert by_crn[members[0].referral.person.crn][4] == "Yes"
    assert by_crn[members[1].referral.person.crn][2] == "Acceptable absence"
    event = AuditEvent.objects.get(action="session.register_exported", actor=facilitator)
    assert sorted(event.changes["memberships"]) == sorted(str(m.public_id) for m in members)
    assert login(om).get(url).status_code == 403
    assert login(other_tm).get(url).status_code == 404


# --- the content of each export: every column, one row per person or session, every cell neutralised ----------


def test_the_register_export_has_every_column_and_one_row_per_member(
    login, area, tm, om, facilitator, time_machine
):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, om)) for _ in range(3)
    ]
    hostile = members[2].referral.person
    Person.objects.filter(pk=hostile.pk).update(first_name="@SUM(1+1)", last_name="=cmd|' /C calc'!A0")
    s1 = group.sessions.get(number=1)
    time_machine.move_to(dt.datetime(s1.date.year, s1.date.month, s1.date.day, 20, tzinfo=LONDON), tick=False)
    services.take_register(
        actor=facilitator,
        session=s1,
        entries=[
            services.RegisterEntry(membership=members[0], outcome="attended", homework_done=True),
            services.RegisterEntry(
                membership=members[1], outcome="sent_home", sent_home_acceptable=False, homework_done=False
            ),
        ],
    )
    rows = _rows(
        login(facilitator).get(reverse("programme_sessions:session_register_csv", args=[s1.public_id]))
    )
    assert rows[0] == [
        "Name",
        "CRN",
        "Attendance",
        "Sent home for an acceptable reason",
        "Homework done",
        "Personal work presented",
    ]
    assert all(len(row) == len(rows[0]) for row in rows)
    # One row per member, no more: nobody twice, nobody left out (the third has nothing recorded yet).
    crns = [row[1] for row in rows[1:]]
    assert sorted(crns) == sorted(m.referral.person.crn for m in members)
    by_crn = {row[1]: row for row in rows[1:]}
    attended = by_crn[members[0].referral.person.crn]
    assert attended[2:] == ["Attended", "", "Yes", "No"]
    sent_home = by_crn[members[1].referral.person.crn]
    assert sent_home[2:5] == ["Sent home", "No", "No"]
    unrecorded = by_crn[hostile.crn]
    assert unrecorded[2:] == ["Not recorded", "", "", ""]
    # The name a spreadsheet would have run as a formula is text.
    assert not unrecorded[0].startswith(("=", "+", "-", "@"))
    assert unrecorded[0].startswith("'") and "calc" in unrecorded[0]


def test_the_schedule_export_has_every_column_and_one_row_per_session(login, area, tm, facilitator):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    Venue.objects.filter(pk=group.venue_id).update(name='=HYPERLINK("http://x")')
    s4 = group.sessions.get(number=4)
    services.cancel_session_by_provider(actor=tm, session=s4, reason="Venue flooded")
    rows = _rows(login(tm).get(reverse("programme_sessions:group_schedule_csv", args=[group.public_id])))
    assert rows[0] == ["Session", "Module", "Block", "Date", "Start", "End", "Venue", "Status", "Moved from"]
    assert all(len(row) == len(rows[0]) for row in rows)
    sessions = list(group.sessions.order_by("date", "start"))
    assert len(rows) - 1 == len(sessions)  # every session once, the cancelled one included
    assert [row[3] for row in rows[1:]] == [s.date.isoformat() for s in sessions]
    first = rows[1]
    assert (
        first[0] == "1"
        and first[4] == f"{sessions[0].start:%H:%M}"
        and first[5] == f"{sessions[0].end:%H:%M}"
    )
    assert all(row[6] == '\'=HYPERLINK("http://x")' for row in rows[1:])  # neutralised in every row
    moved = [row for row in rows[1:] if row[8]]
    assert moved and all(row[7] != "Cancelled by the provider" for row in moved)


def test_the_waiting_list_export_has_every_column(login, area, tm, om):
    referral = waiting_referral(area, om)
    Person.objects.filter(pk=referral.person_id).update(first_name="+Tom", last_name="-Jones")
    rows = _rows(login(tm).get(reverse("referrals:waiting_list_csv")))
    assert rows[0] == [
        "Place",
        "Name",
        "CRN",
        "Offender manager",
        "Planned start",
        "Age at planned start",
        "Waiting since",
        "Supervision ends",
        "Must start by",
        "Urgency",
        "Restart",
    ]
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])
    row = rows[1]
    assert row[0] == "1" and row[2] == referral.person.crn
    assert row[1].startswith("'+") and "Jones" in row[1]
    assert row[3] == om.full_name and row[10] == "No"
    dt.date.fromisoformat(row[4])
    dt.date.fromisoformat(row[6])
