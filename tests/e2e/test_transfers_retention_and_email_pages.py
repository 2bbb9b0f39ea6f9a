"""Issue 12's pages in a real browser at 1280 and 375 px: transfers, the retention list and its confirmation, and
the TM's "Emails not delivered" list. Each axe-clean, none scrolling sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dataprotection.models import RetentionCandidate
from dataprotection.services.retention import refresh_candidates
from notifications.models import Notification
from notifications.services import notify
from tests.e2e.conftest import look, sign_in_through_pages
from tests.factories import UserFactory
from tests.referrals.factories import eligible_person
from transfers.services import request_transfer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _both_widths(page, name: str) -> None:
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        look(page, f"issue12-{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (
            f"{name} scrolls sideways at {width}"
        )


def test_transfer_retention_and_email_pages(
    page, area, other_area, tm, om, area_admin, other_om, monkeypatch
):
    from notifications import services as notification_services

    monkeypatch.setattr(notification_services, "_queue_email", lambda pk: None)
    their_tm = UserFactory(area=other_area, role="treatment_manager")
    held = eligible_person(area, om)
    request_transfer(
        actor=their_tm, crn=held.crn, offender_manager=other_om, reason="Moved to Northumbria for work"
    )
    past = eligible_person(area, om)
    ended = dt.date(2015, 3, 31)
    past.sentences.update(start_date=ended - dt.timedelta(days=700), supervision_end_date=ended)
    refresh_candidates()
    (note,) = notify(
        recipients=[om], kind="absence", subject="Absence from a programme session", body="Missed."
    )
    Notification.objects.filter(pk=note.pk).update(email_attempts=6, email_failed_at=timezone.now())

    sign_in_through_pages(page, tm)
    page.goto("/transfers/")
    _both_widths(page, "transfers-list")
    page.goto("/transfers/request/")
    _both_widths(page, "transfer-request")
    page.get_by_role("button", name="Request the transfer").click()
    _both_widths(page, "transfer-request-errors")
    page.goto("/transfers/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Decide").click()
    _both_widths(page, "transfer-decide")
    page.goto("/needs-attention/emails-not-delivered/")
    _both_widths(page, "emails-not-delivered")

    page.context.clear_cookies()
    sign_in_through_pages(page, area_admin)
    page.goto("/data-protection/retention/")
    _both_widths(page, "retention-list")
    candidate = RetentionCandidate.objects.get(person=past)
    page.goto(f"/data-protection/retention/{candidate.public_id}/erase/")
    _both_widths(page, "retention-erase")
