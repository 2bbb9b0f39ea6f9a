"""Printed schedules and registers (issue 13): with print media, a group's schedule and a session's register show
only their content (the heading, the group, venue and facilitators, the table) and no control: no link, button or
form field is visible anywhere on the page, and the page fits the printable width of A4 portrait (180 mm, 680 CSS
px, the @page margins of the print stylesheet). The PDF Chromium prints is kept (artifacts/screenshots/print-*.pdf)
for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e import conftest
from tests.e2e.conftest import sign_in_through_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

A4_PRINTABLE_WIDTH = 680  # 210 mm less two 15 mm margins, at 96 CSS px to the inch
CONTROLS = "a[href], button, input, select, textarea, summary"


def visible_controls(page: Page) -> list[str]:
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel)]
            .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
            .map(e => `${e.tagName.toLowerCase()}: ${(e.innerText || e.value || e.name || '').trim().slice(0, 60)}`)""",
        CONTROLS,
    )


def print_it(page: Page, name: str) -> None:
    """Print media at A4's printable width: nothing to click, nothing wider than the paper; the PDF kept."""
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 960})
    page.emulate_media(media="print")
    controls = visible_controls(page)
    assert not controls, f"{page.url} prints controls: {controls}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_PRINTABLE_WIDTH, (
        f"{page.url} prints {width} px wide, wider than A4 ({A4_PRINTABLE_WIDTH})"
    )
    expect(page.locator(".app-protective-marking").first).to_be_visible()
    conftest.SHOTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(conftest.SHOTS / f"print-{name}.pdf"), format="A4", print_background=True)


def test_a_printed_schedule_is_the_schedule_alone(page: Page, tm, running_group):
    group, members = running_group(2)
    sign_in_through_pages(
        page, tm
    )  # the TM's page has every control: actions, allocate, remove, register links
    page.goto(f"/groups/{group.public_id}/")
    expect(page.get_by_role("link", name=f"Remove {members[0].referral.person.full_name}")).to_be_visible()
    expect(page.get_by_role("button", name="Print the schedule")).to_be_visible()
    assert visible_controls(page)  # on screen there is plenty to click

    print_it(page, "group-schedule")
    expect(page.get_by_role("heading", level=1)).to_have_text("Monday evening group")
    summary = page.locator("main .govuk-summary-list")
    expect(summary).to_contain_text("Crewe Probation Office, group room 1")
    for facilitator in group.facilitators.all():
        expect(summary).to_contain_text(facilitator.full_name)
    schedule = page.locator(".app-schedule-table")
    expect(schedule).to_be_visible()
    expect(schedule.locator("tbody tr")).to_have_count(group.sessions.count())
    expect(page.get_by_text(members[0].referral.person.crn)).to_be_hidden()  # the members stay on screen


def test_a_printed_register_is_the_register_alone(page: Page, facilitator, running_group):
    group, members = running_group(2)
    first = group.sessions.get(number=1)
    sign_in_through_pages(page, facilitator)
    page.goto(f"/sessions/{first.public_id}/register/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: session 1")
    page.check(f"#m-{members[0].public_id}-outcome-attended")
    page.check(f"#m-{members[0].public_id}-homework")
    page.check(f"#m-{members[1].public_id}-outcome-acceptable_absence")
    page.get_by_role("button", name="Save register").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Register saved")
    page.goto(f"/sessions/{first.public_id}/register/")  # saving returns to the group: back to print it
    expect(page.get_by_role("button", name="Print the register")).to_be_visible()
    expect(page.locator(".app-register-print")).to_be_hidden()  # on screen, the form

    print_it(page, "register")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register: session 1")
    expect(page.locator("main")).to_contain_text("Crewe Probation Office, group room 1")
    for facilitator_ in group.facilitators.all():
        expect(page.locator("main")).to_contain_text(facilitator_.full_name)
    table = page.locator(".app-register-print")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(2)  # one row per member
    attended = table.locator("tr", has_text=members[0].referral.person.crn)
    expect(attended).to_contain_text("Attended")
    expect(attended).to_contain_text("Yes")
    expect(table.locator("tr", has_text=members[1].referral.person.crn)).to_contain_text("Acceptable absence")
