"""Session dates: generation from weekly (or monthly) slots, rescheduling, provider cancellations and clashes.

Pure rules (domain.md §5, §6): no Django, "today" is passed in, plain values in and out. Non-working days are the
bank holidays of the area's jurisdiction (the ``holidays`` package, GB with a subdivision) plus the area's closure
dates; a skipped date moves the session to the next slot date.

Monthly cadence (N-SOGP Long Term Monitoring and Support meets once a month, 002): the group meets on the same
weekday-of-month as its first slot date on or after the start date (the first, second, third or fourth Monday...;
a fifth occurrence means "the last" of the month). A skipped monthly date moves to the next month's slot date.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

import holidays

from isotp.dates import weekday_date

from .catalogue import SessionTemplate

# domain.md §5: England & Wales, or Northern Ireland for PBNI.
JURISDICTION_SUBDIVISIONS: dict[str, str] = {"england_and_wales": "ENG", "northern_ireland": "NIR"}
_SUBDIVISION_CODES = frozenset({"ENG", "WLS", "NIR"})
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HORIZON_DAYS = 366 * 30  # refuse rather than loop for ever when closures block every slot


class ScheduleError(ValueError):
    """A scheduling request the rules refuse; ``code`` is the rule code, the message says why in plain English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Slot:
    """A weekly meeting slot: weekday (0 = Monday) and start time."""

    weekday: int  # 0 = Monday, as date.weekday()
    start_time: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("The weekday must be 0 (Monday) to 6 (Sunday).")

    def label(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()} {self.start_time:%H:%M}"


@dataclass(frozen=True)
class PlannedSession:
    number: int
    module: int
    module_title: str
    block: int | None
    date: date
    start: time
    end: time


@dataclass(frozen=True)
class SkippedDate:
    date: date
    reason: str  # e.g. "Easter Monday (bank holiday)", "Area closure: staff training day"


@dataclass(frozen=True)
class Schedule:
    sessions: tuple[PlannedSession, ...]
    skipped: tuple[SkippedDate, ...]


@dataclass(frozen=True)
class ExistingSession:
    """A session already on the calendar, as the rescheduling rules need it."""

    number: int
    date: date
    start: time
    end: time
    cancelled: bool = False  # cancelled sessions hold no date: they never move and never block a move


@dataclass(frozen=True)
class Move:
    number: int
    old_date: date
    new_date: date
    start: time
    end: time


@dataclass(frozen=True)
class Booking:
    """Something that occupies a facilitator or a venue: ``ref`` identifies it, ``label`` names it to a person."""

    ref: str
    label: str
    date: date
    start: time
    end: time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"{self.label} must end after it starts.")


def parse_weekday(name: str) -> int:
    """'monday' (or 'Mon') -> 0 ... 'sunday' -> 6."""
    key = name.strip().lower()
    for index, day in enumerate(WEEKDAYS):
        if key == day or (len(key) >= 3 and day.startswith(key)):
            return index
    raise ValueError(f"{name!r} is not a day of the week.")


def format_date(day: date) -> str:
    """GOV.UK style, whatever the server's locale: 'Monday 29 March 2027'."""
    return weekday_date(day)


def subdivision_for(jurisdiction: str) -> str:
    """The ``holidays`` GB subdivision for a jurisdiction name or code."""
    if jurisdiction in JURISDICTION_SUBDIVISIONS:
        return JURISDICTION_SUBDIVISIONS[jurisdiction]
    if jurisdiction.upper() in _SUBDIVISION_CODES:
        return jurisdiction.upper()
    raise ValueError(
        f"Unknown jurisdiction {jurisdiction!r}: use england_and_wales, northern_ireland, ENG, WLS or NIR."
    )


def bank_holidays(jurisdiction: str, years: Iterable[int]) -> dict[date, str]:
    """Bank holidays by date, with substitute days named '... (substitute day)'.

    domain.md §5: always pass a subdivision; plain "GB" misses Easter Monday (an England, Wales and Northern
    Ireland holiday, not a Scottish one), and only NIR has 17 March and 12 July.
    """
    subdivision = subdivision_for(jurisdiction)
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        found.update(_year_holidays(subdivision, year))
    return found


@functools.lru_cache(maxsize=256)
def _year_holidays(subdivision: str, year: int) -> tuple[tuple[date, str], ...]:
    """One year's bank holidays of a subdivision, built once per process (the holidays package is slow to build
    a year, and a waiting list asks for the same years many times)."""
    found = holidays.country_holidays("GB", subdiv=subdivision, years=[year])
    return tuple(
        (day, str(name).replace("(observed)", "(substitute day)")) for day, name in sorted(found.items())
    )


class _Calendar:
    """Answers "why is this day not a working day?", loading bank holidays a year at a time."""

    def __init__(self, jurisdiction: str, closures: Mapping[date, str] | Iterable[date]) -> None:
        self._jurisdiction = jurisdiction
        subdivision_for(jurisdiction)  # fail now on a bad jurisdiction, not at the first date
        self._holidays: dict[date, str] = {}
        self._years: set[int] = set()
        if isinstance(closures, Mapping):
            self._closures = {
                d: f"Area closure: {why}" if str(why).strip() else "Area closure"
                for d, why in closures.items()
            }
        else:
            self._closures = dict.fromkeys(closures, "Area closure")

    def reason(self, day: date) -> str | None:
        if day.year not in self._years:
            self._holidays.update(bank_holidays(self._jurisdiction, [day.year]))
            self._years.add(day.year)
        name = self._holidays.get(day)
        if name is not None:
            if "(substitute day)" in name:
                return name.replace("(substitute day)", "(substitute day, bank holiday)")
            return name if "bank holiday" in name.lower() else f"{name} (bank holiday)"
        return self._closures.get(day)


def non_working_reason(
    day: date, *, jurisdiction: str, closures: Mapping[date, str] | Iterable[date] = ()
) -> str | None:
    """Why no session may be held on ``day`` (bank holiday or area closure), or None if it is a working day."""
    return _Calendar(jurisdiction, closures).reason(day)


def _check_slots(slots: Sequence[Slot], cadence: str) -> list[Slot]:
    # domain.md §5: a group has one or two weekly slots (000: i-SOTP runs once or twice a week).
    if cadence not in ("weekly", "monthly"):
        raise ValueError("The cadence must be weekly or monthly.")
    if not slots:
        raise ValueError("Choose at least one slot (a weekday and a start time).")
    if len(slots) > 2:
        raise ValueError(f"A group meets on one or two weekly slots, not {len(slots)}.")
    if len(slots) == 2:
        first, second = slots
        if first == second:
            raise ValueError(f"The slot {first.label()} is given twice.")
        if first.weekday == second.weekday:
            raise ValueError(
                f"Both slots are on {WEEKDAYS[first.weekday].capitalize()}: choose two different days."
            )
        if cadence == "monthly":
            raise ValueError("A monthly group meets on one slot.")
    return sorted(slots, key=lambda s: (s.weekday, s.start_time))


def _week_of_month(day: date) -> int:
    ordinal = (day.day - 1) // 7 + 1
    return -1 if ordinal == 5 else ordinal


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    if ordinal == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def _slot_dates(
    slots: list[Slot], first_day: date, cadence: str, ordinal: int | None = None
) -> Iterator[tuple[date, Slot]]:
    """Every slot date on or after ``first_day`` in date order (both weekly slots interleave by date)."""
    limit = first_day + timedelta(days=_HORIZON_DAYS)
    if cadence == "weekly":
        by_weekday = {s.weekday: s for s in slots}
        day = first_day
        while day <= limit:
            slot_today = by_weekday.get(day.weekday())
            if slot_today is not None:
                yield day, slot_today
            # Straight to the next slot weekday (a day at a time cost a week of steps per session).
            day += timedelta(days=min((w - day.weekday() - 1) % 7 + 1 for w in by_weekday))
    else:
        slot = slots[0]
        if ordinal is None:
            ordinal = _week_of_month(first_day + timedelta(days=(slot.weekday - first_day.weekday()) % 7))
        year, month = first_day.year, first_day.month
        while date(year, month, 1) <= limit:
            day = _nth_weekday(year, month, slot.weekday, ordinal)
            if day >= first_day:
                yield day, slot
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError("No free slot date in the next 30 years: check the closure dates.")


def _add_minutes(start: time, minutes: int) -> time:
    total = start.hour * 60 + start.minute + minutes
    if total >= 24 * 60 or minutes <= 0:
        raise ValueError(
            f"A session of {minutes} minutes starting at {start:%H:%M} must end before midnight."
        )
    return time(total // 60, total % 60)


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def generate_schedule(
    templates: Sequence[SessionTemplate],
    *,
    start_date: date,
    slots: Sequence[Slot],
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
    cadence: str = "weekly",
) -> Schedule:
    """Place the sessions in template order on successive free slot dates on or after ``start_date``.

    domain.md §5: bank holidays of the jurisdiction and the area's closure dates are skipped, and a skipped date
    moves the session to the next slot date. ``skipped`` lists the dates passed over, with the reason.
    """
    ordered_slots = _check_slots(slots, cadence)
    working = _Calendar(jurisdiction, closures)
    sessions: list[PlannedSession] = []
    skipped: list[SkippedDate] = []
    dates = _slot_dates(ordered_slots, start_date, cadence)
    for template in templates:
        for day, slot in dates:
            reason = working.reason(day)
            if reason is not None:
                skipped.append(SkippedDate(day, reason))
                continue
            sessions.append(
                PlannedSession(
                    number=template.number,
                    module=template.module,
                    module_title=template.module_title,
                    block=template.block,
                    date=day,
                    start=slot.start_time,
                    end=_add_minutes(slot.start_time, template.duration_minutes),
                )
            )
            break
    return Schedule(sessions=tuple(sessions), skipped=tuple(skipped))


def _free_slot_dates(
    after: date, slots: Sequence[Slot], cadence: str, working: _Calendar, ordinal: int | None
) -> Iterator[tuple[date, Slot]]:
    for day, slot in _slot_dates(_check_slots(slots, cadence), after + timedelta(days=1), cadence, ordinal):
        if working.reason(day) is None:
            yield day, slot


def _active_in_order(
    sessions: Sequence[ExistingSession], session_number: int
) -> tuple[list[ExistingSession], int]:
    """Sessions that hold a date (plus the target even if cancelled), in number order, and the target's index."""
    numbers = [s.number for s in sessions]
    if len(set(numbers)) != len(numbers):
        raise ValueError("Each session number may appear only once.")
    active = sorted(
        (s for s in sessions if not s.cancelled or s.number == session_number), key=lambda s: s.number
    )
    for index, session in enumerate(active):
        if session.number == session_number:
            return active, index
    raise ScheduleError("UNKNOWN_SESSION", f"There is no session {session_number} in this schedule.")


def _refuse_past(session: ExistingSession, today: date) -> None:
    # domain.md §5: past sessions never move.
    if session.date < today:
        raise ScheduleError(
            "PAST_SESSION",
            f"Session {session.number} was on {format_date(session.date)}, in the past: past sessions never move.",
        )


def _monthly_ordinal(active: list[ExistingSession], cadence: str) -> int | None:
    return _week_of_month(min(s.date for s in active)) if cadence == "monthly" else None


def _cascade(later: Iterable[ExistingSession], today: date, free: Iterator[tuple[date, Slot]]) -> list[Move]:
    moves: list[Move] = []
    for session in later:
        if session.date < today:
            continue  # domain.md §5: past sessions never move
        day, slot = next(free)
        end = _add_minutes(slot.start_time, _minutes(session.start, session.end))
        if (day, slot.start_time) != (session.date, session.start):
            moves.append(Move(session.number, session.date, day, slot.start_time, end))
    return moves


def reschedule(
    sessions: Sequence[ExistingSession],
    *,
    session_number: int,
    new_date: date,
    new_start: time | None = None,
    cascade: bool,
    today: date,
    slots: Sequence[Slot],
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
    cadence: str = "weekly",
) -> list[Move]:
    """Move one session to ``new_date`` (any working day, not only a slot day); with ``cascade`` every later
    session follows on the next free slot dates after it, in order. Unchanged sessions are left out.

    Refusals (ScheduleError.code): UNKNOWN_SESSION, PAST_SESSION, DATE_IN_PAST, NON_WORKING_DAY, OUT_OF_ORDER.
    """
    active, index = _active_in_order(sessions, session_number)
    target = active[index]
    _refuse_past(target, today)
    if new_date < today:
        raise ScheduleError("DATE_IN_PAST", f"{format_date(new_date)} is in the past: choose today or later.")
    working = _Calendar(jurisdiction, closures)
    reason = working.reason(new_date)
    if reason is not None:  # domain.md §5: no sessions on bank holidays or closure dates
        raise ScheduleError("NON_WORKING_DAY", f"{format_date(new_date)} is not a working day: {reason}.")
    previous = active[index - 1] if index > 0 else None
    if previous is not None and new_date <= previous.date:
        raise ScheduleError(
            "OUT_OF_ORDER",
            f"Session {target.number} cannot move to {format_date(new_date)}: session {previous.number} is on "
            f"{format_date(previous.date)}, and sessions stay in order.",
        )
    start = new_start or target.start
    end = _add_minutes(start, _minutes(target.start, target.end))
    moves = (
        []
        if (new_date, start) == (target.date, target.start)
        else [Move(target.number, target.date, new_date, start, end)]
    )
    later = active[index + 1 :]
    if not cascade:
        if later and new_date >= later[0].date:
            raise ScheduleError(
                "OUT_OF_ORDER",
                f"Session {target.number} cannot move to {format_date(new_date)}: session {later[0].number} is "
                f"on {format_date(later[0].date)}. Move the later sessions too, or choose an earlier date.",
            )
        return moves
    free = _free_slot_dates(new_date, slots, cadence, working, _monthly_ordinal(active, cadence))
    return moves + _cascade(later, today, free)


def provider_cancellation(
    sessions: Sequence[ExistingSession],
    *,
    session_number: int,
    today: date,
    slots: Sequence[Slot],
    jurisdiction: str,
    closures: Mapping[date, str] | Iterable[date] = (),
    cadence: str = "weekly",
) -> list[Move]:
    """A session cancelled by the provider is rescheduled for everyone (domain.md §6): it and every later session
    move to the next free slot dates after its date, in order. A past session cannot be cancelled (PAST_SESSION).
    """
    active, index = _active_in_order(sessions, session_number)
    target = active[index]
    _refuse_past(target, today)
    working = _Calendar(jurisdiction, closures)
    free = _free_slot_dates(target.date, slots, cadence, working, _monthly_ordinal(active, cadence))
    return _cascade(active[index:], today, free)


def find_clashes(candidate: Booking, existing: Iterable[Booking]) -> list[Booking]:
    """Bookings that overlap the candidate on the same date (domain.md §5: no double-booking of a facilitator or
    venue). Touching (one ends as the other starts) is not a clash; a booking with the candidate's ref is itself.
    """
    clashes = [
        booking
        for booking in existing
        if booking.ref != candidate.ref
        and booking.date == candidate.date
        and booking.start < candidate.end
        and candidate.start < booking.end
    ]
    return sorted(clashes, key=lambda b: (b.date, b.start, b.ref))


def block_boundaries(sessions: Sequence[PlannedSession]) -> list[PlannedSession]:
    """The first session of each block, in date order: where the block number changes (so repeated cycles of a
    rolling group give a boundary at every block)."""
    boundaries: list[PlannedSession] = []
    previous_block: int | None = None
    for session in sorted(sessions, key=lambda s: (s.date, s.start)):
        if session.block is not None and session.block != previous_block:
            boundaries.append(session)
        previous_block = session.block
    return boundaries


def next_join_point(sessions: Sequence[PlannedSession], today: date) -> PlannedSession | None:
    """The first block boundary on or after ``today``: 002, new members join the rolling Core Group only at a
    block boundary. None when no boundary is left (generate the next cycle)."""
    return next((s for s in block_boundaries(sessions) if s.date >= today), None)
