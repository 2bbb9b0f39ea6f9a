"""What the audit trail needs from delivery (the `audit_trail` hook): the labels of attendance and catch-up outcomes
and membership statuses, and the memberships, catch-ups and psychometric records of the people a search names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sessions.models import AttendanceOutcome, CatchUp, CatchUpOutcome, Membership, MembershipStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

VALUE_WORDS: dict[str, dict[str, str]] = {
    "outcome": {**dict(CatchUpOutcome.choices), **dict(AttendanceOutcome.choices)},
    "status": dict(MembershipStatus.choices),
}


def records_of_people(user: User | AnonymousUser, search: str) -> set[str]:
    """Memberships and catch-ups of the people of the user's area a name or CRN search finds. Two queries."""
    from referrals.selectors import filter_people, people_in_area

    people = filter_people(people_in_area(user), search=search)
    members = Membership.objects.filter(referral__person__in=people)
    ids = {str(m) for m in members.values_list("public_id", flat=True)}
    ids |= {
        str(c) for c in CatchUp.objects.filter(membership__in=members).values_list("public_id", flat=True)
    }
    return ids
