"""Referrals in a real browser: an OM adds a person and refers him through the task list and "Check your answers";
a TM opens the assessment page, sees every reason, records "suitable"; the referral appears on the waiting list.
Every page is checked with axe-core and kept as a screenshot (artifacts/screenshots/referrals-*.png)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from referrals.models import Referral, Sentence
from tests.e2e.conftest import look, sign_in_through_pages
from tests.referrals.factories import referral_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_date(page: Page, name: str, value: dt.date) -> None:
    page.fill(f"#id_{name}_0", str(value.day))
    page.fill(f"#id_{name}_1", str(value.month))
    page.fill(f"#id_{name}_2", str(value.year))


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def test_om_refers_tm_assesses_and_the_referral_joins_the_waiting_list(page: Page, om, tm):
    today = timezone.localdate()

    # --- The OM adds a person to their caseload -------------------------------------------------------------
    sign_in_through_pages(page, om)
    page.get_by_role("link", name="My caseload").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    look(page, "referrals-om-caseload-empty")
    page.get_by_role("button", name="Add a person").click()
    page.get_by_role("button", name="Add person").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the CRN")
    expect(summary).to_contain_text("Select the sex")
    look(page, "referrals-person-new-errors")
    page.get_by_label("Case reference number (CRN)").fill("C123456")
    page.get_by_label("First name").fill("Daniel")
    page.get_by_label("Last name").fill("Hughes")
    fill_date(page, "date_of_birth", dt.date(today.year - 34, 3, 14))
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("IQ (optional)").fill("102")
    look(page, "referrals-person-new")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daniel Hughes")
    look(page, "referrals-person-page-new")

    # --- The referral journey: programme question, then the task list ------------------------------------------
    page.get_by_role("button", name="Refer for a programme").click()
    look(page, "referrals-journey-programme")
    page.get_by_label("i-SOTP (internet sex offender treatment programme)").check()
    page.get_by_label("Group", exact=True).check()
    fill_date(page, "planned_start", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer for a programme")
    expect(page.locator("#task-risk-status")).to_have_text("Cannot start yet")
    expect(page.locator("#task-check-status")).to_have_text("Cannot start yet")
    look(page, "referrals-journey-task-list")

    page.get_by_role("link", name="Offences").click()
    look(page, "referrals-journey-offences-empty")
    page.get_by_role("button", name="Add an offence").click()
    page.get_by_label("Offence", exact=True).select_option("cja1988_s160")
    fill_date(page, "conviction_date", today - dt.timedelta(days=100))
    look(page, "referrals-journey-offence-add")
    page.get_by_role("button", name="Add offence").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Criminal Justice Act 1988 s.160")
    look(page, "referrals-journey-offences")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Sentence and supervision").click()
    page.get_by_label("Community order with an accredited programme requirement").check()
    page.locator("#id_programme_requirement_0").check()
    fill_date(page, "start_date", today - dt.timedelta(days=30))
    fill_date(page, "supervision_end_date", today + dt.timedelta(days=3 * 365))
    look(page, "referrals-journey-sentence")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Risk assessments").click()
    look(page, "referrals-journey-risk")
    page.get_by_role("link", name="Record RM2000").click()
    page.locator("#id_s_1").check()  # medium
    page.locator("#id_v_0").check()  # low
    page.locator("#id_c_1").check()  # medium
    fill_date(page, "assessed_on", today - dt.timedelta(days=20))
    page.get_by_label("Assessor").fill("Priya Shah")
    look(page, "referrals-journey-rm2000")
    page.get_by_role("button", name="Record RM2000").click()
    page.get_by_role("link", name="Record risk of serious harm").click()
    page.locator("#id_level_1").check()  # medium
    fill_date(page, "assessed_on", today - dt.timedelta(days=20))
    look(page, "referrals-journey-rosh")
    page.get_by_role("button", name="Record risk of serious harm").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Priya Shah")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Other information").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if there is an active appeal")
    look(page, "referrals-journey-other-errors")
    for question in ("active_appeal", "maintains_innocence", "completed_prison_sotp"):
        page.locator(f"#id_{question}_1").check()  # no
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#task-check-status")).to_contain_text("Incomplete")
    look(page, "referrals-journey-task-list-complete")

    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting the referral"
    )
    look(page, "referrals-journey-check-answers")
    page.get_by_role("button", name="Submit referral").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Referral submitted")
    look(page, "referrals-journey-submitted")
    referral = Referral.objects.get()
    assert referral.status == "submitted"
    page.get_by_role("link", name="Back to Daniel Hughes").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Submitted")
    look(page, "referrals-person-page-referred")
    page.goto("/")
    look(page, "referrals-om-home")
    sign_out(page)

    # --- The TM assesses ------------------------------------------------------------------------------------------
    sign_in_through_pages(page, tm)
    expect(page.get_by_role("heading", name="Referrals awaiting assessment")).to_be_visible()
    look(page, "referrals-tm-home")
    page.get_by_role("link", name="Referrals", exact=True).click()
    look(page, "referrals-tm-referral-list")
    page.get_by_role("link", name="Daniel Hughes").click()
    look(page, "referrals-referral-page-submitted")
    page.get_by_role("button", name="Assess the referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assess the referral")
    recommendation = page.locator("#recommendation")
    expect(recommendation).to_contain_text("i-SOTP group")
    expect(recommendation).to_contain_text("Provisional")
    expect(page.locator("#decision-isotp-group")).to_contain_text("DEVIANCE_NOT_ASSESSED")
    expect(page.locator("#decision-isotp-one_to_one")).to_contain_text("Eligible, provisional")
    look(page, "referrals-assessment")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select your decision")
    look(page, "referrals-assessment-errors")
    page.get_by_label("Suitable: add to the waiting list (awaiting allocation)").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decision recorded")
    expect(page.locator("main .govuk-tag").first).to_have_text("Waiting list")
    look(page, "referrals-referral-page-assessed")

    # --- The waiting list (with two people who waited longer and whose supervision ends sooner) -----------------
    for weeks_left, waited in ((30, 120), (40, 45)):
        waiting = referral_for(
            tm.area,
            om,
            status="awaiting_allocation",
            awaiting_since=timezone.now() - dt.timedelta(days=waited),
        )
        Sentence.objects.filter(person=waiting.person).update(
            supervision_end_date=today + dt.timedelta(weeks=weeks_left)
        )
    page.get_by_role("link", name="Waiting list").first.click()
    table = page.locator("table")
    expect(table).to_contain_text("Daniel Hughes")
    expect(table).to_contain_text("On track")
    expect(table).to_contain_text("Overdue")
    expect(table).to_contain_text("Start soon")
    expect(table.locator("tbody tr").last).to_contain_text("Daniel Hughes")  # oldest first: he joined last
    look(page, "referrals-waiting-list")
    referral.refresh_from_db()
    assert referral.status == "awaiting_allocation"

    # --- The TM's other pages: people, the person page, status change, RM2000 calculator --------------------------
    page.get_by_role("link", name="People").first.click()
    look(page, "referrals-tm-people")
    page.get_by_role("link", name="Hughes, Daniel").click()
    look(page, "referrals-tm-person-page")
    page.get_by_role("button", name="Calculate RM2000").click()
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the number of sexual appearances")
    look(page, "referrals-rm2000-errors")
    fill_date(page, "commencement_of_risk_date", today - dt.timedelta(days=100))
    page.get_by_label("Yes", exact=True).check()  # a sexual offence after 16 (domain.md §4: asked)
    page.get_by_label("Female").check()
    page.get_by_label("Sexual appearances").fill("0")
    page.get_by_label("Criminal appearances").fill("1")
    page.get_by_label("Violent appearances").fill("-1")
    page.get_by_role("button", name="Calculate").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Risk Matrix 2000 is only valid for males")
    expect(summary).to_contain_text("needs at least one sexual appearance")
    expect(summary).to_contain_text("Violent appearances cannot be negative (-1)")
    look(page, "referrals-rm2000-refused")
    page.get_by_label("Male", exact=True).check()
    fill_date(page, "commencement_of_risk_date", today - dt.timedelta(days=100))
    page.get_by_label("Sexual appearances").fill("1")
    page.get_by_label("Criminal appearances").fill("1")
    page.get_by_label("Violent appearances").fill("0")
    page.get_by_label("Any non-contact sexual offence").check()
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator(".app-working")).to_contain_text("RM2000/S step 1 total")
    look(page, "referrals-rm2000-result")
    page.get_by_role("button", name="Record this result for Daniel Hughes").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("RM2000 result recorded")

    page.goto(f"/referrals/{referral.public_id}/status/")
    look(page, "referrals-status-change")


def test_demo_data_pages_look_right(page: Page):
    """The demo's varied cases: a long waiting list, a contact offence refused with every reason, a closed case."""
    from io import StringIO

    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from referrals.models import Person
    from tests.factories import PASSWORD

    call_command("seed_demo", stdout=StringIO())
    tm = User.objects.get(email__startswith="tm@", area__code="cheshire")
    tm.set_password(PASSWORD)  # the demo's own password is not the tests'
    tm.save(update_fields=["password"])
    if not TOTPDevice.objects.filter(user=tm, confirmed=True).exists():
        TOTPDevice.objects.create(user=tm, name="test", confirmed=True)
    sign_in_through_pages(page, tm)
    look(page, "referrals-demo-tm-home")
    page.goto("/waiting-list/")
    look(page, "referrals-demo-waiting-list")
    page.goto("/people/")
    look(page, "referrals-demo-people")
    page.goto("/referrals/?status=submitted&status=assessment")
    look(page, "referrals-demo-referrals-awaiting-assessment")
    refused = Referral.objects.get(
        person__last_name="Rowntree", area=tm.area
    )  # contact offence, high deviance
    page.goto(f"/referrals/{refused.public_id}/")
    look(page, "referrals-demo-referral-not-suitable")
    young = Referral.objects.get(
        person__last_name="Nixon", area=tm.area
    )  # 17, one-to-one, RM2000 not assessed
    page.goto(f"/referrals/{young.public_id}/assessment/")
    expect(page.locator("#decision-isotp-group")).to_contain_text("UNDER_AGE")
    look(page, "referrals-demo-assessment-young")
    person = Person.objects.get(last_name="Stainton", area=tm.area)
    page.goto(f"/people/{person.public_id}/")
    look(page, "referrals-demo-person-on-hold")
