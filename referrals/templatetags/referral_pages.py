"""Small display helpers for the referrals pages: GOV.UK tag colours for statuses, risk levels and urgency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from isotp import clock
from isotp.dates import long_date
from referrals.rules import LEGAL_BASES, REASON_CHOICES, ROUTE_LABELS, STATUSES, age_on
from referrals.rules.eligibility import RISK_LABELS
from referrals.rules.ogrs3 import percent as ogrs3_percent
from referrals.rules.transitions import ReferralStatus

register = template.Library()

# GOV.UK tag colours: closed is grey, waiting is blue, good news green, needs attention yellow/orange, bad red.
STATUS_COLOURS: dict[str, str] = {
    ReferralStatus.DRAFT: "grey",
    ReferralStatus.SUBMITTED: "light-blue",
    ReferralStatus.ASSESSMENT: "purple",
    ReferralStatus.SUITABLE: "green",
    ReferralStatus.NOT_SUITABLE: "red",
    ReferralStatus.SUITABLE_NOT_READY: "yellow",
    ReferralStatus.ON_HOLD: "yellow",
    ReferralStatus.AWAITING_ALLOCATION: "blue",
    ReferralStatus.ALLOCATED: "turquoise",
    ReferralStatus.ON_PROGRAMME: "turquoise",
    ReferralStatus.RESTART_REQUIRED: "orange",
    ReferralStatus.COMPLETED: "green",
    ReferralStatus.DESELECTED: "red",
    ReferralStatus.WITHDRAWN: "grey",
}
RISK_COLOURS = {"low": "green", "medium": "yellow", "high": "orange", "very_high": "red"}
URGENCY = {
    "overdue": ("red", "Overdue"),
    "start_soon": ("orange", "Start soon"),
    "ok": ("green", "On track"),
    "unknown": ("grey", "No end date"),
}
PROGRAMMES = {"isotp": "i-SOTP", "nsogp": "N-SOGP", "li": "LI", "hi": "HI", "adapted": "Adapted programme"}
FORMATS = {"group": "group", "one_to_one": "one-to-one"}


# GOV.UK tags are at most 160px wide: shorter names for the two statuses whose full name would wrap.
STATUS_TAGS = {
    **STATUSES,
    ReferralStatus.AWAITING_ALLOCATION: "Waiting list",
    ReferralStatus.SUITABLE_NOT_READY: "Not ready yet",
}


@register.filter
def status_tag(status: str) -> str:
    """The status as a tag shows it (short enough for one line)."""
    return STATUS_TAGS.get(status, status)


@register.filter
def govuk_datetime(value: dt.datetime | None) -> str:
    """A date and time as GOV.UK writes them, in Europe/London: "4 June 2027 at 3:15pm"."""
    if not value:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    return f"{long_date(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


@register.filter
def status_label(status: str) -> str:
    return STATUSES.get(status, status)


@register.filter
def status_colour(status: str) -> str:
    return STATUS_COLOURS.get(status, "grey")


@register.filter
def risk_label(level: str | None) -> str:
    return RISK_LABELS.get(level or "", "Not assessed")


@register.filter
def risk_colour(level: str | None) -> str:
    return RISK_COLOURS.get(level or "", "grey")


@register.filter
def percent(probability: Any) -> int:
    """A stored OGRS3 probability as the whole percentage the rules band on (domain.md §4.1)."""
    return ogrs3_percent(float(probability))


@register.filter
def urgency_colour(level: str) -> str:
    return URGENCY.get(level, URGENCY["unknown"])[0]


@register.filter
def urgency_label(level: str) -> str:
    return URGENCY.get(level, URGENCY["unknown"])[1]


@register.filter
def route_label(route: str | None) -> str:
    return ROUTE_LABELS.get(route or "", route or "")


@register.simple_tag
def programme_name(programme: str | None, format: str | None = None) -> str:
    """'i-SOTP group', 'N-SOGP', 'Adapted programme', or 'No programme'."""
    if not programme:
        return "No programme"
    name = PROGRAMMES.get(programme, programme)
    if programme == "isotp" and format:
        return f"{name} {FORMATS.get(format, format)}"
    return name


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def reason_label(change: Any) -> str:
    """The plain label of a status change's reason code (REASON_CHOICES), or "" when it has none."""
    code = getattr(change, "reason_code", "")
    if not code:
        return ""
    return dict(REASON_CHOICES.get(change.to_status, [])).get(code, code.replace("_", " ").capitalize())


@register.filter
def age(date_of_birth: dt.date | None) -> int | str:
    """Age in whole years today (Europe/London)."""
    if not date_of_birth:
        return ""
    return age_on(date_of_birth, clock.today())


@register.filter
def legal_basis_label(code: str) -> str:
    return LEGAL_BASES.get(code, code)


@register.filter
def age_at(date_of_birth: dt.date | None, on: dt.date | None) -> int | str:
    """Age in whole years on a date (the planned start)."""
    if not date_of_birth or not on:
        return ""
    return age_on(date_of_birth, on)


@register.filter
def time_waiting(since: dt.datetime | None) -> str:
    """How long since a date-time, in the unit a person would use: "2 days", "3 weeks", "5 months"."""
    if since is None:
        return ""
    days = (clock.today() - timezone.localtime(since).date()).days
    if days < 1:
        return "Less than a day"
    if days < 14:
        return f"{days} day{'' if days == 1 else 's'}"
    if days < 70:
        return f"{days // 7} weeks"
    months = days * 12 // 365
    return f"{months} months"
