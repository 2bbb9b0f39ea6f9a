"""The audit trail in words (issue 13): each action as a person would say it, the change that matters after it,
and the other values changed, with labels rather than codes and no internal ids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from audit.selectors import value_words
from audit.services import record_event
from audit.wording import ACTION_WORDS, describe
from tests.project_apps import PROJECT_APPS

SESSION = "6f1c1b7e-2f5e-4a43-9a51-0d3f0c2b8a11"


@pytest.mark.parametrize(
    ("action", "changes", "headline", "details"),
    [
        (
            "signed_in",
            {"outcome": "signed_in", "browser": "Firefox on Linux"},
            "Signed in",
            ["Browser: Firefox on Linux"],
        ),
        (
            "sign_in.refused",
            {"outcome": "wrong_password", "browser": "Safari"},
            "Sign-in refused: Wrong password",
            ["Browser: Safari"],
        ),
        (
            "attendance.recorded",
            {
                "session": SESSION,
                "outcome": {"from": "unacceptable_absence", "to": "attended"},
                "sent_home_acceptable": None,
                "homework_done": True,
                "concern": "",
            },
            "Attendance recorded: Unacceptable absence → Attended",
            ["Homework done: Yes"],
        ),
        (
            "attendance.recorded",
            {"session": SESSION, "outcome": {"from": None, "to": "late"}, "homework_done": False},
            "Attendance recorded: Late (attended)",
            ["Homework done: No"],
        ),
        (
            "referral.status_changed",
            {"status": {"from": "awaiting_allocation", "to": "allocated"}, "reason_code": ""},
            "Referral status changed: Awaiting allocation (waiting list) → Allocated",
            [],
        ),
        (
            "person.updated",
            {
                "last_name": {"from": "Smith", "to": "Smyth"},
                "dob": {"from": "1980-02-01", "to": "1980-01-02"},
            },
            "Personal details changed",
            ["Last name: Smith → Smyth", "Date of birth: 1 February 1980 → 2 January 1980"],
        ),
        (
            "session.rescheduled",
            {"moves": [{"number": "2", "from": "2027-01-11", "to": "2027-01-12", "start": "18:00"}]},
            "Session rescheduled",
            ["Moves: session 2 11 January 2027 → 12 January 2027 at 18:00"],
        ),
        (
            "staff.role_changed",
            {"role": {"from": "facilitator", "to": "treatment_manager"}},
            "Role changed: Facilitator → Treatment manager",
            [],
        ),
        ("qa.something_new", {}, "Something new", []),
    ],
)
def test_events_read_in_words(db, action, changes, headline, details):
    words = describe(action, changes, value_words())
    assert (words.headline, list(words.details)) == (headline, details)


def test_every_action_the_services_write_has_words():
    """A new action written without its words would show as its code: every literal action in the apps is listed."""
    root = Path(__file__).resolve().parents[2]
    written = set()
    for app in PROJECT_APPS:
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            text = path.read_text()
            if "record_event" not in text and "_event(" not in text:
                continue
            written |= set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_]+|signed_in)"', text)) & _action_like(text)
    missing = sorted(a for a in written if a not in ACTION_WORDS)
    assert not missing, missing


def _action_like(text: str) -> set[str]:
    """Strings used as an action: `action="x.y"` or the second argument of a person/referral/report event."""
    found = set(re.findall(r'action="([a-z0-9_.]+)"', text))
    found |= set(re.findall(r'_event\(\s*[a-z_.]+,\s*"([a-z0-9_.]+)"', text))
    found |= set(
        re.findall(r'(?:person|referral|report)_event\([^)]*?"([a-z0-9_]+\.[a-z0-9_]+)"', text, re.S)
    )
    return found


def test_the_audit_page_says_what_happened_in_words(login, tm):
    record_event(
        actor=tm,
        action="attendance.recorded",
        object_type="programme_sessions.membership",
        object_id=SESSION,
        object_label="CHE-ISOTP-2027-01",
        area_id=tm.area_id,
        changes={"outcome": {"from": "unacceptable_absence", "to": "attended"}, "homework_done": True},
    )
    record_event(actor=tm, action="signed_in", obj=tm, changes={"outcome": "signed_in", "browser": "Firefox"})
    html = login(tm).get(reverse("audit:event_list")).content.decode()
    assert "Attendance recorded: Unacceptable absence → Attended" in html and "Homework done: Yes" in html
    assert "Signed in" in html and "Membership CHE-ISOTP-2027-01" in html
    # The code stays, small, for support.
    assert '<span class="govuk-body-s app-support-code">attendance.recorded</span>' in html


def test_the_audit_page_finds_a_persons_entries_by_name_or_crn(login, area, tm, om, other_tm):
    """Issue 13: the search box takes a name or a CRN and finds the events about that person's records (the person,
    their referrals, memberships and reports) and who viewed them; nobody else's, and no other area's."""
    from audit.services import record_access
    from referrals.models import Person
    from tests.referrals.factories import PersonFactory, ReferralFactory

    alan = PersonFactory(area=area, offender_manager=om, first_name="Alan", last_name="Birch", crn="A123456")
    other = PersonFactory(area=area, offender_manager=om, first_name="Colin", last_name="Dale", crn="C654321")
    referral = ReferralFactory(person=alan)
    record_event(
        actor=om,
        action="person.updated",
        obj=alan,
        object_label=alan.crn,
        changes={"iq": {"from": 100, "to": 101}},
    )
    record_event(actor=om, action="referral.created", obj=referral, object_label=alan.crn)
    record_event(actor=om, action="person.created", obj=other, object_label=other.crn)
    record_access(actor=tm, obj=alan, object_label=alan.crn)
    record_access(actor=tm, obj=other, object_label=other.crn)
    client = login(tm)
    for search in ("Alan Birch", "birch", "a123456"):
        html = client.get(reverse("audit:event_list"), {"person": search}).content.decode()
        assert "Personal details changed" in html and "Referral started" in html, search
        assert "Person added" not in html and "C654321" not in html, search
        assert "Changes (2)" in html and "Records viewed (1)" in html, search
    # Another area's manager finds nothing of Alan's.
    assert Person.objects.filter(crn="A123456").exists()
    html = login(other_tm).get(reverse("audit:event_list"), {"person": "Alan Birch"}).content.decode()
    assert "Changes (0)" in html
