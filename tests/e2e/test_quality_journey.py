"""Issue 14 in a real browser: each role's home page, the statistics page (charts beside their tables), the QA
pages; axe-core on every page, screenshots for a person to look at, and no sideways scroll at 375 px."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from isotp import clock
from quality.models import SessionRecording
from sessions.models import ScheduledSession
from tests.assessments.factories import demo_battery
from tests.e2e.conftest import look, sign_in_through_pages
from tests.quality.factories import attend, issued_report, place, psychometrics
from tests.reports.factories import quick_membership, quick_report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def narrow(page: Page, name: str) -> None:
    """The same page at 375 px: nothing scrolls sideways; screenshot kept."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways at 375 px ({width} px)"
    look(page, f"{name}-375")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def a_year(area, personas):
    """Twelve completers, two deselected and one restart in the last year, and a recorded session."""
    tm, om = personas["treatment_manager"], personas["offender_manager"]
    group = quick_membership(area, personas, finished=True).group
    today = clock.today()
    last = group.sessions.order_by("-number").first()
    version = demo_battery(area)
    for i in range(12):
        m = place(
            group,
            om=om,
            tm=tm,
            submitted=today - dt.timedelta(days=300 + i),
            joined=today - dt.timedelta(days=250),
            left=today - dt.timedelta(days=30),
            status="completed",
        )
        attend(m, {35: "attended", 34: "attended" if i % 3 else "unacceptable_absence"}, tm=tm)
        issued_report(
            m,
            tm=tm,
            issued=today - dt.timedelta(days=20 if i % 4 else 90),
            completion=today - dt.timedelta(days=20),
        )
        psychometrics(m, version, tm=tm, kinds=("pre", "post"), improve=i % 2 == 0)
    for reason in ("deselected", "deselected", "restart_required"):
        place(
            group,
            om=om,
            tm=tm,
            submitted=today - dt.timedelta(days=280),
            joined=today - dt.timedelta(days=250),
            left=today - dt.timedelta(days=100),
            status="removed",
            next_status=reason,
        )
    ScheduledSession.objects.filter(pk=last.pk).update(date=today - dt.timedelta(days=3))
    SessionRecording.objects.create(area=area, session=last, recorded_by=personas["facilitator"])
    quick_report(area, personas, status="awaiting_approval")


def test_the_treatment_managers_home_statistics_and_qa_pages(page: Page, personas, a_year):
    sign_in_through_pages(page, personas["treatment_manager"])
    expect(page.get_by_text("Reports awaiting approval")).to_be_visible()
    expect(page.get_by_text("Recordings not yet monitored")).to_be_visible()
    look(page, "quality-home-treatment-manager")
    narrow(page, "quality-home-treatment-manager")
    for link, heading in (
        ("View this week's sessions", "Sessions this week"),
        ("See who has catch-ups to do", "Outstanding catch-ups"),
    ):
        page.get_by_role("link", name=link).click()  # an attention list: exactly the rows the card counted
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        look(page, f"quality-attention-{heading.lower().replace(' ', '-')}")
        narrow(page, f"quality-attention-{heading.lower().replace(' ', '-')}")
        page.go_back()
    page.get_by_role("link", name="Statistics").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme statistics and outcomes")
    expect(page.locator("svg.app-chart").first).to_be_visible()
    flow = page.locator("section", has=page.get_by_role("heading", name="Referrals, starts and completions"))
    expect(flow.get_by_role("row", name="Completions (PC 09/2007) 12")).to_be_visible()
    look(page, "quality-statistics")
    narrow(page, "quality-statistics")
    page.get_by_role("link", name="Quality").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality assurance")
    look(page, "quality-recordings-tm")
    page.get_by_role("link", name="Complete a monitoring form").first.click()
    page.get_by_role("button", name="Save the monitoring form").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose the facilitator you rated")
    look(page, "quality-monitoring-form-errors")
    narrow(page, "quality-monitoring-form-errors")


@pytest.mark.parametrize("role", ["facilitator", "offender_manager", "area_admin"])
def test_the_other_home_pages(page: Page, personas, role, a_year):
    sign_in_through_pages(page, personas[role])
    expected = {
        "facilitator": "Sessions to mark as recorded",
        "offender_manager": "Reports issued",
        "area_admin": "Staff without a second factor",
    }[role]
    expect(page.get_by_text(expected, exact=True)).to_be_visible()
    look(page, f"quality-home-{role}")
    narrow(page, f"quality-home-{role}")
    link, heading = {
        "facilitator": ("Enter the scores", "Psychometrics to enter"),
        "offender_manager": ("See the absences", "Absences in the last 4 weeks"),
        "area_admin": ("See what failed", "Failed background tasks"),
    }[role]
    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    look(page, f"quality-attention-{role}")
    narrow(page, f"quality-attention-{role}")
    page.goto("/")
    if role == "facilitator":
        page.get_by_role("link", name="Quality").first.click()
        look(page, "quality-recordings-facilitator")
        page.get_by_role("link", name="Your training, supervision and monitoring record").click()
        look(page, "quality-facilitator-record")
    if role == "area_admin":
        page.get_by_role("link", name="Statistics").first.click()
        look(page, "quality-statistics-admin")
