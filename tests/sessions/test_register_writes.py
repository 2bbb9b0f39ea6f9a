"""A register write's cost and what it writes (issue 11): the lines with nothing to follow them (an attended or
late member already on the programme) are written together, so a register of ten costs what a register of two
does; every line keeps its own row, its audit event (in the register's order) and its notices. The group meets on
Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from notifications.models import Notification
from referrals.rules.transitions import ReferralStatus
from sessions import services
from sessions.models import Attendance, MembershipStatus
from tests.pages import error_summary
from tests.sessions.attendance_helpers import LONDON, allocate_member, book, move_to, session_number
from tests.sessions.factories import make_group, trained_facilitator

pytestmark = pytest.mark.django_db


def _attended_first_session(lead, group, members):
    """Session 1 attended by everyone: the referrals are on the programme from then on."""
    s1 = session_number(group, 1)
    services.take_register(
        actor=lead,
        session=s1,
        entries=[services.RegisterEntry(membership=m, outcome="attended") for m in members],
    )
    for m in members:
        m.referral.refresh_from_db()
        assert m.referral.status == ReferralStatus.ON_PROGRAMME


def test_a_register_written_costs_the_same_for_2_and_10_members(api, login, area, tm, om, time_machine):
    counts = {}
    for size in (2, 10):
        lead = trained_facilitator(area)
        group = make_group(
            area, actor=tm, facilitators=[lead, trained_facilitator(area)], start_date=dt.date(2027, 1, size)
        )
        members = [allocate_member(group, tm, om) for _ in range(size)]
        s2 = session_number(group, 2)
        move_to(time_machine, s2.date)
        _attended_first_session(lead, group, members)
        client, page = api(lead), login(lead)
        url = reverse("api-session-register", args=[s2.public_id])
        page_url = reverse("programme_sessions:session_register", args=[s2.public_id])
        measured = []
        # New rows (late), the same rows changed (attended), then the page changing them back (late).
        for outcome in ("late", "attended"):
            body = {"records": [{"membership": str(m.public_id), "outcome": outcome} for m in members]}
            with CaptureQueriesContext(connection) as queries:
                assert client.put(url, body, format="json").status_code == 200
            measured.append(len(queries))
        form = {f"{m.public_id}-outcome": "late" for m in members}
        with CaptureQueriesContext(connection) as queries:
            response = page.post(page_url, form)
            assert response.status_code == 302, error_summary(response)
        measured.append(len(queries))
        assert (
            list(Attendance.objects.filter(session=s2).values_list("outcome", flat=True)) == ["late"] * size
        )
        counts[size] = measured
        time_machine.move_to(dt.datetime(2026, 11, 30, 12, tzinfo=LONDON), tick=False)
    assert counts[10] == counts[2], counts


def test_a_register_mixing_quiet_and_followed_lines_writes_each_line_in_its_order(
    group, tm, om, facilitator, time_machine
):
    members = [allocate_member(group, tm, om) for _ in range(5)]
    newcomer = allocate_member(group, tm, om)  # misses session 1: still allocated at session 2
    s1, s2 = session_number(group, 1), session_number(group, 2)
    move_to(time_machine, s2.date)
    services.take_register(
        actor=facilitator,
        session=s1,
        entries=[
            *[services.RegisterEntry(membership=m, outcome="attended") for m in members],
            services.RegisterEntry(membership=newcomer, outcome="acceptable_absence"),
        ],
    )
    services.grant_catch_up_exception(
        actor=tm, membership=newcomer, missed_session=s1, reason="Agreed by the TM"
    )
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    told_before = set(Notification.objects.values_list("id", flat=True))
    outcomes = ["late", "unacceptable_absence", "attended", "acceptable_absence", "late", "attended"]
    concern = [False, False, False, False, True, False]
    saved = services.take_register(
        actor=facilitator,
        session=s2,
        entries=[
            services.RegisterEntry(membership=m, outcome=o, concern=c, notes="Worried" if c else "")
            for m, o, c in zip([*members, newcomer], outcomes, concern, strict=True)
        ],
    )
    # The rows: one per member, as given, in the register's order, each saved.
    assert [a.outcome for a in saved] == outcomes
    assert all(a.pk for a in saved)
    rows = {a.membership_id: a for a in Attendance.objects.filter(session=s2)}
    assert [rows[m.pk].outcome for m in [*members, newcomer]] == outcomes
    assert {a.recorded_by_id for a in rows.values()} == {facilitator.pk}
    assert [rows[m.pk].concern for m in [*members, newcomer]] == concern
    ids = [rows[m.pk].pk for m in [*members, newcomer]]
    assert ids == sorted(ids)  # created in the register's order, quiet lines and the others alike
    # The audit trail in order: each line's event (the newcomer's first attendance moves his referral first),
    # then the register.
    events = list(
        AuditEvent.objects.filter(id__gt=last_event).order_by("id").values_list("action", "object_id")
    )
    assert [a for a, _ in events] == [
        *["attendance.recorded"] * 5,
        "referral.status_changed",
        "attendance.recorded",
        "register.taken",
    ]
    lines = [o for a, o in events if a == "attendance.recorded"]
    assert lines == [str(m.public_id) for m in [*members, newcomer]]
    assert events[5][1] == str(newcomer.referral.public_id)
    changes = AuditEvent.objects.filter(id__gt=last_event, action="attendance.recorded").order_by("id")
    assert [e.changes["outcome"] for e in changes] == [{"from": None, "to": o} for o in outcomes]
    newcomer.referral.refresh_from_db()
    assert newcomer.referral.status == ReferralStatus.ON_PROGRAMME
    # The notices: the two absences and the concern, to the OM, each naming its row.
    told = Notification.objects.exclude(id__in=told_before)
    r = [rows[m.pk].pk for m in members]
    # Both sides sorted: the keys hold the rows' ids, whose digits decide their order ("absence:10" < "absence:8").
    assert sorted(told.values_list("recipient_id", "kind", "dedupe_key")) == sorted(
        [
            (om.pk, "absence", f"absence:{r[1]}:unacceptable_absence:None"),
            (om.pk, "absence", f"absence:{r[3]}:acceptable_absence:None"),
            (om.pk, "concern", f"concern:{r[4]}:{hashlib.sha256(b'Worried').hexdigest()[:16]}"),
        ]
    )


def test_a_group_register_locks_its_members_without_reading_the_one_to_one_plans(
    group, tm, om, facilitator, time_machine
):
    """The members' lock joins their group only: joining the plans too made PostgreSQL hash every one-to-one plan
    of the country into each register write."""
    members = [allocate_member(group, tm, om) for _ in range(3)]
    s1 = session_number(group, 1)
    move_to(time_machine, s1.date)
    with CaptureQueriesContext(connection) as queries:
        services.take_register(
            actor=facilitator,
            session=s1,
            entries=[services.RegisterEntry(membership=m, outcome="attended") for m in members],
        )
    locks = [
        q["sql"] for q in queries if "FOR UPDATE" in q["sql"] and "programme_sessions_membership" in q["sql"]
    ]
    assert len(locks) == 1
    assert "programme_sessions_onetooneplan" not in locks[0]
    assert "programme_sessions_programmegroup" in locks[0]


def test_the_api_answers_a_register_put_with_what_reading_the_register_then_shows(
    api, group, tm, om, facilitator, time_machine
):
    """The PUT's answer is built from the session and the records the service has just written (perf21: not read
    again), yet is what a GET of the register shows afterwards, line for line: a quiet line, a member blocked by an
    outstanding catch-up recording an absence, a member whose fifth missed session restarts him, and a member the
    PUT left out (whose record is read)."""
    quiet, blocked, restarting, left_out = (allocate_member(group, tm, om) for _ in range(4))
    sessions = {n: session_number(group, n) for n in range(1, 6)}
    move_to(time_machine, sessions[5].date)
    for n in (1, 2, 3, 4):
        services.take_register(
            actor=facilitator,
            session=sessions[n],
            entries=[
                services.RegisterEntry(membership=quiet, outcome="attended"),
                services.RegisterEntry(
                    membership=blocked, outcome="unacceptable_absence" if n == 4 else "attended"
                ),
                services.RegisterEntry(membership=restarting, outcome="acceptable_absence"),
                services.RegisterEntry(membership=left_out, outcome="attended"),
            ],
        )
        book(facilitator, restarting, sessions[n])
    client = api(facilitator)
    url = reverse("api-session-register", args=[sessions[5].public_id])
    body = {
        "records": [
            {"membership": str(quiet.public_id), "outcome": "late"},
            {"membership": str(blocked.public_id), "outcome": "acceptable_absence"},
            {"membership": str(restarting.public_id), "outcome": "unacceptable_absence"},
        ],
        "content_delivered": "Module 5",
    }
    put = client.put(url, body, format="json")
    assert put.status_code == 200, put.content
    answer = put.json()
    assert answer == client.get(url).json()
    lines = {line["membership"]: line for line in answer["members"]}
    assert answer["content_delivered"] == "Module 5" and answer["register_taken_at"]
    assert lines[str(quiet.public_id)]["record"]["outcome"] == "late"
    assert lines[str(blocked.public_id)]["catch_up_outstanding"] == [str(sessions[4].public_id)]
    assert not lines[str(blocked.public_id)]["may_attend"]
    assert lines[str(restarting.public_id)]["membership_status"] == MembershipStatus.RESTART_REQUIRED
    assert lines[str(left_out.public_id)]["record"] is None
