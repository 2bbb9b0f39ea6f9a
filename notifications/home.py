"""Home page card for treatment managers: notification emails the mail server would not take (issue 12).

The attention list shows who was not emailed, when it was given up and how many attempts were made, never the body
(the subject never names an offence or a person). One query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from accounts import permissions
from isotp import clock
from isotp.dates import long_date
from isotp.home import AttentionList, Cell, attention_card, gated_list
from notifications import selectors

UNDELIVERED_DAYS = 30


def _when(moment: dt.datetime) -> str:
    return f"{long_date(moment)} {moment:%H:%M}"


def undelivered_emails(user: Any, today: dt.date) -> AttentionList:
    """TMs: their area's notification emails given up in the last 30 days (one query)."""
    since = timezone.now() - dt.timedelta(days=UNDELIVERED_DAYS)
    rows = [
        (
            Cell(note.recipient.full_name),
            Cell(note.subject),
            Cell(_when(timezone.localtime(note.email_failed_at))),
            Cell(f"{note.email_attempts} attempt{'s' if note.email_attempts != 1 else ''}"),
        )
        for note in selectors.undelivered_emails_for(user, since=since)
    ]
    return AttentionList(
        key="emails-not-delivered",
        title="Emails not delivered",
        description=(
            "Notification emails the mail server refused after every retry, in the last 30 days. Each is still "
            "in the recipient's notifications in the service: tell them, and check their email address."
        ),
        columns=("To", "Subject", "Given up", "Tried"),
        rows=rows,
        empty="Every notification email was delivered to the mail server.",
    )


LISTS = {"emails-not-delivered": (undelivered_emails, permissions.can_see_undelivered_emails)}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not permissions.can_see_undelivered_emails(user):
        return []
    undelivered = undelivered_emails(user, clock.today())
    if not undelivered.rows:
        return []  # a card only when something needs doing
    return [attention_card(undelivered, link_text="See who was not emailed")]
