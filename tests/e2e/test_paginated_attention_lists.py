"""Issue 11 built two "needs attention" lists a page at a time (recordings to monitor, groups starting soon):
the home card counts them in SQL and the list page builds only the rows of the page shown. In a real browser, as
a treatment manager: the card's count leads to the list, the list shows its rows and the total, the pagination
moves to page 2 and back, and both pages fit a 375 px screen (axe-core on each, screenshots kept)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from isotp import clock
from quality.models import SessionRecording
from tests.e2e.conftest import fits_a_phone, look, sign_in_through_pages
from tests.reports.factories import quick_membership
from tests.sessions.factories import make_group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_recordings_to_monitor_from_the_home_card_through_two_pages(page: Page, area, personas, tm):
    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number"))
    assert len(sessions) >= 27
    for session in sessions[:27]:
        SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    sign_in_through_pages(page, tm)
    page.goto("/")
    page.locator("main a[href*='/needs-attention/recordings-to-monitor/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recordings")
    expect(page.locator("caption")).to_contain_text("27 in all")
    expect(page.locator("tr.app-attention-row")).to_have_count(25)
    look(page, "attention-recordings-page-1-1280")
    fits_a_phone(page, "attention-recordings-page-1")

    page.locator(".govuk-pagination__next a").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(page.locator("tr.app-attention-row")).to_have_count(2)
    expect(page.locator("caption")).to_contain_text("27 in all")
    look(page, "attention-recordings-page-2-1280")
    fits_a_phone(page, "attention-recordings-page-2")

    page.locator(".govuk-pagination__prev a").click()
    expect(page.locator("tr.app-attention-row")).to_have_count(25)


def test_groups_starting_soon_lists_each_group_with_its_places(page: Page, area, tm):
    today = clock.today()
    monday = today + dt.timedelta(days=7 - today.weekday())  # the groups meet on Mondays
    make_group(area, actor=tm, start_date=monday)
    make_group(area, actor=tm, start_date=monday + dt.timedelta(weeks=2), capacity=8)
    make_group(area, actor=tm, start_date=monday + dt.timedelta(weeks=9))  # not in the next four weeks
    sign_in_through_pages(page, tm)
    page.goto("/")
    page.locator("main a[href*='/needs-attention/groups-starting-soon/']").first.click()
    expect(page.locator("caption")).to_contain_text("2 in all")
    rows = page.locator("tr.app-attention-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("0 of 10")
    expect(rows.nth(1)).to_contain_text("0 of 8")
    expect(page.locator(".govuk-pagination")).to_have_count(0)  # one page: no pagination
    look(page, "attention-groups-starting-soon-1280")
    fits_a_phone(page, "attention-groups-starting-soon")


def test_the_recordings_page_shows_the_recorded_sessions_a_page_at_a_time(page: Page, area, personas, tm):
    """Issue 11: the recordings page showed the newest 50 recordings and no way to the rest; now 25 a page."""
    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number"))
    for session in sessions[:27]:
        SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    sign_in_through_pages(page, tm)
    page.goto("/quality/recordings/")
    recorded = page.locator("table", has_text="Recorded sessions, newest first").locator("tbody tr")
    expect(recorded).to_have_count(25)
    expect(page.locator(".govuk-pagination__item--current")).to_contain_text("1 of 2")
    look(page, "recordings-page-1-1280")
    fits_a_phone(page, "recordings-page-1")

    page.locator(".govuk-pagination__next a").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(recorded).to_have_count(2)
    look(page, "recordings-page-2-1280")
    fits_a_phone(page, "recordings-page-2")
