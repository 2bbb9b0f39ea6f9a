"""Attendance in a real browser (issue 8): a facilitator opens their group, takes the register of a past session
for three members in one submit (attended with homework, an acceptable absence, sent home for an unacceptable
reason), then books and records the catch-up of the missed session from the member's progress page; the progress
page then shows the catch-up used. The register is also checked at 375 px. Every page is checked with axe-core
and kept as a screenshot (artifacts/screenshots/attendance-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions import services
from sessions.models import Attendance, CatchUp
from tests.e2e.conftest import look, sign_in_through_pages
from tests.sessions.factories import waiting_referral

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_facilitator_takes_a_register_and_books_a_catch_up(page: Page, facilitator, running_group):
    group, members = running_group(3)
    first = group.sessions.get(number=1)

    sign_in_through_pages(page, facilitator)
    page.get_by_role("link", name="Groups", exact=True).click()
    page.get_by_role("link", name="Monday evening group").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monday evening group")
    look(page, "attendance-group")
    page.get_by_role("link", name="Take register for session 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: session 1")
    look(page, "attendance-register-empty")

    # Saving with nothing chosen: the error summary names each member.
    page.get_by_role("button", name="Save register").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select what happened for")
    look(page, "attendance-register-errors")

    attended, absent, sent_home = members
    page.check(f"#m-{attended.public_id}-outcome-attended")
    page.check(f"#m-{attended.public_id}-homework")
    page.check(f"#m-{absent.public_id}-outcome-acceptable_absence")
    page.fill(f"#m-{absent.public_id}-notes", "Hospital appointment, letter seen")
    page.check(f"#m-{sent_home.public_id}-outcome-sent_home")
    page.check(f"#m-{sent_home.public_id}-sent_home-no")
    page.check(f"#m-{sent_home.public_id}-concern")
    page.fill("#content_delivered", "Module 1: motivation to change; the decisional balance")
    look(page, "attendance-register-filled")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "sideways scroll at 375 px"
    )
    look(page, "attendance-register-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Save register").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Register saved")
    look(page, "attendance-register-saved")
    assert Attendance.objects.filter(session=first).count() == 3

    # The absent member's progress: a catch-up is outstanding; book it and record it in one go.
    # The group page links each member twice (progress, and the psychometrics needs profile): take the progress one
    page.locator("a[href$='/progress/']", has_text=absent.referral.person.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("progress")
    expect(page.locator("main")).to_contain_text("Session 1 on")
    look(page, "attendance-progress-outstanding")
    page.get_by_role("link", name="Book a catch-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a catch-up")
    # Booked for yesterday at 13:00, so it has started whatever the time of day the test runs (an outcome is
    # refused for a catch-up that has not started yet: at 00:25 a catch-up at 13:00 today had not).
    day = timezone.localdate() - dt.timedelta(days=1)
    page.fill("#id_date_0", str(day.day))
    page.fill("#id_date_1", str(day.month))
    page.fill("#id_date_2", str(day.year))
    page.fill("#id_start", "13:00")
    page.select_option("#id_venue", label="Crewe Probation Office, group room 1")
    page.get_by_label("Attended", exact=True).check()
    page.fill("#id_notes", "Covered the session's material one to one")
    look(page, "attendance-catch-up-form")
    page.get_by_role("button", name="Save catch-up").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Catch-up of session 1")
    expect(page.locator("main")).to_contain_text("1 missed, 1 caught up")
    expect(page.locator("main")).to_contain_text(
        "He may miss 3 more sessions before he must start the programme again"
    )
    look(page, "attendance-progress-caught-up")
    assert CatchUp.objects.get(membership=absent).outcome == "attended"


def _no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_restart_is_tagged_on_the_waiting_list_and_filtered_at_phone_width(
    page: Page, area, tm, facilitator, om, running_group
):
    """h8: the fifth missed session restarts a member; the TM's waiting list tags him "Restart" with why, its
    filter (a visible checkbox and button) keeps only the restarts, and at 375 px neither the waiting list nor the
    OM's caseload scrolls sideways."""
    group, (member,) = running_group(1, weeks=7)
    sessions = {n: group.sessions.get(number=n) for n in range(1, 7)}
    services.record_attendance(actor=facilitator, membership=member, session=sessions[1], outcome="attended")
    for n in range(2, 6):
        services.record_attendance(
            actor=facilitator, membership=member, session=sessions[n], outcome="acceptable_absence"
        )
        services.book_catch_up(
            actor=facilitator,
            membership=member,
            missed_session=sessions[n],
            date=sessions[n].date,
            facilitator=facilitator,
            outcome="attended",
        )
    services.record_attendance(
        actor=facilitator, membership=member, session=sessions[6], outcome="acceptable_absence"
    )
    first_time = waiting_referral(area, om)
    sign_in_through_pages(page, tm)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/waiting-list/?programme=isotp&format=group")
    row = page.locator(".app-waiting-table tbody tr", has_text=member.referral.person.crn)
    expect(row.get_by_text("Restart", exact=True)).to_be_visible()
    expect(row).to_contain_text(f"Session 6 on {sessions[6].date:%A %-d %B %Y} could not be caught up")
    expect(page.locator(".app-waiting-table tbody tr")).to_have_count(2)
    assert _no_sideways_scroll(page)
    look(page, "attendance-waiting-list-restart-375")
    page.get_by_label("Show only restarts").check()
    page.get_by_role("button", name="Apply filter").click()
    expect(page.locator(".app-waiting-table tbody tr")).to_have_count(1)
    expect(page.locator(".app-waiting-table")).not_to_contain_text(first_time.person.crn)
    look(page, "attendance-waiting-list-restarts-only-375")
    page.context.clear_cookies()
    sign_in_through_pages(page, om)
    page.goto("/people/")
    expect(page.get_by_role("link", name=member.referral.person.last_name, exact=False)).to_be_visible()
    assert _no_sideways_scroll(page)
    look(page, "attendance-om-caseload-375")
