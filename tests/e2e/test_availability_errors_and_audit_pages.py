"""Issue 13 pages in a real browser, at 1280 and 375 px: the venue and facilitator questions with each choice free
or busy, a business rule's refusal linked to its field, the TM's home page naming the groups with a consequence,
the audit trail in words searched by name, and the assessment's reasons with their codes small. Each page is
axe-checked, may not scroll sideways, and is kept as a screenshot (artifacts/screenshots/issue13-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.services import add_closure
from audit.services import record_event
from tests.e2e.conftest import look, sign_in_through_pages
from tests.factories import VenueFactory
from tests.referrals.factories import SentenceFactory, referral_for
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _both_widths(page: Page, name: str) -> None:
    """Look at the page at 1280 px and at 375 px: axe-clean and no sideways scroll at either."""
    for width, height in ((1280, 900), (375, 800)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
        look(page, f"issue13-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def _continue(page: Page) -> None:
    page.get_by_role("button", name="Continue").click()


def _monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def test_tm_pages_of_issue_13(page: Page, area, tm, facilitator, area_admin, om):
    today = timezone.localdate()
    start = _monday_after(today + dt.timedelta(days=14))
    busy_room = VenueFactory(area=area, name="Crewe group room 1")
    VenueFactory(area=area, name="Crewe group room 2")
    trained_facilitator(area, full_name="Priya Shah")
    existing = make_group(
        area,
        actor=tm,
        venue=busy_room,
        start_date=start,
        facilitators=[facilitator, trained_facilitator(area)],
    )
    add_closure(actor=area_admin, date=existing.sessions.get(number=4).date, reason="Office move")
    referral = waiting_referral(area, om)
    last = existing.sessions.order_by("-date").first().date
    SentenceFactory(
        person=referral.person,
        start_date=today - dt.timedelta(days=30),
        supervision_end_date=last - dt.timedelta(days=14),
    )
    from sessions import services

    services.allocate(actor=tm, group=existing, referral=referral)
    record_event(
        actor=facilitator,
        action="attendance.recorded",
        obj=existing.memberships.get(),
        object_label=existing.reference,
        area_id=area.pk,
        changes={"outcome": {"from": "unacceptable_absence", "to": "attended"}, "homework_done": True},
    )

    sign_in_through_pages(page, tm)
    # --- the home page names the groups with a consequence ---------------------------------------------------
    expect(page.get_by_role("link", name=existing.reference).first).to_be_visible()
    _both_widths(page, "tm-home")

    # --- the question pages: the days and start date first, then who and what is free -------------------------
    page.goto("/groups/new/")
    page.get_by_label("i-SOTP (group)").check()
    _continue(page)
    page.locator("#id_first_weekday").select_option("monday")
    page.locator("#id_first_start").fill("6pm")
    _continue(page)
    page.fill("#id_start_date_0", str(start.day))
    page.fill("#id_start_date_1", str(start.month))
    page.fill("#id_start_date_2", str(start.year))
    _continue(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Where will the sessions take place?")
    expect(page.locator(".govuk-radios__item", has_text="Crewe group room 1")).to_contain_text("Busy for")
    expect(page.locator(".govuk-radios__item", has_text="Crewe group room 2")).to_contain_text("Free for all")
    _both_widths(page, "venue-availability")
    page.get_by_label("Crewe group room 2").check()
    _continue(page)
    _continue(page)  # the signed-in TM
    expect(page.locator(".govuk-checkboxes__item", has_text=facilitator.full_name)).to_contain_text(
        "Busy for"
    )
    expect(page.locator(".govuk-checkboxes__item", has_text="Priya Shah")).to_contain_text("Free for all")
    _both_widths(page, "facilitator-availability")

    # --- a rule's refusal links to its field and marks it --------------------------------------------------------
    quiet = make_group(
        area, actor=tm, start_date=start, slots=[{"weekday": "tuesday", "start_time": "10:00"}]
    )
    page.goto(f"/groups/{quiet.public_id}/sessions/2/reschedule/")
    christmas = dt.date(today.year + 1, 12, 25)
    page.fill("#id_new_date_0", "25")
    page.fill("#id_new_date_1", "12")
    page.fill("#id_new_date_2", str(christmas.year))
    page.get_by_label("No, move only this session").check()
    page.get_by_role("button", name="Reschedule session").click()
    link = page.locator(".govuk-error-summary a", has_text="is not a working day")
    expect(link).to_have_attribute("href", "#id_new_date_0")
    expect(page.locator(".govuk-form-group--error")).to_contain_text("is not a working day")
    _both_widths(page, "reschedule-bank-holiday")

    # --- the audit trail in words, found by the person's name -------------------------------------------------
    page.goto("/audit/")
    page.get_by_label("Name or CRN").fill(referral.person.full_name)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("table").first).to_contain_text(
        "Attendance recorded: Unacceptable absence → Attended"
    )
    _both_widths(page, "audit-search")


def test_the_assessment_shows_reasons_first_and_codes_small(page: Page, area, tm, om):
    referral = referral_for(area, om, status="submitted")
    sign_in_through_pages(page, tm)
    page.goto(f"/referrals/{referral.public_id}/assessment/")
    expect(page.locator(".app-support-code").first).to_be_visible()
    _both_widths(page, "assess-reasons")


def test_a_catalogue_constraint_and_a_plans_total_link_to_their_fields(page: Page, area, tm, area_admin, om):
    sign_in_through_pages(page, area_admin)
    page.goto("/programmes/isotp_group/new-version/")
    page.get_by_label("Minimum group size").fill("12")
    page.get_by_label("Why are you making this change?").fill("Testing the sizes")
    page.get_by_role("button", name="Create new version").click()
    link = page.locator(".govuk-error-summary a", has_text="The minimum group size (12) must not be above")
    expect(link).to_have_attribute("href", "#id_group_min")
    expect(page.locator("body")).not_to_contain_text("<=")
    _both_widths(page, "catalogue-constraint")
    page.get_by_role("button", name="Sign out").click()

    referral = waiting_referral(area, om, format="one_to_one")
    sign_in_through_pages(page, tm)
    page.goto("/one-to-one-plans/new/")
    page.get_by_label(referral.person.full_name, exact=False).check()
    _continue(page)
    page.get_by_label("Module 4", exact=False).fill("40")
    _continue(page)
    link = page.locator(".govuk-error-summary a", has_text="a one-to-one plan must have 20 to 30 sessions")
    expect(link).to_have_attribute("href", "#id_module_1")
    _both_widths(page, "plan-total")
