"""Who and what is free for a proposed schedule (issue 13): the venue and facilitator questions show each choice as
free or busy before the last step, so a clash is seen when choosing rather than refused at "Create".

Reads only, through the clash check's own bookings and overlap rule (`sessions.services.bookings.availability`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accounts.models import User
from sessions.rules import Schedule
from sessions.services.bookings import Busy, Candidate, availability, candidates_from

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import Venue


@dataclass(frozen=True)
class Availability:
    """One choice on a question page: free for every proposed session, or busy with what it clashes with."""

    free: bool
    text: str


def _describe(busy: Busy | None, total: int, *, person: bool) -> Availability:
    """'[Free] for all 30 sessions', or '[Busy] for 3 of the 30 sessions: already booked for session 5 of
    CHE-ISOTP-2027-01 on Monday 11 January 2027, 18:00 to 20:00 (and 2 more)' (no personal data)."""
    sessions = f"{total} session{'s' if total != 1 else ''}"
    if busy is None:
        return Availability(True, f"for all {sessions}" if total != 1 else "for the session")
    more = f" (and {busy.clashing - 1} more)" if busy.clashing > 1 else ""
    what = "delivering" if person else "booked for"
    return Availability(
        False,
        f"for {busy.clashing} of the {sessions}: already {what} {busy.booked}{more}",
    )


def _proposed(schedule: Schedule | None) -> list[Candidate]:
    return candidates_from(schedule.sessions) if schedule is not None else []


def venue_availability(
    user: User | AnonymousUser, schedule: Schedule | None, venues: Iterable[Venue]
) -> dict[str, Availability]:
    """Each venue offered (by its choice value, the pk) as free or busy for `schedule`; empty before the schedule
    is known. The venues come from the user's area (`venues_for_scheduling`). Two queries."""
    venues = list(venues)
    candidates = _proposed(schedule)
    if not candidates or not venues:
        return {}
    busy = availability(candidates, venue_ids=[v.pk for v in venues], facilitator_ids=[])
    return {str(v.pk): _describe(busy.get(("venue", v.pk)), len(candidates), person=False) for v in venues}


def facilitator_availability(
    user: User | AnonymousUser, schedule: Schedule | None, people: Iterable[User]
) -> dict[str, Availability]:
    """Each facilitator offered (by public id) as free or busy for `schedule`; empty before the schedule is known.
    The people come from the user's area (`staff_by_public_ids`). Two queries."""
    people = list(people)
    candidates = _proposed(schedule)
    if not candidates or not people:
        return {}
    busy = availability(candidates, venue_ids=[], facilitator_ids=[p.pk for p in people])
    return {
        str(p.public_id): _describe(busy.get(("person", p.pk)), len(candidates), person=True) for p in people
    }
