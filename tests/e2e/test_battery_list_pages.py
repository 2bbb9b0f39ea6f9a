"""The psychometric battery list in a real browser, a page at a time: with 27 batteries a treatment manager sees 25
on page 1, follows Next to page 2 (the other 2) and Previous back; each page passes axe-core and fits a 375 px
screen (screenshots kept: artifacts/screenshots/battery-list-page-*.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.assessments.factories import several_batteries
from tests.e2e.conftest import fits_a_phone, look, sign_in_through_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_battery_list_shows_25_batteries_a_page(page: Page, area, tm):
    newest = several_batteries(area, 27, versions=1)
    sign_in_through_pages(page, tm)
    page.goto("/psychometrics/batteries/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Psychometric batteries")
    rows = page.locator("table.govuk-table tbody tr")
    expect(rows).to_have_count(25)
    expect(page.get_by_role("link", name=newest[0].battery.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=newest[25].battery.name, exact=True)).to_have_count(0)
    expect(page.locator(".govuk-pagination__item--current")).to_contain_text("1 of 2")
    look(page, "battery-list-page-1-1280")
    fits_a_phone(page, "battery-list-page-1")

    page.locator(".govuk-pagination__next a").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2"))
    expect(rows).to_have_count(2)
    expect(page.get_by_role("link", name=newest[25].battery.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=newest[26].battery.name, exact=True)).to_be_visible()
    expect(page.locator(".govuk-pagination__item--current")).to_contain_text("2 of 2")
    expect(page.locator(".govuk-pagination__next")).to_have_count(0)
    look(page, "battery-list-page-2-1280")
    fits_a_phone(page, "battery-list-page-2")

    page.locator(".govuk-pagination__prev a").click()
    expect(rows).to_have_count(25)
