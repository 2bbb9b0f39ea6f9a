"""Home page card for psychometrics (found by isotp.home through the `home_widgets` hook): a facilitator's members
whose pre-programme battery is not entered yet, or whose sessions are over without the post-programme one (003:
before the group starts, and again after completion; PC 09/2007: a completion counts only with post-programme
psychometrics). The card links to an attention list of exactly those members; one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions
from assessments import selectors
from assessments.models import Administration, Kind
from isotp.home import AttentionList, AttentionLists, Cell, attention_card, gated_list
from sessions.models import Membership, MembershipStatus
from sessions.selectors.groups import MEMBER_ROW_FIELDS

POST_DUE = (MembershipStatus.SESSIONS_COMPLETE, MembershipStatus.COMPLETED)


def _due(user: Any) -> QuerySet[Membership]:
    pre = Administration.objects.filter(membership_id=OuterRef("pk"), kind=Kind.PRE)
    post = Administration.objects.filter(membership_id=OuterRef("pk"), kind=Kind.POST)
    return (
        selectors.memberships_for_user(user)
        # Only what a row shows (`psychometrics_to_enter`): no programme joined, a few columns (issue 11: the
        # programme joins and a hundred columns cost PostgreSQL more to plan than the query costs to run).
        .select_related(None)
        .select_related("group", "plan", "referral__person")
        .only(*MEMBER_ROW_FIELDS)
        .annotate(has_pre=Exists(pre), has_post=Exists(post))
        .filter(
            Q(status=MembershipStatus.ACTIVE, has_pre=False)
            | Q(status__in=POST_DUE, has_pre=True, has_post=False)
        )
        .order_by("referral__person__last_name", "referral__person__first_name", "id")
    )


def psychometrics_to_enter(user: Any) -> AttentionList:
    rows = []
    for m in _due(user):
        person = m.referral.person
        owner = m.group or m.plan
        kind = "Post-programme" if m.has_pre else "Pre-programme"  # type: ignore[attr-defined]
        rows.append(
            (
                Cell(f"{person.first_name} {person.last_name} ({person.crn})"),
                Cell(owner.reference if owner else ""),
                Cell(
                    f"Enter the {kind.lower()} scores",
                    reverse("assessments:record", args=[m.public_id, Kind.POST if m.has_pre else Kind.PRE]),  # type: ignore[attr-defined]
                ),
            )
        )
    return AttentionList(
        key="psychometrics-to-enter",
        title="Psychometrics to enter",
        description="Members with no pre-programme battery yet, or whose sessions are over without the "
        "post-programme one.",
        columns=("Member", "Group or plan", "To enter"),
        rows=rows,
        empty="No psychometrics to enter.",
    )


LISTS: AttentionLists = {
    "psychometrics-to-enter": (lambda user, _today: psychometrics_to_enter(user), permissions.is_facilitator)
}


def home_list(request: HttpRequest, key: str) -> AttentionList | None:
    return gated_list(LISTS, request, key)


def home_widgets(request: HttpRequest) -> list[dict[str, Any]]:
    if not permissions.is_facilitator(request.user):
        return []
    return [attention_card(psychometrics_to_enter(request.user), link_text="Enter the scores")]
