"""Issue 13: every role does its main job in the browser, end to end, through the pages only (no API), and every
page on the way is checked at 1280 px and at 375 px: axe-clean (WCAG 2.2 AA) at both widths, a screenshot of
each (artifacts/screenshots/role-*.png) and never wider than the viewport.

The four journeys are the ones each role's own browser test walks (the OM refers and the TM assesses; the TM
creates a group and allocates; the facilitator takes a register and books a catch-up; the administrator invites,
changes roles, manages venues and closures), run again here with every `look` made to check both widths. The
treatment manager's new waiting-list work (search, sort, allocate several people at once, the CSV exports of the
list and of the group's schedule, the schedule printed) is walked here too."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from referrals.models import Person
from sessions.models import Membership
from tests.e2e import conftest
from tests.e2e import test_admin_journey as admin_journey
from tests.e2e import test_attendance_journey as attendance_journey
from tests.e2e import test_delivery_journey as delivery_journey
from tests.e2e import test_referrals_journey as referrals_journey
from tests.e2e.conftest import sign_in_through_pages
from tests.sessions.factories import make_group, waiting_referral

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = ((1280, 900), (375, 800))


def _csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.reader(io.StringIO(handle.read())))


def at_both_widths(page: Page, name: str) -> None:
    """The page at 1280 px and at 375 px: axe-clean, screenshot kept, neither it nor any element in <main>
    wider than the viewport."""
    before = page.viewport_size or {"width": 1280, "height": 900}
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        conftest.look(page, f"role-{name}-{width}")
        conftest.assert_fits_the_viewport(page, name)
    page.set_viewport_size(before)


@pytest.fixture
def every_page_at_both_widths(monkeypatch) -> Iterator[None]:
    for module in (admin_journey, attendance_journey, delivery_journey, referrals_journey):
        monkeypatch.setattr(module, "look", at_both_widths)
    yield


def test_offender_manager_refers_and_the_treatment_manager_assesses(
    page: Page, om, tm, every_page_at_both_widths
):
    referrals_journey.test_om_refers_tm_assesses_and_the_referral_joins_the_waiting_list(page, om, tm)


def test_treatment_manager_creates_a_group_and_allocates(
    page: Page, area, tm, facilitator, om, every_page_at_both_widths
):
    delivery_journey.test_tm_creates_a_group_previews_the_schedule_and_allocates_two_people(
        page, area, tm, facilitator, om
    )


def test_facilitator_takes_a_register(page: Page, facilitator, running_group, every_page_at_both_widths):
    attendance_journey.test_facilitator_takes_a_register_and_books_a_catch_up(
        page, facilitator, running_group
    )


def test_administrator_manages_staff_venues_and_closures(
    page: Page, browser, live_server, area_admin, facilitator, tm, every_page_at_both_widths
):
    admin_journey.test_the_administrator_journeys(page, browser, live_server, area_admin, facilitator, tm)


def test_treatment_manager_searches_sorts_exports_and_allocates_from_the_waiting_list(
    page: Page, area, tm, om
):
    group = make_group(area, actor=tm, capacity=8, name="Tuesday group")
    people = [waiting_referral(area, om) for _ in range(3)]
    Person.objects.filter(pk=people[2].person_id).update(crn="S123456", last_name="Aardvark")
    sign_in_through_pages(page, tm)
    page.get_by_role("link", name="Waiting list").first.click()
    at_both_widths(page, "tm-waiting-list")

    # Search by CRN: only that person.
    page.get_by_label("Name or CRN").fill("s123456")
    page.get_by_role("button", name="Apply filter").click()
    expect(page.locator("table.app-waiting-table tbody tr")).to_have_count(1)
    expect(page.locator("table.app-waiting-table")).to_contain_text("S123456")
    at_both_widths(page, "tm-waiting-list-search")
    page.get_by_role("link", name="Clear search and filters").click()

    # Sort by person: the header says so (aria-sort) and Aardvark comes first.
    page.get_by_role("link", name="Person", exact=True).click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Person")
    expect(page.locator("table.app-waiting-table tbody tr").first).to_contain_text("S123456")
    at_both_widths(page, "tm-waiting-list-sorted")

    # The CSV export: the same rows, with a heading row.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this list as a spreadsheet (CSV)").click()
    rows = _csv(download.value.path())
    assert rows[0][:3] == ["Place", "Name", "CRN"] and len(rows) == 4 and rows[1][2] == "S123456"

    # Allocate two people at once, with the places left shown before and after.
    expect(page.get_by_label("Group", exact=True)).to_contain_text("8 places left of 8")
    page.get_by_label("Group", exact=True).select_option(str(group.public_id))
    for referral in people[:2]:
        page.locator(f"#ref-{referral.public_id}").check()
    at_both_widths(page, "tm-waiting-list-ticked")
    page.get_by_role("button", name="Allocate the people ticked").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "2 allocated to Tuesday group"
    )
    expect(page.get_by_label("Group", exact=True)).to_contain_text("6 places left of 8")
    at_both_widths(page, "tm-waiting-list-allocated")
    assert Membership.objects.filter(group=group, status="active").count() == 2

    # Nothing left to do for the group but look at it: its schedule downloads and prints.
    page.goto(f"/groups/{group.public_id}/")
    at_both_widths(page, "tm-group-page")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the schedule as a spreadsheet (CSV)").click()
    schedule = _csv(download.value.path())
    assert schedule[0][0] == "Session" and len(schedule) > 10
    expect(page.get_by_role("button", name="Print the schedule")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.get_by_role("button", name="Print the schedule")).to_be_hidden()
    expect(page.locator(".app-schedule-table")).to_be_visible()
    conftest.screenshot(page, "role-tm-group-page-print")
    page.emulate_media(media="screen")
