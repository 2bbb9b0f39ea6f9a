"""Issue 13: every "needs attention" list a role's home page links to fits a 375 px screen: not only the page
(document width) but every cell of its table (element boxes inside <main>), checked at 1280 px and 375 px with
screenshots (artifacts/screenshots/attention-*.png). The "Must start soon" list once ran its last column past the
right edge inside a scrolling box; it is a stacked table now, each cell labelled with its column."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from isotp import clock
from tests.e2e import conftest
from tests.e2e.conftest import sign_in_through_pages
from tests.referrals.factories import SentenceFactory
from tests.sessions.factories import waiting_referral

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = ((1280, 900), (375, 800))


def _every_attention_list(page: Page, name: str) -> int:
    """Each /needs-attention/ list linked from the home page, at both widths; how many there were."""
    page.goto("/")
    hrefs = sorted(
        set(page.eval_on_selector_all("main a[href*='/needs-attention/']", "els => els.map(e => e.pathname)"))
    )
    for href in hrefs:
        page.goto(href)
        key = href.strip("/").split("/")[-1]
        for width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            conftest.look(page, f"attention-{name}-{key}-{width}")
            conftest.assert_fits_the_viewport(page, f"{name} {key}")
    page.set_viewport_size({"width": 1280, "height": 900})
    return len(hrefs)


def test_the_treatment_managers_must_start_soon_list_fits_a_phone(page: Page, area, tm, om):
    # Long names and a supervision ending in ten weeks: the person must start soon.
    referral = waiting_referral(area, om)
    person = referral.person
    person.first_name, person.last_name = "Maximilian-Alexander", "Featherstonehaugh-Worthington"
    person.save(update_fields=["first_name", "last_name"])
    start = clock.today() - dt.timedelta(days=700)
    SentenceFactory(
        person=person, start_date=start, supervision_end_date=clock.today() + dt.timedelta(weeks=10)
    )
    sign_in_through_pages(page, tm)
    page.goto("/needs-attention/waiting-must-start-soon/")
    expect(page.locator("tr.app-attention-row")).to_have_count(1)
    expect(page.locator("td[data-label='Why']")).to_be_visible()
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        conftest.look(page, f"attention-tm-must-start-soon-{width}")
        conftest.assert_fits_the_viewport(page, "must start soon")
    assert _every_attention_list(page, "tm") >= 1


@pytest.mark.parametrize("role", ["om", "facilitator", "area_admin"])
def test_every_roles_attention_lists_fit_a_phone(page: Page, request, area, tm, role):
    user = request.getfixturevalue(role)
    if role == "om":
        waiting_referral(area, user)
    sign_in_through_pages(page, user)
    _every_attention_list(page, role)
