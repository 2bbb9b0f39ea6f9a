"""The pages the issue 14 review changed, in a real browser at 1280 and 375 px: axe-core on each, no sideways
scroll, screenshots kept for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from quality.models import SessionRecording
from tests.e2e.conftest import look, sign_in_through_pages
from tests.e2e.test_quality_journey import a_year, narrow  # noqa: F401 (a fixture)
from tests.reports.factories import quick_membership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_reviewed_treatment_manager_pages(page: Page, area, personas, a_year):  # noqa: F811
    tm = personas["treatment_manager"]
    for session in quick_membership(area, personas, finished=True).group.sessions.order_by("number")[:4]:
        SessionRecording.objects.create(area=area, session=session, recorded_by=tm)
    sign_in_through_pages(page, tm)
    expect(page.get_by_role("link", name="i-SOTP group: 0 waiting")).to_be_visible()
    look(page, "review14-home-tm")
    narrow(page, "review14-home-tm")
    page.get_by_role("link", name="i-SOTP group: 0 waiting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting list")
    page.goto("/waiting-list/?programme=isotp&format=group&urgency=soon")
    look(page, "review14-waiting-soon")
    narrow(page, "review14-waiting-soon")
    page.goto("/statistics/?programme=nonsense&start=2026-02-31&end=2025-01-01")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a programme from the list")
    look(page, "review14-statistics-errors")
    narrow(page, "review14-statistics-errors")
    page.goto("/statistics/")
    delivery = page.locator(
        "section", has=page.get_by_role("heading", name="Attendance, catch-ups and time to start")
    )
    expect(delivery.locator("svg.app-chart")).to_be_visible()
    reports = page.locator("section", has=page.get_by_role("heading", name="Reports issued on time"))
    expect(reports.locator("svg.app-chart")).to_be_visible()
    page.get_by_role("button", name="Produce the audit pack").click()
    expect(page.get_by_role("heading", name="Audit packs produced")).to_be_visible()
    look(page, "review14-statistics")
    narrow(page, "review14-statistics")
    page.goto("/quality/recordings/")
    look(page, "review14-recordings")
    narrow(page, "review14-recordings")
    page.goto("/quality/settings/")
    page.get_by_label("Share of each facilitator's sessions to monitor (%)").fill("150")
    page.get_by_role("button", name="Save the targets").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("100% or less")
    look(page, "review14-settings-errors")
    narrow(page, "review14-settings-errors")
    page.goto("/reports/?status=issued")
    expect(page.get_by_text("Ready for a report")).to_have_count(0)
    look(page, "review14-reports-filtered")


def test_the_reviewed_offender_manager_home(page: Page, personas, a_year):  # noqa: F811
    sign_in_through_pages(page, personas["offender_manager"])
    expect(page.get_by_text("My caseload's programme status")).to_be_visible()
    look(page, "review14-home-om")
    narrow(page, "review14-home-om")
    page.get_by_role("link", name="Read and download new reports").click()
    look(page, "review14-reports-new")
    narrow(page, "review14-reports-new")
