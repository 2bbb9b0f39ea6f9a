"""Allocation reads: when a new member would join a group, the date their age band is judged on, and the waiting
list as the allocation page shows it. `sessions.services.memberships.allocate` decides with the same functions,
so the page and the service cannot disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from isotp.errors import DomainConflict
from referrals import selectors as referral_selectors
from sessions.models import Delivery, JoinRule, ProgrammeGroup, ScheduledSession, SessionStatus
from sessions.rules import PlannedSession, age_on, check_age_band, format_date, next_join_point

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from referrals.selectors import WaitingRow


def join_date(group: ProgrammeGroup, today: dt.date) -> dt.date:
    """When a new member joins, by the programme's join rule (002: the rolling Core Group at a block boundary;
    closed groups only before they start). Raises DomainConflict (GROUP_CLOSED, NO_JOIN_POINT) when nobody can."""
    rule = group.programme.join_rule
    live = list(
        ScheduledSession.objects.filter(group=group)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .order_by("date", "start")
    )
    first = live[0].date if live else group.start_date
    if rule == JoinRule.START_ONLY:
        if today > first:
            raise DomainConflict(
                f"{group.reference} is a closed group that started on {format_date(first)}: nobody joins after "
                "the start.",
                code="GROUP_CLOSED",
            )
        return first
    if rule == JoinRule.BLOCK_BOUNDARY:
        planned = [
            PlannedSession(s.number, s.module, s.module_title, s.block, s.date, s.start, s.end) for s in live
        ]
        point = next_join_point(planned, today)
        if point is None:
            raise DomainConflict(
                f"{group.reference} has no block boundary left to join at: schedule its next cycle first.",
                code="NO_JOIN_POINT",
            )
        return point.date
    return max(today, first)


def age_band_date(group: ProgrammeGroup, joined_on: dt.date) -> dt.date:
    """The day a new member's age is judged on: a closed group's start date; for a group joined later (rolling at
    a block boundary, or open at any time like Long Term Monitoring) the day the person joins."""
    return group.start_date if group.programme.join_rule == JoinRule.START_ONLY else joined_on


@dataclass(frozen=True)
class AllocationRow:
    """A waiting-list line as the allocation page shows it: the age on the day allocation would judge it, and the
    age-band refusal (UNDER_AGE / OVER_AGE message) the allocation would give, if any."""

    waiting: WaitingRow
    age_at_group_start: int
    refusal: str
    # Issue 13: their "must start by" date is before they could join this group (they would not finish within
    # their supervision): a warning, not a refusal (the eligibility rule SUPERVISION_ENDS_TOO_SOON decides).
    late_start: str = ""

    @property
    def referral(self) -> Any:
        return self.waiting.referral

    @property
    def person(self) -> Any:
        return self.waiting.person

    @property
    def awaiting_since(self) -> dt.datetime:
        return self.waiting.awaiting_since

    @property
    def urgency(self) -> Any:
        return self.waiting.urgency


def allocation_rows(
    user: User | AnonymousUser, group: ProgrammeGroup, *, today: dt.date
) -> list[AllocationRow]:
    """TMs: the waiting list for the group's programme and format, oldest first (the referrals selector's order,
    scoped to the user's area), each with the age the allocation service would judge. When nobody can join now
    (a closed group that has started, no block boundary left), ages are judged on the group's start date."""
    programme = group.programme
    fmt = "one_to_one" if programme.delivery == Delivery.ONE_TO_ONE else "group"
    rows = referral_selectors.waiting_list(user, programme=programme.programme, format=fmt, today=today)
    try:
        joins = join_date(group, today)
    except DomainConflict:
        joins = group.start_date
    on = age_band_date(group, joins)
    out = []
    for row in rows:
        age = age_on(row.person.date_of_birth, on)
        issue = check_age_band(age, group.age_min, group.age_max)
        latest = row.urgency.latest_start
        late = (
            f"Must start by {format_date(latest)}, but would join this group on {format_date(joins)}"
            if latest is not None and latest < joins
            else ""
        )
        out.append(
            AllocationRow(
                waiting=row, age_at_group_start=age, refusal=issue.message if issue else "", late_start=late
            )
        )
    return out
