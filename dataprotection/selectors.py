"""Reads for the data protection pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.permissions import can_erase_personal_data, can_export_subject_access, require
from dataprotection.models import RetentionCandidate
from referrals import selectors as referral_selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from referrals.models import Person


def person_for_export(user: User | AnonymousUser, public_id: str) -> Person:
    """Area administrators (403 for any other role, asked first so a refusal reveals nothing): the person whose
    subject access export the page offers; another area's person is not found (404)."""
    require(can_export_subject_access(user))
    return referral_selectors.person_for_user(user, public_id)


def retention_candidates_for(user: User | AnonymousUser) -> QuerySet[RetentionCandidate]:
    """Area administrators (403 for any other role): their area's people past retention not yet erased, longest
    ended first, with the person (one query per page)."""
    require(can_erase_personal_data(user))
    return (
        RetentionCandidate.objects.filter(area_id=user.area_id, erased_at__isnull=True)  # type: ignore[union-attr]
        .select_related("person")
        .order_by("supervision_ended_on", "id")
    )


def retention_candidate_for(user: User | AnonymousUser, public_id: str) -> RetentionCandidate:
    """Area administrators: one listed person of their own area (another area's, or an erased one, is 404)."""
    return get_object_or_404(retention_candidates_for(user), public_id=public_id)
