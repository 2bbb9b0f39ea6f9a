"""What the audit trail needs from reports (the `audit_trail` hook): the reports of the people a search names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.models import PostProgrammeReport

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def records_of_people(user: User | AnonymousUser, search: str) -> set[str]:
    """Post-programme reports of the people of the user's area a name or CRN search finds. One query."""
    from referrals.selectors import filter_people, people_in_area

    people = filter_people(people_in_area(user), search=search)
    reports = PostProgrammeReport.objects.filter(referral__person__in=people)
    return {str(r) for r in reports.values_list("public_id", flat=True)}
