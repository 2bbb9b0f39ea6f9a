"""Schedule generation, rescheduling, provider cancellation, clashes and join points, with real bank holidays."""

from __future__ import annotations

import itertools
import re
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.rules import (
    Booking,
    ExistingSession,
    Move,
    ScheduleError,
    SessionTemplate,
    SkippedDate,
    Slot,
    bank_holidays,
    block_boundaries,
    entry_by_code,
    find_clashes,
    generate_schedule,
    next_join_point,
    non_working_reason,
    parse_weekday,
    provider_cancellation,
    reschedule,
    session_templates,
)

D = date.fromisoformat
MON, TUE, WED, THU, FRI = range(5)
SIX_PM, TEN_AM = time(18), time(10)
ISOTP_GROUP = entry_by_code("isotp_group")


def templates(count: int, minutes: int = 120) -> list[SessionTemplate]:
    return [SessionTemplate(n, 1, "Module", None, minutes) for n in range(1, count + 1)]


def dates_of(schedule) -> list[date]:
    return [s.date for s in schedule.sessions]


# --- bank holidays -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "day", "name"),
    [
        ("england_and_wales", "2027-03-26", "Good Friday"),
        ("england_and_wales", "2027-03-29", "Easter Monday"),
        ("ENG", "2026-04-03", "Good Friday"),
        ("ENG", "2026-04-06", "Easter Monday"),
        ("WLS", "2027-03-29", "Easter Monday"),
        ("ENG", "2027-05-03", "May Day"),
        ("ENG", "2027-05-31", "Spring Bank Holiday"),
        ("ENG", "2027-08-30", "Late Summer Bank Holiday"),
        ("ENG", "2027-12-27", "Christmas Day (substitute day)"),
        ("ENG", "2027-12-28", "Boxing Day (substitute day)"),
        ("ENG", "2026-12-25", "Christmas Day"),
        ("ENG", "2026-12-28", "Boxing Day (substitute day)"),
        ("northern_ireland", "2027-03-17", "Saint Patrick's Day"),
        ("NIR", "2027-07-12", "Battle of the Boyne"),
        ("nir", "2026-07-13", "Battle of the Boyne (substitute day)"),  # 12 July 2026 is a Sunday
        ("NIR", "2027-03-29", "Easter Monday"),
    ],
)
def test_bank_holidays_by_jurisdiction(jurisdiction, day, name):
    assert bank_holidays(jurisdiction, [D(day).year])[D(day)] == name


@pytest.mark.parametrize("day", ["2027-03-17", "2027-07-12", "2026-07-13"])
def test_england_and_wales_do_not_have_northern_ireland_holidays(day):
    assert D(day) not in bank_holidays("england_and_wales", [D(day).year])
    assert non_working_reason(D(day), jurisdiction="ENG") is None


def test_unknown_jurisdiction_is_refused():
    with pytest.raises(ValueError, match="Unknown jurisdiction 'scotland'"):
        bank_holidays("scotland", [2027])


def test_no_years_no_holidays():
    assert bank_holidays("ENG", []) == {}


# --- slots ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "weekday"), [("monday", 0), ("Thursday", 3), (" sun ", 6), ("wed", 2)])
def test_parse_weekday(name, weekday):
    assert parse_weekday(name) == weekday


@pytest.mark.parametrize("name", ["", "mo", "someday"])
def test_parse_weekday_refuses_nonsense(name):
    with pytest.raises(ValueError, match="not a day of the week"):
        parse_weekday(name)


def test_slot_weekday_must_be_a_day():
    with pytest.raises(ValueError, match="0 \\(Monday\\) to 6"):
        Slot(7, SIX_PM)


@pytest.mark.parametrize(
    ("slots", "cadence", "message"),
    [
        ([], "weekly", "at least one slot"),
        (
            [Slot(MON, SIX_PM), Slot(TUE, SIX_PM), Slot(THU, SIX_PM)],
            "weekly",
            "one or two weekly slots, not 3",
        ),
        ([Slot(MON, SIX_PM), Slot(MON, SIX_PM)], "weekly", "Monday 18:00 is given twice"),
        ([Slot(MON, SIX_PM), Slot(MON, TEN_AM)], "weekly", "Both slots are on Monday"),
        ([Slot(MON, SIX_PM), Slot(THU, SIX_PM)], "monthly", "monthly group meets on one slot"),
        ([Slot(MON, SIX_PM)], "fortnightly", "weekly or monthly"),
    ],
)
def test_bad_slots_are_refused(slots, cadence, message):
    with pytest.raises(ValueError, match=message):
        generate_schedule(
            templates(3), start_date=D("2027-01-04"), slots=slots, jurisdiction="ENG", cadence=cadence
        )


# --- generation over holidays (table-driven) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "weekday", "start", "expected", "skipped"),
    [
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March
        (
            "ENG",
            MON,
            "2027-03-22",
            ["2027-03-22", "2027-04-05", "2027-04-12"],
            [("2027-03-29", "Easter Monday (bank holiday)")],
        ),
        (
            "ENG",
            FRI,
            "2027-03-19",
            ["2027-03-19", "2027-04-02", "2027-04-09"],
            [("2027-03-26", "Good Friday (bank holiday)")],
        ),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April
        (
            "WLS",
            MON,
            "2026-03-30",
            ["2026-03-30", "2026-04-13", "2026-04-20"],
            [("2026-04-06", "Easter Monday (bank holiday)")],
        ),
        (
            "ENG",
            FRI,
            "2026-03-27",
            ["2026-03-27", "2026-04-10", "2026-04-17"],
            [("2026-04-03", "Good Friday (bank holiday)")],
        ),
        # early May, spring and August bank holidays
        (
            "ENG",
            MON,
            "2027-04-26",
            ["2027-04-26", "2027-05-10", "2027-05-17"],
            [("2027-05-03", "May Day (bank holiday)")],
        ),
        (
            "ENG",
            MON,
            "2027-05-24",
            ["2027-05-24", "2027-06-07", "2027-06-14"],
            [("2027-05-31", "Spring Bank Holiday")],
        ),
        (
            "ENG",
            MON,
            "2027-08-23",
            ["2027-08-23", "2027-09-06", "2027-09-13"],
            [("2027-08-30", "Late Summer Bank Holiday")],
        ),
        # Christmas 2027: 25-26 December fall on Saturday and Sunday -> Monday 27 and Tuesday 28 off;
        # 1 January 2028 is a Saturday -> Monday 3 January off
        (
            "ENG",
            MON,
            "2027-12-20",
            ["2027-12-20", "2028-01-10", "2028-01-17"],
            [
                ("2027-12-27", "Christmas Day (substitute day, bank holiday)"),
                ("2028-01-03", "New Year's Day (substitute day, bank holiday)"),
            ],
        ),
        (
            "ENG",
            TUE,
            "2027-12-21",
            ["2027-12-21", "2028-01-04", "2028-01-11"],
            [("2027-12-28", "Boxing Day (substitute day, bank holiday)")],
        ),
        # Christmas 2026: Friday 25th; Boxing Day on Saturday -> Monday 28th; New Year's Day 2027 a Friday
        (
            "ENG",
            FRI,
            "2026-12-18",
            ["2026-12-18", "2027-01-08", "2027-01-15"],
            [("2026-12-25", "Christmas Day (bank holiday)"), ("2027-01-01", "New Year's Day (bank holiday)")],
        ),
        (
            "ENG",
            MON,
            "2026-12-21",
            ["2026-12-21", "2027-01-04", "2027-01-11"],
            [("2026-12-28", "Boxing Day (substitute day, bank holiday)")],
        ),
        # Northern Ireland: St Patrick's Day and the Twelfth; England and Wales meet as usual
        (
            "NIR",
            WED,
            "2027-03-10",
            ["2027-03-10", "2027-03-24", "2027-03-31"],
            [("2027-03-17", "Saint Patrick's Day (bank holiday)")],
        ),
        ("ENG", WED, "2027-03-10", ["2027-03-10", "2027-03-17", "2027-03-24"], []),
        (
            "northern_ireland",
            MON,
            "2027-07-05",
            ["2027-07-05", "2027-07-19", "2027-07-26"],
            [("2027-07-12", "Battle of the Boyne (bank holiday)")],
        ),
        ("england_and_wales", MON, "2027-07-05", ["2027-07-05", "2027-07-12", "2027-07-19"], []),
        # 12 July 2026 is a Sunday: Northern Ireland takes Monday 13 July
        (
            "NIR",
            MON,
            "2026-07-06",
            ["2026-07-06", "2026-07-20", "2026-07-27"],
            [("2026-07-13", "Battle of the Boyne (substitute day, bank holiday)")],
        ),
        ("ENG", MON, "2026-07-06", ["2026-07-06", "2026-07-13", "2026-07-20"], []),
    ],
)
def test_weekly_schedule_skips_bank_holidays(jurisdiction, weekday, start, expected, skipped):
    schedule = generate_schedule(
        templates(3), start_date=D(start), slots=[Slot(weekday, SIX_PM)], jurisdiction=jurisdiction
    )
    assert dates_of(schedule) == [D(d) for d in expected]
    assert schedule.skipped == tuple(SkippedDate(D(d), reason) for d, reason in skipped)


def test_first_session_is_the_first_slot_date_on_or_after_the_start():
    schedule = generate_schedule(
        templates(2), start_date=D("2027-01-06"), slots=[Slot(MON, SIX_PM)], jurisdiction="ENG"
    )
    assert dates_of(schedule) == [D("2027-01-11"), D("2027-01-18")]


@pytest.mark.parametrize(
    ("closures", "reason"),
    [
        ({D("2027-01-18"): "staff training day"}, "Area closure: staff training day"),
        ({D("2027-01-18"): ""}, "Area closure"),
        ([D("2027-01-18")], "Area closure"),
    ],
)
def test_closure_dates_are_skipped(closures, reason):
    schedule = generate_schedule(
        templates(3),
        start_date=D("2027-01-11"),
        slots=[Slot(MON, SIX_PM)],
        jurisdiction="ENG",
        closures=closures,
    )
    assert dates_of(schedule) == [D("2027-01-11"), D("2027-01-25"), D("2027-02-01")]
    assert schedule.skipped == (SkippedDate(D("2027-01-18"), reason),)


def test_bank_holiday_reason_wins_over_a_closure_on_the_same_day():
    reason = non_working_reason(D("2027-03-29"), jurisdiction="ENG", closures={D("2027-03-29"): "Easter"})
    assert reason == "Easter Monday (bank holiday)"


def test_twice_weekly_slots_interleave_by_date_over_easter():
    # Monday 10:00 and Thursday 18:00, given in reverse order; Easter Monday 2027 is skipped.
    schedule = generate_schedule(
        templates(6),
        start_date=D("2027-03-22"),
        slots=[Slot(THU, SIX_PM), Slot(MON, TEN_AM)],
        jurisdiction="ENG",
    )
    assert [(s.date, s.start, s.end) for s in schedule.sessions] == [
        (D("2027-03-22"), TEN_AM, time(12)),
        (D("2027-03-25"), SIX_PM, time(20)),
        (D("2027-04-01"), SIX_PM, time(20)),
        (D("2027-04-05"), TEN_AM, time(12)),
        (D("2027-04-08"), SIX_PM, time(20)),
        (D("2027-04-12"), TEN_AM, time(12)),
    ]
    assert schedule.skipped == (SkippedDate(D("2027-03-29"), "Easter Monday (bank holiday)"),)


def test_twice_weekly_over_christmas_2027():
    schedule = generate_schedule(
        templates(4),
        start_date=D("2027-12-20"),
        slots=[Slot(MON, SIX_PM), Slot(TUE, SIX_PM)],
        jurisdiction="ENG",
    )
    assert dates_of(schedule) == [D("2027-12-20"), D("2027-12-21"), D("2028-01-04"), D("2028-01-10")]
    assert [s.date for s in schedule.skipped] == [D("2027-12-27"), D("2027-12-28"), D("2028-01-03")]


def test_isotp_group_35_sessions_end_to_end():
    schedule = generate_schedule(
        session_templates(ISOTP_GROUP),
        start_date=D("2027-01-04"),
        slots=[Slot(MON, SIX_PM)],
        jurisdiction="england_and_wales",
    )
    sessions = schedule.sessions
    assert [s.number for s in sessions] == list(range(1, 36))
    assert [s.module for s in sessions] == [1] * 4 + [2] * 8 + [3] * 3 + [4] * 13 + [5] * 4 + [6] * 3
    assert sessions[12].module_title == "Victim Awareness and Taking Responsibility"
    assert all((s.start, s.end) == (SIX_PM, time(20)) for s in sessions)  # 000: sessions of 2 hours
    assert sessions[-1].date == D("2027-09-27")
    assert [s.date for s in schedule.skipped] == [
        D("2027-03-29"),
        D("2027-05-03"),
        D("2027-05-31"),
        D("2027-08-30"),
    ]


def test_isotp_group_twice_weekly_end_to_end():
    schedule = generate_schedule(
        session_templates(ISOTP_GROUP),
        start_date=D("2027-01-04"),
        slots=[Slot(MON, SIX_PM), Slot(THU, SIX_PM)],
        jurisdiction="ENG",
    )
    assert len(schedule.sessions) == 35
    assert schedule.sessions[-1].date == D("2027-05-10")


def test_nsogp_full_day_runs_ten_to_half_past_three():
    schedule = generate_schedule(
        session_templates(entry_by_code("nsogp_core_group")),
        start_date=D("2027-01-05"),
        slots=[Slot(TUE, TEN_AM)],
        jurisdiction="ENG",
    )
    assert (schedule.sessions[0].start, schedule.sessions[0].end) == (TEN_AM, time(15, 30))  # 002


def test_session_ending_after_midnight_is_refused():
    with pytest.raises(ValueError, match="must end before midnight"):
        generate_schedule(
            templates(1, minutes=330),
            start_date=D("2027-01-04"),
            slots=[Slot(MON, time(20))],
            jurisdiction="ENG",
        )


def test_no_templates_no_sessions():
    schedule = generate_schedule(
        [], start_date=D("2027-01-04"), slots=[Slot(MON, SIX_PM)], jurisdiction="ENG"
    )
    assert schedule.sessions == () and schedule.skipped == ()


@pytest.mark.parametrize(
    ("start", "weekday", "expected", "skipped"),
    [
        # first Monday of each month; the first Monday of May is the early May bank holiday -> June
        (
            "2027-01-01",
            MON,
            ["2027-01-04", "2027-02-01", "2027-03-01", "2027-04-05", "2027-06-07"],
            ["2027-05-03"],
        ),
        # 31 March 2027 is the fifth Wednesday: the group meets on the last Wednesday
        ("2027-03-31", WED, ["2027-03-31", "2027-04-28", "2027-05-26", "2027-06-30", "2027-07-28"], []),
        # third Thursday
        ("2027-01-20", THU, ["2027-01-21", "2027-02-18", "2027-03-18", "2027-04-15", "2027-05-20"], []),
    ],
)
def test_monthly_cadence_keeps_the_weekday_of_month(start, weekday, expected, skipped):
    schedule = generate_schedule(
        templates(5),
        start_date=D(start),
        slots=[Slot(weekday, TEN_AM)],
        jurisdiction="ENG",
        cadence="monthly",
    )
    assert dates_of(schedule) == [D(d) for d in expected]
    assert [s.date for s in schedule.skipped] == [D(d) for d in skipped]


def test_a_slot_blocked_for_ever_is_refused_not_looped():
    closures = [D("2027-01-04") + timedelta(weeks=w) for w in range(30 * 53)]
    with pytest.raises(ValueError, match="No free slot date"):
        generate_schedule(
            templates(1),
            start_date=D("2027-01-04"),
            slots=[Slot(MON, SIX_PM)],
            jurisdiction="ENG",
            closures=closures,
        )


@settings(max_examples=150)
@given(
    count=st.integers(min_value=0, max_value=40),
    start=st.dates(min_value=D("2025-01-01"), max_value=D("2030-12-31")),
    weekdays=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=2, unique=True),
    jurisdiction=st.sampled_from(["ENG", "WLS", "NIR"]),
    closure_offsets=st.sets(st.integers(min_value=0, max_value=400), max_size=25),
    cadence=st.sampled_from(["weekly", "weekly", "monthly"]),
)
def test_generated_schedules_hold_their_invariants(
    count, start, weekdays, jurisdiction, closure_offsets, cadence
):
    slots = [Slot(w, time(9 + w)) for w in (weekdays[:1] if cadence == "monthly" else weekdays)]
    closures = {start + timedelta(days=o): "closed" for o in closure_offsets}
    schedule = generate_schedule(
        templates(count),
        start_date=start,
        slots=slots,
        jurisdiction=jurisdiction,
        closures=closures,
        cadence=cadence,
    )
    days = dates_of(schedule)
    assert len(days) == count
    assert all(a < b for a, b in itertools.pairwise(days))
    assert all(d >= start for d in days)
    assert {d.weekday() for d in days} <= {s.weekday for s in slots}
    skipped = {s.date for s in schedule.skipped}
    assert not skipped & set(days)
    holidays = bank_holidays(jurisdiction, range(start.year, start.year + 6))
    assert not (set(holidays) | set(closures)) & set(days)
    assert all(s.start == time(9 + s.date.weekday()) for s in schedule.sessions)


# --- rescheduling --------------------------------------------------------------------------------------------


def existing(*days: str, start: time = SIX_PM, cancelled: tuple[int, ...] = ()) -> list[ExistingSession]:
    end = time(start.hour + 2, start.minute)
    return [ExistingSession(n, D(d), start, end, n in cancelled) for n, d in enumerate(days, 1)]


# Mondays from 1 March 2027; Easter Monday (29 March) was skipped when they were generated.
MARCH = existing("2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-04-05", "2027-04-12")
MONDAYS = [Slot(MON, SIX_PM)]


def move(number: int, old: str, new: str, start: time = SIX_PM, end: time = time(20)) -> Move:
    return Move(number, D(old), D(new), start, end)


def do_reschedule(sessions=MARCH, *, today="2027-03-09", closures=(), slots=MONDAYS, **kwargs):
    return reschedule(sessions, today=D(today), slots=slots, jurisdiction="ENG", closures=closures, **kwargs)


def test_reschedule_one_session_without_cascade():
    moves = do_reschedule(session_number=3, new_date=D("2027-03-17"), cascade=False)
    assert moves == [move(3, "2027-03-15", "2027-03-17")]


def test_reschedule_with_a_new_start_time_keeps_the_length():
    moves = do_reschedule(session_number=3, new_date=D("2027-03-17"), new_start=time(10, 30), cascade=False)
    assert moves == [move(3, "2027-03-15", "2027-03-17", time(10, 30), time(12, 30))]


def test_reschedule_to_the_same_date_and_time_moves_nothing():
    assert do_reschedule(session_number=3, new_date=D("2027-03-15"), cascade=False) == []


@pytest.mark.parametrize(
    ("number", "new_date", "cascade", "today", "code", "message"),
    [
        (
            2,
            "2027-03-10",
            False,
            "2027-03-09",
            "PAST_SESSION",
            "Session 2 was on Monday 8 March 2027, in the past",
        ),
        (3, "2027-03-08", True, "2027-03-09", "DATE_IN_PAST", "Monday 8 March 2027 is in the past"),
        (
            4,
            "2027-03-26",
            True,
            "2027-03-09",
            "NON_WORKING_DAY",
            "Friday 26 March 2027 is not a working day: Good Friday (bank holiday)",
        ),
        (4, "2027-03-29", False, "2027-03-09", "NON_WORKING_DAY", "Easter Monday"),
        (4, "2027-03-24", False, "2027-03-09", "NON_WORKING_DAY", "Area closure: staff training day"),
        (3, "2027-03-22", False, "2027-03-09", "OUT_OF_ORDER", "session 4 is on Monday 22 March 2027"),
        (3, "2027-03-30", False, "2027-03-09", "OUT_OF_ORDER", "session 4 is on Monday 22 March 2027"),
        (4, "2027-03-15", True, "2027-03-09", "OUT_OF_ORDER", "session 3 is on Monday 15 March 2027"),
        (4, "2027-03-10", False, "2027-03-09", "OUT_OF_ORDER", "session 3 is on Monday 15 March 2027"),
        (9, "2027-03-30", True, "2027-03-09", "UNKNOWN_SESSION", "There is no session 9"),
    ],
)
def test_reschedule_refusals(number, new_date, cascade, today, code, message):
    with pytest.raises(ScheduleError, match=re.escape(message)) as refused:
        do_reschedule(
            session_number=number,
            new_date=D(new_date),
            cascade=cascade,
            today=today,
            closures={D("2027-03-24"): "staff training day"},
        )
    assert refused.value.code == code


def test_a_session_today_may_still_move():
    moves = do_reschedule(session_number=3, new_date=D("2027-03-16"), cascade=False, today="2027-03-15")
    assert moves == [move(3, "2027-03-15", "2027-03-16")]


def test_cascade_pushes_later_sessions_past_easter():
    moves = do_reschedule(session_number=3, new_date=D("2027-03-23"), cascade=True)
    assert moves == [
        move(3, "2027-03-15", "2027-03-23"),
        move(4, "2027-03-22", "2027-04-05"),  # Easter Monday skipped
        move(5, "2027-04-05", "2027-04-12"),
        move(6, "2027-04-12", "2027-04-19"),
    ]


def test_cascade_leaves_out_sessions_already_on_their_slot():
    moves = do_reschedule(session_number=3, new_date=D("2027-03-16"), cascade=True)
    assert moves == [move(3, "2027-03-15", "2027-03-16")]


def test_cascade_brings_later_sessions_forward_too():
    moves = do_reschedule(session_number=4, new_date=D("2027-03-17"), cascade=True)
    assert moves == [
        move(4, "2027-03-22", "2027-03-17"),
        move(5, "2027-04-05", "2027-03-22"),
        move(6, "2027-04-12", "2027-04-05"),
    ]


def test_cascade_skips_closures_and_ignores_cancelled_sessions():
    sessions = existing(
        "2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-04-05", "2027-04-12", cancelled=(5,)
    )
    moves = do_reschedule(
        sessions, session_number=3, new_date=D("2027-03-23"), cascade=True, closures=[D("2027-04-05")]
    )
    assert moves == [
        move(3, "2027-03-15", "2027-03-23"),
        move(4, "2027-03-22", "2027-04-12"),
        move(6, "2027-04-12", "2027-04-19"),
    ]


def test_cascade_uses_each_slot_start_time():
    sessions = existing("2027-03-01", "2027-03-04", "2027-03-08", "2027-03-11")
    moves = do_reschedule(
        sessions,
        session_number=2,
        new_date=D("2027-03-05"),
        cascade=True,
        today="2027-03-02",
        slots=[Slot(MON, TEN_AM), Slot(THU, SIX_PM)],
    )
    # session 3 stays on Monday 8 March but takes the Monday slot's 10:00 start; session 4 is unchanged
    assert moves == [
        move(2, "2027-03-04", "2027-03-05"),
        move(3, "2027-03-08", "2027-03-08", TEN_AM, time(12)),
    ]


# --- provider cancellation (domain.md §6) ---------------------------------------------------------------------


def test_provider_cancellation_moves_that_session_and_all_later_ones():
    moves = provider_cancellation(
        MARCH, session_number=3, today=D("2027-03-15"), slots=MONDAYS, jurisdiction="ENG", closures=()
    )
    assert moves == [
        move(3, "2027-03-15", "2027-03-22"),
        move(4, "2027-03-22", "2027-04-05"),  # Easter Monday skipped
        move(5, "2027-04-05", "2027-04-12"),
        move(6, "2027-04-12", "2027-04-19"),
    ]


def test_provider_cancellation_twice_weekly():
    sessions = existing("2027-03-22", "2027-03-25", "2027-04-01", "2027-04-05", cancelled=(2,))
    moves = provider_cancellation(
        sessions,
        session_number=2,
        today=D("2027-03-23"),
        slots=[Slot(MON, SIX_PM), Slot(THU, SIX_PM)],
        jurisdiction="ENG",
    )
    assert moves == [
        move(2, "2027-03-25", "2027-04-01"),
        move(3, "2027-04-01", "2027-04-05"),
        move(4, "2027-04-05", "2027-04-08"),
    ]


def test_provider_cancellation_of_a_past_session_is_refused():
    with pytest.raises(ScheduleError) as refused:
        provider_cancellation(
            MARCH, session_number=2, today=D("2027-03-09"), slots=MONDAYS, jurisdiction="ENG"
        )
    assert refused.value.code == "PAST_SESSION"


def test_provider_cancellation_of_the_last_monthly_session():
    sessions = existing("2027-01-04", "2027-02-01", "2027-03-01")
    moves = provider_cancellation(
        sessions,
        session_number=3,
        today=D("2027-02-20"),
        slots=[Slot(MON, SIX_PM)],
        jurisdiction="ENG",
        cadence="monthly",
    )
    assert moves == [move(3, "2027-03-01", "2027-04-05")]


# --- clashes -------------------------------------------------------------------------------------------------


def booking(ref: str, day: str, start: str, end: str) -> Booking:
    return Booking(ref, f"Booking {ref}", D(day), time.fromisoformat(start), time.fromisoformat(end))


@pytest.mark.parametrize(
    ("other", "clash"),
    [
        (booking("b", "2027-03-01", "17:00", "18:30"), True),  # overlaps the start
        (booking("b", "2027-03-01", "19:30", "21:00"), True),  # overlaps the end
        (booking("b", "2027-03-01", "18:30", "19:00"), True),  # inside
        (booking("b", "2027-03-01", "17:00", "21:00"), True),  # around
        (booking("b", "2027-03-01", "18:00", "20:00"), True),  # identical
        (booking("b", "2027-03-01", "16:00", "18:00"), False),  # ends as the candidate starts
        (booking("b", "2027-03-01", "20:00", "22:00"), False),  # starts as the candidate ends
        (booking("b", "2027-03-02", "18:00", "20:00"), False),  # another day
        (booking("a", "2027-03-01", "18:00", "20:00"), False),  # the candidate itself, being edited
    ],
)
def test_find_clashes(other, clash):
    candidate = booking("a", "2027-03-01", "18:00", "20:00")
    assert find_clashes(candidate, [other]) == ([other] if clash else [])


def test_find_clashes_lists_every_clash_in_time_order():
    candidate = booking("a", "2027-03-01", "10:00", "15:30")
    later, earlier = (
        booking("c", "2027-03-01", "14:00", "16:00"),
        booking("b", "2027-03-01", "09:00", "11:00"),
    )
    assert find_clashes(candidate, [later, booking("d", "2027-03-01", "15:30", "17:00"), earlier]) == [
        earlier,
        later,
    ]


def test_a_booking_must_end_after_it_starts():
    with pytest.raises(ValueError, match="must end after it starts"):
        booking("a", "2027-03-01", "18:00", "18:00")


# --- rolling N-SOGP: join at a block boundary (002) -----------------------------------------------------------

NSOGP = generate_schedule(
    session_templates(entry_by_code("nsogp_core_group")),
    start_date=D("2027-01-05"),
    slots=[Slot(TUE, TEN_AM), Slot(THU, TEN_AM)],
    jurisdiction="ENG",
)


def test_block_boundaries_are_the_first_session_of_each_block():
    assert [(s.number, s.block) for s in block_boundaries(NSOGP.sessions)] == [
        (1, 1),
        (9, 2),
        (17, 3),
        (25, 4),
    ]


def test_block_boundaries_repeat_for_each_cycle():
    two_cycles = generate_schedule(
        session_templates(entry_by_code("nsogp_core_group"), cycles=2),
        start_date=D("2027-01-05"),
        slots=[Slot(TUE, TEN_AM)],
        jurisdiction="ENG",
    )
    assert [s.number for s in block_boundaries(two_cycles.sessions)] == [1, 9, 17, 25, 33, 41, 49, 57]


def test_closed_programmes_have_no_block_boundaries():
    isotp = generate_schedule(
        session_templates(ISOTP_GROUP), start_date=D("2027-01-04"), slots=MONDAYS, jurisdiction="ENG"
    )
    assert block_boundaries(isotp.sessions) == []


def test_next_join_point():
    first, block2, block4 = (next(s for s in NSOGP.sessions if s.number == n) for n in (1, 9, 25))
    day = timedelta(days=1)
    cases = [
        (first.date - 30 * day, 1),
        (first.date, 1),
        (first.date + day, 9),
        (block2.date, 9),
        (block2.date + day, 17),
        (block4.date, 25),
    ]
    for today, expected in cases:
        joined = next_join_point(NSOGP.sessions, today)
        assert joined is not None and joined.number == expected, today
    assert next_join_point(NSOGP.sessions, block4.date + day) is None
