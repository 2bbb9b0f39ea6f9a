"""Delivery in a real browser: a TM creates a group through the question pages, previews the generated schedule on
"Check your answers", confirms it, and allocates two people from the waiting list, who then appear on the group's
page; then reschedules a session and opens the removal page. A facilitator sees the sessions in their calendar and
creates their private feed link; an area administrator reads the catalogue and opens the new-version page.
Every page is checked with axe-core and kept as a screenshot (artifacts/screenshots/delivery-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sessions.models import ProgrammeGroup
from tests.e2e.conftest import look, sign_in_through_pages
from tests.factories import ClosureFactory, VenueFactory
from tests.referrals.factories import referral_for
from tests.sessions.factories import make_group, trained_facilitator

# The flush after a transactional test empties the seeded catalogue; tests/conftest.py puts it back (reference_data).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page: Page, name: str, value: dt.date) -> None:
    page.fill(f"#id_{name}_0", str(value.day))
    page.fill(f"#id_{name}_1", str(value.month))
    page.fill(f"#id_{name}_2", str(value.year))


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def _first_monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def test_tm_creates_a_group_previews_the_schedule_and_allocates_two_people(
    page: Page, area, tm, facilitator, om
):
    today = timezone.localdate()
    trained_facilitator(area, full_name="Priya Shah")
    VenueFactory(area=area, name="Crewe Probation Office, group room 1")
    start = _first_monday_after(today + dt.timedelta(days=21))
    ClosureFactory(area=area, date=start + dt.timedelta(weeks=3), reason="Staff training day")
    first_person = referral_for(area, om, status="awaiting_allocation")
    second_person = referral_for(area, om, status="awaiting_allocation")

    sign_in_through_pages(page, tm)
    page.get_by_role("link", name="Groups", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    look(page, "delivery-group-list-empty")
    page.get_by_role("button", name="Create a group").click()

    # --- the question pages ----------------------------------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which programme and format will the group run?"
    )
    look(page, "delivery-create-programme")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the programme and format")
    look(page, "delivery-create-programme-error")
    page.get_by_label("i-SOTP (group)").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("When does the group meet each week?")
    look(page, "delivery-create-slots")
    page.locator("#id_first_weekday").select_option("monday")
    page.locator("#id_first_start").fill("18:00")
    continue_(page)

    look(page, "delivery-create-start-date")
    fill_date(page, "start_date", start)
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Where will the sessions take place?")
    look(page, "delivery-create-venue")
    expect(page.locator(".govuk-radios__hint").first).to_contain_text("Free for all 35 sessions")
    page.get_by_label("Crewe Probation Office, group room 1").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the treatment manager?")
    look(page, "delivery-create-treatment-manager")
    continue_(page)  # the signed-in TM is chosen by default

    expect(page.get_by_role("heading", level=1)).to_have_text("Who will facilitate?")
    expect(page.locator(".govuk-checkboxes__hint").first).to_contain_text("Free for all 35 sessions")
    look(page, "delivery-create-facilitators")
    page.get_by_label(facilitator.full_name).check()
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("needs 2 facilitators at every session")
    look(page, "delivery-create-facilitators-error")
    page.get_by_label("Priya Shah").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Places and age band")
    look(page, "delivery-create-places")
    page.get_by_label("How many places does the group have?").fill("10")
    page.get_by_label("Aged 21 and over").check()
    page.get_by_label("Group name (optional)").fill("Crewe Monday evening")
    continue_(page)

    # --- check your answers with the previewed schedule --------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the group and its schedule")
    table = page.locator("table.app-schedule-table")
    expect(table.locator("caption")).to_contain_text("35 sessions")
    expect(table.locator("tbody tr")).to_have_count(35)
    expect(page.get_by_text("Area closure: Staff training day")).to_be_visible()
    look(page, "delivery-create-check-answers")
    assert ProgrammeGroup.objects.count() == 0
    page.get_by_role("button", name="Create group").click()

    # --- the group page -------------------------------------------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Crewe Monday evening")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("created and its sessions scheduled")
    look(page, "delivery-group-page-new")
    group = ProgrammeGroup.objects.get()
    assert group.sessions.count() == 35

    # --- allocate two people from the waiting list ------------------------------------------------------------
    page.get_by_role("button", name="Allocate from the waiting list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate from the waiting list")
    look(page, "delivery-allocate")
    for referral in (first_person, second_person):
        name = referral.person.full_name
        page.get_by_role("button", name=f"Allocate {name}").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"{name} ({referral.person.crn}) allocated"
        )
    look(page, "delivery-allocate-after-two")
    page.get_by_role("link", name="Back to the group").click()
    members = page.locator("#members + table, #members ~ table").first
    expect(members).to_contain_text(first_person.person.full_name)
    expect(members).to_contain_text(second_person.person.full_name)
    expect(page.get_by_text("2 of 10 taken")).to_be_visible()
    look(page, "delivery-group-page-with-members")
    for referral in (first_person, second_person):
        referral.refresh_from_db()
        assert referral.status == "allocated"

    # --- reschedule one session, then open the removal page ---------------------------------------------------
    page.get_by_role("link", name="Reschedule session 2", exact=True).click()
    look(page, "delivery-reschedule")
    page.get_by_role("button", name="Reschedule session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the new date")
    look(page, "delivery-reschedule-errors")
    s2 = group.sessions.get(number=2)
    fill_date(page, "new_date", s2.date + dt.timedelta(days=1))
    page.get_by_label("No, move only this session").check()
    page.get_by_role("button", name="Reschedule session").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Session 2 moved to")
    page.get_by_role("link", name="Cancel session 4", exact=True).click()
    look(page, "delivery-cancel-session")
    page.get_by_role("link", name="Keep the session").click()
    page.get_by_role("link", name=f"Remove {first_person.person.full_name}").click()
    look(page, "delivery-remove-member")
    page.get_by_role("button", name="Remove from group").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why they are leaving the group")
    look(page, "delivery-remove-member-errors")


def test_facilitator_calendar_and_admin_catalogue(page: Page, area, tm, facilitator, area_admin):
    today = timezone.localdate()
    make_group(
        area,
        actor=tm,
        start_date=today + dt.timedelta(days=3),
        facilitators=[facilitator, trained_facilitator(area)],
        slots=[{"weekday": "tuesday", "start_time": "18:00"}, {"weekday": "thursday", "start_time": "10:00"}],
    )

    sign_in_through_pages(page, facilitator)
    page.get_by_role("link", name="My sessions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    look(page, "delivery-facilitator-calendar")
    page.get_by_role("button", name="Create a private calendar link").click()
    assert "/calendar/" in page.locator("#feed-url").input_value()
    look(page, "delivery-facilitator-calendar-link")
    page.get_by_role("link", name="Groups", exact=True).click()
    look(page, "delivery-facilitator-groups")
    sign_out(page)

    sign_in_through_pages(page, area_admin)
    page.get_by_role("link", name="Programmes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programmes")
    look(page, "delivery-catalogue")
    page.get_by_role("link", name="i-SOTP (one-to-one)").click()
    look(page, "delivery-catalogue-programme")
    page.get_by_role("button", name="Create a new version").click()
    look(page, "delivery-catalogue-new-version")
    page.get_by_label("Maximum group size").fill("2")
    page.get_by_role("button", name="Create new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are making this change")
    look(page, "delivery-catalogue-new-version-errors")


def test_tm_creates_a_one_to_one_plan_with_a_rationale(page: Page, area, tm, facilitator, om):
    VenueFactory(area=area, name="Interview room 2")
    referral = referral_for(area, om, status="awaiting_allocation", format="one_to_one")
    name = referral.person.full_name

    sign_in_through_pages(page, tm)
    page.get_by_role("link", name="One-to-one plans", exact=True).click()
    look(page, "delivery-plan-list-empty")
    page.get_by_role("button", name="Create a one-to-one plan").click()
    look(page, "delivery-plan-person")
    page.get_by_label(name, exact=False).check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("How many sessions for each module?")
    look(page, "delivery-plan-modules")
    page.get_by_label("Module 1: Motivation to Change").fill("7")
    page.get_by_label("Module 3: Victim Awareness and Taking Responsibility").fill("3")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("outside the guidance of 4 to 6 sessions")
    look(page, "delivery-plan-modules-errors")
    page.get_by_label("Rationale for departing from the guidance").fill(
        "Strong denial at assessment: an extra motivational session first."
    )
    continue_(page)

    look(page, "delivery-plan-slots")
    page.locator("#id_first_weekday").select_option("wednesday")
    page.locator("#id_first_start").fill("14:00")
    continue_(page)
    fill_date(page, "start_date", timezone.localdate() + dt.timedelta(days=14))
    continue_(page)
    look(page, "delivery-plan-facilitator")
    expect(page.locator(".govuk-checkboxes__hint").first).to_contain_text("Free for all 30 sessions")
    page.get_by_label(facilitator.full_name).check()
    continue_(page)
    page.get_by_label("Interview room 2").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the plan and its schedule")
    expect(page.locator("table.app-schedule-table tbody tr")).to_have_count(30)
    look(page, "delivery-plan-check-answers")
    page.get_by_role("button", name="Create plan").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("created and its sessions scheduled")
    expect(page.get_by_text("Strong denial at assessment")).to_be_visible()
    look(page, "delivery-plan-page")
    page.get_by_role("link", name="All one-to-one plans").click()
    expect(page.locator("table")).to_contain_text(name)
    look(page, "delivery-plan-list")
