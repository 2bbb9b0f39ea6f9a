"""What the referral rules read from the programme catalogue: each programme's age band and where it ends from a
planned start (domain.md §3 "One source for ages", SUPERVISION_ENDS_TOO_SOON), and the waiting list's "must start
by", the same schedule calculation.

The catalogue belongs to the sessions app, which stands above this one (sessions imports referrals, never the
reverse), so an installed app provides it through the app-hook mechanism (`<app>.programme_terms.area_catalogue`,
see isotp.hooks); with none installed this fails loudly rather than guess the ages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

from isotp.hooks import app_hooks
from referrals.rules import ProgrammeTerms

if TYPE_CHECKING:
    from accounts.models import ProbationArea


class AreaCatalogue(Protocol):
    def terms(self, start: dt.date) -> Mapping[tuple[str, str], ProgrammeTerms]: ...

    def prefetch_latest_starts(
        self, programme: str, fmt: str, supervision_ends: Iterable[dt.date], *, on: dt.date
    ) -> None: ...

    def latest_start(
        self, programme: str, fmt: str, supervision_end: dt.date, *, on: dt.date
    ) -> dt.date | None: ...

    def ends_needing_a_start_before(
        self, programme: str, fmt: str, last_start: dt.date, *, on: dt.date
    ) -> dt.date | None: ...


def catalogue_for(area: ProbationArea | None) -> AreaCatalogue:
    """The area's catalogue as the rules read it (loaded once: pass it on to read it for many referrals); without
    an area, the national catalogue."""
    for hook in app_hooks("programme_terms", "area_catalogue"):
        catalogue: AreaCatalogue = hook(area)
        return catalogue
    raise ImproperlyConfigured(
        "No installed app provides programme_terms.area_catalogue (the sessions app does)"
    )
