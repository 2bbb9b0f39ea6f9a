"""The programme catalogue as the referral rules read it: the hook `referrals.programme_terms` finds (isotp.hooks).

The catalogue lives here, above the referrals app (sessions imports referrals, never the reverse), so referrals
asks for it through this hook. `AreaCatalogue` loads an area's catalogue versions and closure dates once (two
queries) and answers every later question in Python, so a list of referrals costs no query per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.core.cache import cache
from django.db.models import Q

from accounts.models import AreaClosure, ProbationArea
from referrals.rules import ProgrammeTerms
from sessions.models import Programme
from sessions.rules.pathways import (
    REFERRAL_PATHWAYS,
    eligibility_terms,
    fits_every_start_through,
    latest_start,
)

# "Must start by" answers shared by the requests of one process, and by every process through the cache (Redis)
# (issue 11: the waiting list computed one schedule per waiting referral on every view, so its cost grew with the
# list; kept per process only, each gunicorn worker paid it again, 30-40 ms a waiting referral, several seconds
# for a national-scale list). The key holds everything the pure `latest_start` reads: the catalogue versions (rows
# are never edited in place, so their ids and versions name their content), the area's calendar (jurisdiction and
# closures), the programme, the supervision end and the day. LATEST_RULES_VERSION names the calculation itself:
# change it when `sessions.rules.pathways.latest_start` or the schedule rules change what they answer.
_LATEST_SHARED: OrderedDict[tuple[Any, ...], dt.date | None] = OrderedDict()
LATEST_SHARED_MAX = 100_000
LATEST_RULES_VERSION = 1
LATEST_CACHE_SECONDS = 26 * 3600  # the key holds the day: an entry is of no use after it
_NONE = "none"  # a cached "not offered" (None), told apart from a miss
# Each catalogue's eligibility terms for a planned start, per process (`AreaCatalogue.terms`).
_TERMS_SHARED: OrderedDict[tuple[Any, ...], dict[tuple[str, str], ProgrammeTerms]] = OrderedDict()
TERMS_SHARED_MAX = 10_000


class AreaCatalogue:
    """One area's catalogue (national versions and its own) and calendar, for eligibility and the waiting list."""

    def __init__(self, area: ProbationArea | None) -> None:
        # Without an area (a superuser), the national catalogue and England's bank holidays.
        self._jurisdiction = (area.holiday_subdivision or area.jurisdiction) if area else "ENG"
        self._closures = (
            dict(AreaClosure.objects.filter(area=area).values_list("date", "reason")) if area else {}
        )
        mine = Q(area=area) if area else Q(pk__in=[])
        self._versions = list(
            Programme.objects.filter(Q(area__isnull=True) | mine).order_by("code", "-version")
        )
        self._entries: dict[dt.date, dict[str, dict[str, Any]]] = {}
        self._terms: dict[dt.date, dict[tuple[str, str], ProgrammeTerms]] = {}
        self._latest: dict[tuple[Any, ...], dt.date | None] = {}
        self._fingerprint = (
            self._jurisdiction,
            tuple(sorted(self._closures)),
            tuple((v.pk, v.version, v.valid_from, v.valid_until, v.area_id) for v in self._versions),
        )

    @cached_property
    def _cache_prefix(self) -> str:
        """The shared cache's key prefix, worked out only when the cache is used (issue 11: hashing every version's
        entry cost each AreaCatalogue about 1 ms, and most pages that read the terms never use the cache)."""
        # The shared key names the catalogue by its content too (each version's entry and dates), not only by
        # ids: a rebuilt database (a test run, a restore) reuses ids for other content.
        content = json.dumps(
            [
                self._fingerprint,
                [(v.as_entry(), v.valid_from, v.valid_until, v.area_id) for v in self._versions],
                sorted(self._closures.items()),
            ],
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(content.encode()).hexdigest()[:40]
        return f"latest-start:v{LATEST_RULES_VERSION}:{digest}"

    def entries_on(self, on: dt.date) -> dict[str, dict[str, Any]]:
        """Per code, the entry in force on `on` (the area's own version before the national one, as the services
        schedule with); a code with no version yet on that date takes its earliest version."""
        if on not in self._entries:
            chosen: dict[str, Programme] = {}
            earliest: dict[str, Programme] = {}
            for row in self._versions:
                first = earliest.get(row.code)
                if first is None or row.valid_from < first.valid_from:
                    earliest[row.code] = row
                if row.valid_from > on or (row.valid_until is not None and row.valid_until < on):
                    continue
                held = chosen.get(row.code)
                if held is None or (held.area_id is None and row.area_id is not None):
                    chosen[row.code] = row
            rows = {**earliest, **chosen}
            self._entries[on] = {code: row.as_entry() for code, row in rows.items()}
        return self._entries[on]

    def terms(self, start: dt.date) -> dict[tuple[str, str], ProgrammeTerms]:
        """The `ProgrammeTerms` of every referral programme for a planned start (domain.md §3)."""
        if start not in self._terms:
            # Shared by the requests of this process, keyed like the "must start by" answers (the catalogue
            # versions and the area's calendar): every referral page and the API's referral worked out the five
            # programmes' schedules again (issue 11). The terms are frozen dataclasses, safe to share.
            shared = (self._fingerprint, start)
            if shared not in _TERMS_SHARED:
                terms = eligibility_terms(
                    self.entries_on(start),
                    start=start,
                    jurisdiction=self._jurisdiction,
                    closures=self._closures,
                )
                _remember(shared, terms, _TERMS_SHARED, TERMS_SHARED_MAX)
            self._terms[start] = _TERMS_SHARED[shared]
        return self._terms[start]

    def prefetch_latest_starts(
        self, programme: str, fmt: str, supervision_ends: Iterable[dt.date], *, on: dt.date
    ) -> None:
        """Load the "must start by" of many supervision ends at once (a waiting list's rows): from this process's
        memory, then the cache in one round trip; what neither holds is computed and stored in both, so
        `latest_start` then answers each row from memory."""
        wanted = {
            end
            for end in supervision_ends
            if (programme, fmt, end, on) not in self._latest
            and (self._fingerprint, programme, fmt, end, on) not in _LATEST_SHARED
        }
        if not wanted:
            return
        keys = {
            f"{self._cache_prefix}:{programme}:{fmt}:{end.isoformat()}:{on.isoformat()}": end
            for end in wanted
        }
        found = cache.get_many(list(keys))
        for key, value in found.items():
            end = keys[key]
            answer = None if value == _NONE else dt.date.fromisoformat(value)
            self._latest[(programme, fmt, end, on)] = answer
            _remember((self._fingerprint, programme, fmt, end, on), answer)
        computed = {
            key: self.latest_start(programme, fmt, end, on=on)
            for key, end in keys.items()
            if key not in found
        }
        if computed:
            cache.set_many(
                {key: value.isoformat() if value else _NONE for key, value in computed.items()},
                LATEST_CACHE_SECONDS,
            )

    def _pathway(self, programme: str, fmt: str, on: dt.date) -> list[dict[str, Any]] | None:
        """The catalogue entries a referral to (programme, format) runs through, in order, on `on`; None when any
        of them is not offered then (no "must start by" at all)."""
        entries = self.entries_on(on)
        codes = REFERRAL_PATHWAYS.get((programme, fmt), ())
        found = [entries[code] for code in codes if code in entries]
        return found if found and len(found) == len(codes) else None

    def latest_start(
        self, programme: str, fmt: str, supervision_end: dt.date, *, on: dt.date
    ) -> dt.date | None:
        """The waiting list's "must start by": the same schedule as SUPERVISION_ENDS_TOO_SOON (None: not offered)."""
        key = (programme, fmt, supervision_end, on)
        shared = (self._fingerprint, *key)
        if key not in self._latest and shared in _LATEST_SHARED:
            self._latest[key] = _LATEST_SHARED[shared]
        if key not in self._latest:
            pathway = self._pathway(programme, fmt, on)
            self._latest[key] = (
                latest_start(
                    pathway,
                    supervision_end=supervision_end,
                    jurisdiction=self._jurisdiction,
                    closures=self._closures,
                )
                if pathway
                else None
            )
            _remember(shared, self._latest[key])
        return self._latest[key]

    def ends_needing_a_start_before(
        self, programme: str, fmt: str, last_start: dt.date, *, on: dt.date
    ) -> dt.date | None:
        """The earliest supervision end whose "must start by" (`latest_start`, on `on`) is `last_start` or later:
        every end before it must start before `last_start`, and no end on or after it (None: not offered, so no
        "must start by" at all). Lets a list find in SQL the few people whose "must start by" falls before a date
        (the TM home's "must start soon") instead of working it out for everyone waiting; kept like `latest_start`
        (this process, then the cache)."""
        key = ("fits-through", programme, fmt, last_start, on)
        shared = (self._fingerprint, *key)
        if key in self._latest:
            return self._latest[key]
        if shared in _LATEST_SHARED:
            self._latest[key] = _LATEST_SHARED[shared]
            return self._latest[key]
        cache_key = (
            f"{self._cache_prefix}:fits-through:{programme}:{fmt}:{last_start.isoformat()}:{on.isoformat()}"
        )
        value = cache.get(cache_key)
        if value is not None:
            answer = None if value == _NONE else dt.date.fromisoformat(value)
        else:
            pathway = self._pathway(programme, fmt, on)
            answer = (
                fits_every_start_through(
                    pathway, last_start=last_start, jurisdiction=self._jurisdiction, closures=self._closures
                )
                if pathway
                else None
            )
            cache.set(cache_key, answer.isoformat() if answer else _NONE, LATEST_CACHE_SECONDS)
        self._latest[key] = answer
        _remember(shared, answer)
        return answer


def _remember(
    key: tuple[Any, ...],
    answer: Any,
    store: OrderedDict[tuple[Any, ...], Any] = _LATEST_SHARED,
    most: int = LATEST_SHARED_MAX,
) -> None:
    """Keep `answer` in a process's bounded store (the "must start by" answers unless told), the oldest dropped."""
    store[key] = answer
    if len(store) > most:
        store.popitem(last=False)


def area_catalogue(area: ProbationArea | None) -> AreaCatalogue:
    """The hook: an area's catalogue for the referral rules (two queries)."""
    return AreaCatalogue(area)
