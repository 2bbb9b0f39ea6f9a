"""What the audit trail needs from psychometrics (the `audit_trail` hook): the administrations of the people a
search names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assessments.models import Administration

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def records_of_people(user: User | AnonymousUser, search: str) -> set[str]:
    """Psychometric administrations of the people of the user's area a name or CRN search finds. One query."""
    from referrals.selectors import filter_people, people_in_area

    people = filter_people(people_in_area(user), search=search)
    found = Administration.objects.filter(membership__referral__person__in=people)
    return {str(a) for a in found.values_list("public_id", flat=True)}
