"""Reads that only the delivery pages need (the shared ones live in `sessions/selectors.py`).

Same rules as every selector: scoped to the user's area and role first, related rows preloaded, so a page's query
count does not grow with its rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, User, Venue
from accounts.permissions import is_staff_member
from accounts.selectors import staff_for_list, training_decision, venues_for
from referrals import selectors as referral_selectors
from referrals.models import Referral
from sessions import selectors
from sessions.models import (
    Delivery,
    GroupStatus,
    Membership,
    MembershipStatus,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
    SessionStatus,
)
from sessions.rules import ExistingSession, Move, Schedule, ScheduleError, Slot, provider_cancellation
from sessions.services import preview_schedule
from sessions.services._common import closures_of, jurisdiction_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


@dataclass
class CatalogueEntry:
    """One programme code as the area sees it: the version in force today and every version, newest first."""

    code: str
    current: Programme | None
    versions: list[Programme] = field(default_factory=list)

    @property
    def latest(self) -> Programme:
        return self.versions[0]


def _in_force(version: Programme, on: dt.date) -> bool:
    return version.valid_from <= on and (version.valid_until is None or version.valid_until >= on)


def catalogue_for_area(user: User | AnonymousUser, *, today: dt.date) -> list[CatalogueEntry]:
    """Managers: every programme code with the national and the user's area's versions (one query), each version
    annotated with `area_groups` and `area_plans`, the area's groups and one-to-one plans scheduled with it. The area's own version in
    force wins over the national one."""
    if not is_staff_member(user):
        return []
    area_id = user.area_id  # type: ignore[union-attr]
    versions = (
        Programme.objects.filter(Q(area__isnull=True) | Q(area_id=area_id))
        .select_related("created_by")
        .annotate(
            area_groups=Count("groups", filter=Q(groups__area_id=area_id), distinct=True),
            area_plans=Count("plans", filter=Q(plans__area_id=area_id), distinct=True),
        )
        .order_by("code", "-version")
    )
    entries: dict[str, CatalogueEntry] = {}
    for version in versions:
        entry = entries.setdefault(version.code, CatalogueEntry(code=version.code, current=None))
        entry.versions.append(version)
    for entry in entries.values():
        own = [v for v in entry.versions if v.area_id == area_id and _in_force(v, today)]
        national = [v for v in entry.versions if v.area_id is None and _in_force(v, today)]
        entry.current = (own or national or [None])[0]  # type: ignore[list-item]
    order = {"isotp_group": 0, "isotp_one_to_one": 1}
    return sorted(entries.values(), key=lambda e: (e.latest.optional_suite, order.get(e.code, 2), e.code))


def catalogue_entry(user: User | AnonymousUser, code: str, *, today: dt.date) -> CatalogueEntry:
    """One programme code of the catalogue (404 when the code is unknown)."""
    for entry in catalogue_for_area(user, today=today):
        if entry.code == code:
            return entry
    raise Http404("No such programme")


def programme_in_force(user: User | AnonymousUser, code: str, *, today: dt.date) -> Programme | None:
    """The version of `code` the user's area schedules with today, or None where it is not offered."""
    if not is_staff_member(user) or not code:
        return None
    return selectors.programme_for_area(user.area, code, on=today)  # type: ignore[union-attr, arg-type]


def programmes_for_groups(user: User | AnonymousUser, *, today: dt.date) -> list[Programme]:
    """The group programmes a TM may start a group of (in force today; LI/HI only where switched on)."""
    return [p for p in selectors.programmes_for_area(user, on=today) if p.delivery != Delivery.ONE_TO_ONE]


def programmes_for_plans(user: User | AnonymousUser, *, today: dt.date) -> list[Programme]:
    """The one-to-one programmes in force today."""
    return [p for p in selectors.programmes_for_area(user, on=today) if p.delivery == Delivery.ONE_TO_ONE]


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


def preview(
    user: User | AnonymousUser,
    *,
    programme: Programme,
    slots: Sequence[Any],
    start_date: dt.date,
    sessions_per_module: dict[int, int] | None = None,
) -> tuple[Schedule | None, str]:
    """The schedule a group or plan would get in the user's area (bank holidays and closures skipped), or the
    reason it cannot be generated. Writes nothing: the check-your-answers pages show it before confirming."""
    try:
        schedule = preview_schedule(
            programme=programme,
            start_date=start_date,
            slots=slots,
            area=user.area,  # type: ignore[union-attr]
            sessions_per_module=sessions_per_module,
        )
    except ValidationError as exc:
        return None, " ".join(exc.messages)
    return schedule, ""


# --- groups -------------------------------------------------------------------------------------------------


def _active_member_count() -> Subquery:
    active = (
        Membership.objects.filter(group=OuterRef("pk"), status=MembershipStatus.ACTIVE)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(active, output_field=IntegerField())


def groups_with_places(user: User | AnonymousUser, *, status: str = "") -> QuerySet[ProgrammeGroup]:
    """`selectors.groups_for_list` (scoped: managers the area's groups, facilitators their own) with
    `member_count` and `places_free` annotated by a subquery, so the list's query count is fixed. Without a
    status, completed and cancelled groups are left out."""
    qs = selectors.groups_for_list(user).annotate(member_count=Coalesce(_active_member_count(), 0))
    qs = qs.annotate(places_free=F("capacity") - F("member_count"))
    if status:
        return qs.filter(status=status)
    return qs.exclude(status__in=[GroupStatus.COMPLETED, GroupStatus.CANCELLED])


# --- sessions -----------------------------------------------------------------------------------------------


def _owner_filter(owner: ProgrammeGroup | OneToOnePlan) -> dict[str, Any]:
    return {"group": owner} if isinstance(owner, ProgrammeGroup) else {"plan": owner}


def live_session(owner: ProgrammeGroup | OneToOnePlan, number: int) -> ScheduledSession | None:
    """The session with this number of a group or plan the user was allowed to see, not cancelled."""
    return (
        ScheduledSession.objects.filter(**_owner_filter(owner), number=number)
        .exclude(status=SessionStatus.CANCELLED_BY_PROVIDER)
        .select_related("venue")
        .first()
    )


def cancellation_preview(
    owner: ProgrammeGroup | OneToOnePlan, session: ScheduledSession
) -> tuple[list[Move], str]:
    """What a provider cancellation of `session` would move (the same rule the service applies), or why it is
    refused (e.g. a past session), so the confirmation page can show it before anything changes."""
    live = ScheduledSession.objects.filter(**_owner_filter(owner)).exclude(
        status=SessionStatus.CANCELLED_BY_PROVIDER
    )
    existing = [ExistingSession(s.number, s.date, s.start, s.end) for s in live]
    slots = [Slot(s.weekday, s.start_time) for s in owner.slots.all()]
    try:
        moves = provider_cancellation(
            existing,
            session_number=session.number,
            today=timezone.localdate(),
            slots=slots,
            jurisdiction=jurisdiction_of(owner.area),
            closures=closures_of(owner.area),
            cadence=owner.programme.cadence,
        )
    except (ScheduleError, ValueError) as exc:
        return [], str(exc)
    return moves, ""


# --- one-to-one plans ---------------------------------------------------------------------------------------


def one_to_one_code(user: User | AnonymousUser, *, today: dt.date) -> str:
    """The code of the i-SOTP one-to-one version the user's area uses today ("" if none is offered)."""
    if not is_staff_member(user):
        return ""
    found = selectors.programme_by_programme_format(user.area, "isotp", "one_to_one", on=today)  # type: ignore[union-attr, arg-type]
    return found.code if found else ""


def waiting_referral(user: User | AnonymousUser, public_id: Any) -> Referral | None:
    """A referral of the user's area (scoped by the referrals selectors), or None when it is not found."""
    try:
        return referral_selectors.referral_for_user(user, public_id)
    except (Http404, ValueError, ValidationError):
        return None
