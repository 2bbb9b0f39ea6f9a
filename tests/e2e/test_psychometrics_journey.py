"""Psychometrics in a real browser: a facilitator opens the member from the group's needs profile, enters the
pre-programme scores (first with a mistake, shown in the error summary), reads the deviance and treatment needs;
after the sessions are complete enters the post-programme scores and reads the change per scale and the chart; the
offender manager reads the same results, and the page fits a 375 px screen. Every page is checked with axe-core and
kept as a screenshot (artifacts/screenshots/psychometrics-*.png)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.assessments.factories import (
    AFTER_END,
    BEFORE_START,
    battery_of,
    complete_sessions,
    demo_battery,
    member,
    problem_score,
    sheet,
)
from tests.e2e.conftest import look, screenshot, sign_in_through_pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _fill(page: Page, scores: dict) -> None:
    for code, entry in scores.items():
        value = entry["score"] if "score" in entry else ",".join(str(i) for i in entry["items"])
        page.fill(f"#id_scale_{code}", str(value))


def _date(page: Page, day: int, month: int, year: int) -> None:
    page.fill("#id_administered_on_0", str(day))
    page.fill("#id_administered_on_1", str(month))
    page.fill("#id_administered_on_2", str(year))


def _fits_375(page: Page, name: str) -> None:
    """No page scrolls sideways at 375 px (the review found the results heading scrolling with its table)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    screenshot(page, f"psychometrics-{name}-375")
    document_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.evaluate("window.innerWidth")
    assert document_width <= viewport_width, f"{name} scrolls sideways at 375 px ({document_width} px wide)"
    if size:
        page.set_viewport_size(size)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def test_facilitator_enters_pre_and_post_scores_and_reads_the_change_and_the_chart(
    page: Page, area, tm, facilitator, om, time_machine
):
    time_machine.move_to(BEFORE_START, tick=True)
    version = demo_battery(area)
    battery = battery_of(version)
    membership = member(area, facilitator=facilitator, om=om, tm=tm)
    person = membership.referral.person

    # --- pre-programme, from the group's needs profile -------------------------------------------------------
    sign_in_through_pages(page, facilitator)
    page.goto(f"/groups/{membership.group.public_id}/")
    expect(page.get_by_role("heading", name="Treatment needs")).to_be_visible()
    look(page, "psychometrics-group-needs-before")
    # (GOV.UK's visually hidden text is padded with a space either side in the accessible name)
    page.get_by_role(
        "link", name=re.compile(re.escape(person.full_name) + r"\W+psychometric results")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Psychometric results")
    look(page, "psychometrics-results-empty")
    page.get_by_role("button", name="Enter pre-programme scores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter pre-programme scores")
    expect(page.get_by_label("Administered by")).to_have_value(str(facilitator.public_id))
    look(page, "psychometrics-pre-form")
    _fits_375(page, "pre-form")

    pre = sheet(battery, CDS={"score": 50}, DENIAL=problem_score(battery, "DENIAL"))
    _date(page, 10, 12, 2026)
    _fill(page, {**pre, "CDS": {"score": 80}, "SE": {"score": "lots"}})
    page.get_by_role("button", name="Save scores").click()
    summary = page.locator(".govuk-error-summary")
    # every error in one round, each linked to its field
    expect(summary).to_contain_text(
        "Enter a score for Cognitive distortions (children and sex) from 15 to 75"
    )
    expect(summary).to_contain_text("Enter the score for Self-esteem as a number")
    look(page, "psychometrics-pre-form-error")
    summary.get_by_role("link", name=re.compile("Self-esteem")).click()
    expect(page.locator("#id_scale_SE")).to_be_focused()
    page.fill("#id_scale_SE", str(pre["SE"]["score"]))
    page.fill("#id_scale_CDS", "50")
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Pre-programme scores recorded")
    expect(page.locator("#deviance")).to_be_visible()
    expect(page.get_by_text("1. Motivation and denial")).to_be_visible()
    expect(page.get_by_text("illustrative — replace with your area's values").first).to_be_visible()
    look(page, "psychometrics-results-pre")
    expect(page.get_by_role("button", name="Enter post-programme scores")).to_have_count(
        0
    )  # sessions not over
    page.goto(f"/groups/{membership.group.public_id}/")
    expect(page.get_by_text("1 of 1 assessed")).to_be_visible()
    look(page, "psychometrics-group-needs-after")
    _sign_out(page)

    # --- after the sessions: post-programme, the change and the chart --------------------------------------------
    time_machine.move_to(AFTER_END, tick=True)
    complete_sessions(membership)
    sign_in_through_pages(page, facilitator)
    page.goto(f"/psychometrics/members/{membership.public_id}/")
    page.get_by_role("button", name="Enter post-programme scores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter post-programme scores")
    _date(page, 20, 11, 2027)
    _fill(page, sheet(battery, CDS={"score": 22}))
    page.get_by_role("button", name="Save scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Post-programme scores recorded")
    row = page.locator("#scale-CDS")
    expect(row).to_contain_text("Recovered")
    expect(row).to_contain_text("c = 27.38")
    expect(page.locator("#scale-DENIAL")).to_contain_text("Recovered")
    chart = page.locator("svg.app-psychometric-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_have_text(
        "Psychometric results: pre, post and the normal range per scale"
    )
    expect(page.get_by_text("Treated profile")).to_be_visible()
    look(page, "psychometrics-results-change")
    _fits_375(page, "results-change")
    page.goto("/psychometrics/batteries/")
    page.get_by_role("link", name=version.battery.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(version.battery.name)
    look(page, "psychometrics-battery")
    _fits_375(page, "battery")
    _sign_out(page)

    # --- the offender manager reads the same results, on a phone too -----------------------------------------------
    sign_in_through_pages(page, om)
    page.goto(f"/psychometrics/members/{membership.public_id}/")
    expect(page.locator("#scale-CDS")).to_contain_text("Recovered")
    look(page, "psychometrics-results-om")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    screenshot(page, "psychometrics-results-375")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the page scrolls sideways at 375 px ({scroll_width} px wide)"
