"""The area's people and places for scheduling: venues, treatment managers, facilitators, bank-holiday
jurisdiction and closure dates, and the owner of a calendar feed token."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import (
    QuerySet,
)

from accounts.models import AreaClosure, ProbationArea, Role, User, Venue
from accounts.permissions import delivers_programmes
from accounts.selectors import staff_for_list, training_decision, venues_for
from sessions.models import (
    FeedToken,
    Programme,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def feed_owner(token: str) -> User | None:
    """The active facilitator whose live feed token this is, or None (revoked, unknown, or the account is off)."""
    found = (
        FeedToken.objects.filter(token=token, revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if found is None or not delivers_programmes(found.user):
        return None
    return found.user


def venues_for_scheduling(user: User | AnonymousUser) -> QuerySet[Venue]:
    """The area's active venues."""
    return venues_for(user).filter(active=True)


def venue_for_scheduling(user: User | AnonymousUser, pk: Any) -> Venue | None:
    """One active venue of the area, or None."""
    try:
        return venues_for_scheduling(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def treatment_managers(user: User | AnonymousUser) -> QuerySet[User]:
    """The area's active treatment managers."""
    return staff_for_list(user, Role.TREATMENT_MANAGER)


def treatment_manager(user: User | AnonymousUser, public_id: Any) -> User | None:
    """One active treatment manager of the area, or None."""
    try:
        return treatment_managers(user).filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        return None


def staff_by_public_ids(user: User | AnonymousUser, public_ids: Sequence[str]) -> list[User]:
    """The area's active facilitators with these public ids, in the order given (unknown ids are left out)."""
    try:
        wanted = [uuid.UUID(str(p)) for p in public_ids]
    except ValueError:
        return []
    found = {u.public_id: u for u in staff_for_list(user, Role.FACILITATOR).filter(public_id__in=wanted)}
    return [found[p] for p in wanted if p in found]


def facilitator_choices(
    user: User | AnonymousUser, programme: Programme
) -> tuple[list[tuple[str, str]], list[str]]:
    """For the facilitators question: (the area's facilitators trained for the programme, offered; every
    facilitator of the area, whose public ids the question accepts so the service can say why one is refused).
    Training per accounts.rules.training_for (000); training records are prefetched."""
    offered: list[tuple[str, str]] = []
    valid: list[str] = []
    for person in staff_for_list(user, Role.FACILITATOR):
        key = str(person.public_id)
        valid.append(key)
        if training_decision(person, programme.training_programme).trained:
            offered.append((key, person.full_name))
    return offered, valid


def jurisdiction_of(area: ProbationArea) -> str:
    """The `holidays` subdivision whose bank holidays the area's schedules skip (domain.md §5)."""
    return area.holiday_subdivision or area.jurisdiction


def closures_of(area: ProbationArea) -> dict[dt.date, str]:
    """The area's closure dates with their reasons (schedules skip them)."""
    return dict(AreaClosure.objects.filter(area=area).values_list("date", "reason"))


def current_feed_token(user: User) -> FeedToken | None:
    """The user's own live feed token, if any (the calendar page and `my/calendar-feed/`)."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
