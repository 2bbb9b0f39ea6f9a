"""Issue 7's last pages in a real browser at 1280 and 375 px: the staff page's "End supervision" form (empty,
refused, done) and the person page's Sentence card with its "Earlier sentences". axe-core on each, no sideways
scroll, screenshots kept (artifacts/screenshots/issue7-*.png) for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from isotp import clock
from referrals.models import Sentence
from referrals.services.people import record_sentence
from tests.e2e.conftest import look, sign_in_through_pages
from tests.e2e.test_quality_journey import narrow
from tests.referrals.factories import referral_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_ending_a_supervision_on_the_staff_page(page: Page, tm, facilitator):
    sign_in_through_pages(page, tm)
    page.goto(reverse("accounts:staff_detail", args=[facilitator.public_id]))
    expect(page.get_by_role("heading", name="End supervision")).to_be_visible()
    look(page, "issue7-staff-end-supervision")
    narrow(page, "issue7-staff-end-supervision")
    page.get_by_role("button", name="End supervision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    look(page, "issue7-staff-end-supervision-errors")
    narrow(page, "issue7-staff-end-supervision-errors")
    today = clock.today()
    form = page.locator("form", has=page.get_by_role("button", name="End supervision"))
    form.get_by_label("Day").fill(str(today.day))
    form.get_by_label("Month").fill(str(today.month))
    form.get_by_label("Year").fill(str(today.year))
    form.get_by_role("button", name="End supervision").click()
    expect(page.locator("body")).to_contain_text("Nobody: facilitators deliver")
    look(page, "issue7-staff-supervision-ended")
    narrow(page, "issue7-staff-supervision-ended")


def test_the_sentence_card_shows_the_earlier_sentences(page: Page, area, om):
    referral = referral_for(area, om, status="submitted")
    person = referral.person
    first = Sentence.objects.filter(person=person).latest("pk")
    record_sentence(
        actor=om,
        person=person,
        legal_basis=first.legal_basis,
        programme_requirement=True,
        start_date=first.start_date,
        supervision_end_date=first.supervision_end_date + dt.timedelta(days=365),
    )
    sign_in_through_pages(page, om)
    page.goto(reverse("referrals:person_detail", args=[person.public_id]))
    summary = page.get_by_text("Earlier sentences (1)")
    expect(summary).to_be_visible()
    summary.click()
    expect(page.get_by_text("supervision to")).to_be_visible()
    look(page, "issue7-person-earlier-sentences")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.get_by_text("Earlier sentences (1)").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    look(page, "issue7-person-earlier-sentences-375")
