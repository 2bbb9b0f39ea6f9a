"""The programme catalogue: the version in force for an area on a date, its history, the catalogue pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import ProbationArea, User
from accounts.permissions import is_staff_member
from isotp import clock
from sessions.models import (
    Delivery,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _current_versions(area: ProbationArea, on: dt.date) -> dict[str, Programme]:
    """Per code, the version in force on `on`: the area's own version if it has one, else the national one."""
    rows = (
        Programme.objects.filter(Q(area__isnull=True) | Q(area=area), valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("code", "-version")
    )
    chosen: dict[str, Programme] = {}
    for row in rows:
        held = chosen.get(row.code)
        if held is None or (held.area_id is None and row.area_id is not None):
            chosen[row.code] = row
    if not area.lihi_enabled:  # domain.md §2.5: the LI/HI suite is offered only where the area switches it on
        chosen = {code: p for code, p in chosen.items() if not p.optional_suite}
    return chosen


def programme_for_area(area: ProbationArea, code: str, *, on: dt.date | None = None) -> Programme | None:
    """The version of programme `code` an area uses on `on` (default today), or None if it is not offered."""
    return _current_versions(area, on or clock.today()).get(code)


def programme_by_programme_format(
    area: ProbationArea, programme: str, format: str, *, on: dt.date | None = None
) -> Programme | None:
    """The area's current version for a programme family and format (e.g. isotp + group)."""
    for version in _current_versions(area, on or clock.today()).values():
        if version.programme == programme and version.format == format:
            return version
    return None


def programme_for_preview(user: User | AnonymousUser, programme: str, format: str = "") -> Programme | None:
    """The user's area's current version by family + format (`isotp`, `group`) or by catalogue code alone."""
    if not is_staff_member(user):
        return None
    area = user.area  # type: ignore[union-attr]
    assert area is not None
    if not format:
        return programme_for_area(area, programme)
    return programme_by_programme_format(area, programme, format)


def programmes_for_area(user: User | AnonymousUser, *, on: dt.date | None = None) -> QuerySet[Programme]:
    """Any staff member: the catalogue versions in force in their area today (LI/HI only if switched on)."""
    if not is_staff_member(user):
        return Programme.objects.none()
    ids = [p.pk for p in _current_versions(user.area, on or clock.today()).values()]  # type: ignore[union-attr, arg-type]
    return Programme.objects.filter(pk__in=ids).order_by("programme", "name")


def programme_for_user(user: User | AnonymousUser, code: str) -> Programme:
    """The current version of one programme in the user's area (404 if not offered there)."""
    found = programme_for_area(user.area, code) if is_staff_member(user) else None  # type: ignore[union-attr, arg-type]
    if found is None:
        from django.http import Http404

        raise Http404("No such programme")
    return found


def programme_versions(user: User | AnonymousUser, code: str) -> QuerySet[Programme]:
    """Every version of a programme visible to the user's area (national and their own), newest first."""
    if not is_staff_member(user):
        return Programme.objects.none()
    return (
        Programme.objects.filter(code=code)
        .filter(Q(area__isnull=True) | Q(area_id=user.area_id))  # type: ignore[union-attr]
        .select_related("created_by")
        .order_by("-version")
    )


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


def _area_count(model: Any, area_id: int | None) -> Coalesce:
    rows = model.objects.filter(programme=OuterRef("pk"), area_id=area_id).order_by().values("programme")
    return Coalesce(Subquery(rows.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()), 0)


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
            # Correlated counts on (programme, area): joining every version to every group and plan in the
            # country multiplied the rows (issue 11's profile: 99 ms at national scale).
            area_groups=_area_count(ProgrammeGroup, area_id),
            area_plans=_area_count(OneToOnePlan, area_id),
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
    return programme_for_area(user.area, code, on=today)  # type: ignore[union-attr, arg-type]


def programmes_for_groups(user: User | AnonymousUser, *, today: dt.date) -> list[Programme]:
    """The group programmes a TM may start a group of (in force today; LI/HI only where switched on)."""
    return [p for p in programmes_for_area(user, on=today) if p.delivery != Delivery.ONE_TO_ONE]


def programmes_for_plans(user: User | AnonymousUser, *, today: dt.date) -> list[Programme]:
    """The one-to-one programmes in force today."""
    return [p for p in programmes_for_area(user, on=today) if p.delivery == Delivery.ONE_TO_ONE]
