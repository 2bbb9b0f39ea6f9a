"""The person's risk page in a real browser: OGRS3 calculated with its working and recorded (domain.md §4.1), and the
TM's eligibility (assessment) page naming SUPERVISION_ENDS_TOO_SOON with its plain-English reason. Every page is
checked with axe-core and kept as a screenshot (artifacts/screenshots/risk-*.png), at 1280 and at 375 px."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.models import Sentence
from tests.e2e.conftest import look, sign_in_through_pages
from tests.referrals.factories import referral_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page: Page, name: str, value: dt.date) -> None:
    page.fill(f"#id_{name}_0", str(value.day))
    page.fill(f"#id_{name}_1", str(value.month))
    page.fill(f"#id_{name}_2", str(value.year))


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_ogrs3_is_calculated_on_the_risk_page_and_shown_with_its_working(page: Page, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    person = referral.person
    sign_in_through_pages(page, om)
    page.goto(reverse("referrals:person_detail", args=[person.public_id]))
    page.get_by_role("link", name="Calculate OGRS3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("OGRS3 calculator")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the offence group")
    look(page, "risk-ogrs3-errors")
    convicted = person.convictions.get().conviction_date
    fill_date(page, "conviction_date", convicted)
    fill_date(page, "assessment_date", convicted + dt.timedelta(days=20))
    page.get_by_label("Current offence group").select_option("sexual_child")
    page.get_by_label("Age at first sanction").fill("19")
    page.get_by_label("Previous sanctions").fill("2")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".app-working")).to_contain_text("Copas rate")
    look(page, "risk-ogrs3-result")
    page.set_viewport_size({"width": 375, "height": 800})
    look(page, "risk-ogrs3-result-375")
    no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=f"Record this result for {person.full_name}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("OGRS3 result recorded")
    expect(page.locator("body")).to_contain_text("within 2 years")
    look(page, "risk-person-page-with-ogrs3")


def test_the_eligibility_page_names_supervision_ends_too_soon(page: Page, area, om, tm):
    referral = referral_for(
        area, om, status="submitted", planned_start=timezone.localdate() + dt.timedelta(days=30)
    )
    sentence = Sentence.objects.get(person=referral.person)
    sentence.supervision_end_date = referral.planned_start + dt.timedelta(weeks=20)
    sentence.start_date = sentence.supervision_end_date.replace(year=sentence.supervision_end_date.year - 3)
    sentence.save()
    sign_in_through_pages(page, tm)
    page.goto(reverse("referrals:referral_assess", args=[referral.public_id]))
    expect(page.locator("body")).to_contain_text("after supervision ends")
    look(page, "risk-eligibility-supervision-ends-too-soon")
    page.set_viewport_size({"width": 375, "height": 800})
    look(page, "risk-eligibility-375")
    no_sideways_scroll(page)
