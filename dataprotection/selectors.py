"""Reads for the data protection pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.permissions import can_export_subject_access, require
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
