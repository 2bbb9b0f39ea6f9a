"""What the audit trail needs from referrals (found by `audit.selectors` through the `audit_trail` hook): the
labels of referral statuses and reasons, and the records of the people a search names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from referrals.models import Referral
from referrals.rules import REASON_CHOICES, STATUSES
from referrals.selectors import filter_people, people_in_area

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

VALUE_WORDS: dict[str, dict[str, str]] = {
    "status": dict(STATUSES),
    "to_status": dict(STATUSES),
    "next_status": dict(STATUSES),
    "reason_code": {code: label for choices in REASON_CHOICES.values() for code, label in choices},
}


def records_of_people(user: User | AnonymousUser, search: str) -> set[str]:
    """The ids (as the audit trail stores them) of the people of the user's area a name or CRN search finds, and
    of their referrals. Two queries."""
    people = filter_people(people_in_area(user), search=search)
    ids = {str(p) for p in people.values_list("public_id", flat=True)}
    ids |= {str(r) for r in Referral.objects.filter(person__in=people).values_list("public_id", flat=True)}
    return ids
