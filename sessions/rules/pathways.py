"""What a referral's programme means in the catalogue: its entries, its age band, and how long it runs from a start.

Pure rules (no Django). One calculation serves two rules, so they cannot disagree (domain.md §3
SUPERVISION_ENDS_TOO_SOON, and the waiting list's "must start by"): `programme_end` places the programme's
sessions from a start date at the catalogue cadence, skipping the area's bank holidays and closures
(`generate_schedule`, domain.md §5), and `latest_start` is the last date on or before which every start still
ends on or before the supervision end date.

Decisions where the sources are silent:
- The length is the longest the catalogue allows (`sessions_max`) at one slot a week (or a month, at a monthly
  cadence), the slowest pace an area may run it: a "must start by" date must hold whatever pace a group chooses.
- The slot falls on the start's weekday (a start on a Saturday or Sunday meets from the Monday after).
- N-SOGP is the Core Group and then Relapse Prevention (002: 180 hours in all), the longest route; each later
  entry starts after the one before ends, on the same weekday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any

from referrals.rules.eligibility import ProgrammeTerms

from .catalogue import SessionTemplate, session_templates
from .schedule import Slot, generate_schedule

# Referral (programme, format) -> the catalogue entries it runs through, in order (002: Core Group, then RP).
REFERRAL_PATHWAYS: dict[tuple[str, str], tuple[str, ...]] = {
    ("isotp", "group"): ("isotp_group",),
    ("isotp", "one_to_one"): ("isotp_one_to_one",),
    ("nsogp", "group"): ("nsogp_core_group", "nsogp_relapse_prevention"),
    ("li", "group"): ("li_group",),
    ("hi", "group"): ("hi_group",),
}
_SLOT_TIME = time(10, 0)  # the hour does not change a date; any start inside a day will do


def _first_weekday(start: date) -> date:
    return start + timedelta(days=(7 - start.weekday()) % 7) if start.weekday() >= 5 else start


def _longest_plan(entry: Mapping[str, Any]) -> dict[int, int]:
    """Each module's default, then the modules grown in order (within their ranges) up to the entry's maximum."""
    modules = entry["modules"]
    plan = {int(m["number"]): int(m.get("sessions", m.get("sessions_min", 0))) for m in modules}
    extra = int(entry["sessions_max"]) - sum(plan.values())
    for m in modules:
        if extra <= 0:
            break
        number = int(m["number"])
        room = int(m.get("sessions_max", m.get("sessions", 0))) - plan[number]
        take = max(0, min(room, extra))
        plan[number] += take
        extra -= take
    return plan


def sessions_in(entries: Sequence[Mapping[str, Any]]) -> int:
    """The most sessions the entries allow, in all."""
    return sum(int(entry["sessions_max"]) for entry in entries)


def programme_end(
    entries: Sequence[Mapping[str, Any]],
    *,
    start: date,
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
) -> date:
    """The date of the last session of `entries` run one after another from `start` (see the module note)."""
    if not entries:
        raise ValueError("A programme needs at least one catalogue entry.")
    return _end_of(_planned(entries), start=start, jurisdiction=jurisdiction, closures=closures)


def _planned(entries: Sequence[Mapping[str, Any]]) -> list[tuple[list[SessionTemplate], str]]:
    """Each entry's sessions at their longest, with its cadence (worked out once per search, not per start)."""
    return [(session_templates(entry, _longest_plan(entry)), str(entry["cadence"])) for entry in entries]


def _end_of(
    planned: Sequence[tuple[list[SessionTemplate], str]],
    *,
    start: date,
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date],
) -> date:
    """`programme_end` of planned entries: the one calculation both rules read."""
    first = _first_weekday(start)
    slot = Slot(weekday=first.weekday(), start_time=_SLOT_TIME)
    day = first
    last = first
    for templates, cadence in planned:
        schedule = generate_schedule(
            templates,
            start_date=day,
            slots=[slot],
            jurisdiction=jurisdiction,
            closures=closures,
            cadence=cadence,
        )
        last = schedule.sessions[-1].date
        day = last + timedelta(days=1)
    return last


def _shortest_span(entries: Sequence[Mapping[str, Any]]) -> timedelta:
    """No start can end sooner than this after it: each entry's sessions one cadence apart (a week, or at least 28
    days a month) with nothing skipped, and each later entry from the day after the one before ends. Bank holidays,
    closures and a weekend start only make a programme longer."""
    days = 0
    for entry in entries:
        sessions = len(session_templates(entry, _longest_plan(entry)))
        days += (sessions - 1) * (28 if entry["cadence"] == "monthly" else 7)
    return timedelta(days=days + len(entries) - 1)


def latest_start(
    entries: Sequence[Mapping[str, Any]],
    *,
    supervision_end: date,
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
) -> date:
    """The waiting list's "must start by" (003: so the programme can be completed): the latest date D such that
    EVERY start on or before D ends, by `programme_end` (the one calculation behind SUPERVISION_ENDS_TOO_SOON), on
    or before `supervision_end`. A true deadline: whatever day of the week a group starts on, up to D, it passes.

    The end does not grow steadily with the start: it depends on the start's weekday and the holidays falling on
    that weekday (tester of issue 7, no. 1: the last start that fits was a Wednesday, but a Monday before it ends
    too late because of the Monday bank holidays). Within one weekday it does grow steadily (a weekly slot a week
    later meets on the same weekdays, each no earlier; a weekend start meets from the Monday after). So for each of
    the seven weekdays the search finds the last start on that weekday that fits, walking back a week at a time
    from the latest start that could possibly fit (`_shortest_span` before the supervision end); the weekday's
    first start that does not fit is a week later, and D is the day before the earliest of those seven.
    """
    closed = closures if isinstance(closures, Mapping) else dict.fromkeys(closures, "")
    planned = _planned(entries)
    upper = supervision_end - _shortest_span(entries)
    first_failure = upper + timedelta(days=1)  # the earliest start known not to fit (any later cannot)
    for back in range(7):
        candidate = upper - timedelta(days=back)
        if candidate >= first_failure:
            # Only a failure before the earliest so far matters: start from this weekday's last date before it.
            candidate -= timedelta(weeks=(candidate - first_failure).days // 7 + 1)
        while _end_of(planned, start=candidate, jurisdiction=jurisdiction, closures=closed) > supervision_end:
            candidate -= timedelta(weeks=1)
        first_failure = min(first_failure, candidate + timedelta(weeks=1))
    return first_failure - timedelta(days=1)


def fits_every_start_through(
    entries: Sequence[Mapping[str, Any]],
    *,
    last_start: date,
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
) -> date:
    """The earliest supervision end by which EVERY start on or before `last_start` ends: `latest_start(entries,
    supervision_end=E)` is `last_start` or later exactly when E is this date or later (its definition, with the
    same within-a-weekday growth `latest_start` relies on: the latest end of the starts up to `last_start` is that
    of one of its last seven days). A supervision end before it has a "must start by" before `last_start`."""
    closed = closures if isinstance(closures, Mapping) else dict.fromkeys(closures, "")
    planned = _planned(entries)
    return max(
        _end_of(planned, start=last_start - timedelta(days=back), jurisdiction=jurisdiction, closures=closed)
        for back in range(7)
    )


def eligibility_terms(
    entries_by_code: Mapping[str, Mapping[str, Any]],
    *,
    start: date,
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
) -> dict[tuple[str, str], ProgrammeTerms]:
    """The `ProgrammeTerms` eligibility reads for each referral programme the catalogue holds: the age band of its
    first entry (the one a man is allocated to first) and where it ends from `start`."""
    closed = closures if isinstance(closures, Mapping) else dict.fromkeys(closures, "")
    terms: dict[tuple[str, str], ProgrammeTerms] = {}
    for key, codes in REFERRAL_PATHWAYS.items():
        entries = [entries_by_code[code] for code in codes if code in entries_by_code]
        if len(entries) != len(codes):
            continue
        first = entries[0]
        band = first.get("young_adult_band")
        terms[key] = ProgrammeTerms(
            min_age=int(first["min_age"]),
            max_age=first["max_age"],
            young_adult_band=(int(band["min_age"]), int(band["max_age"])) if band else None,
            sessions=sessions_in(entries),
            ends_on=programme_end(entries, start=start, jurisdiction=jurisdiction, closures=closed),
        )
    return terms
