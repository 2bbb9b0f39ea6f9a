"""How long a referral's programme runs, from the catalogue (domain.md §3 SUPERVISION_ENDS_TOO_SOON, §5): the one
calculation behind eligibility's end date and the waiting list's "must start by"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions.rules import DEFAULT_CATALOGUE
from sessions.rules.pathways import (
    REFERRAL_PATHWAYS,
    eligibility_terms,
    latest_start,
    programme_end,
    sessions_in,
)

BY_CODE = {entry["code"]: entry for entry in DEFAULT_CATALOGUE}
EW = "england_and_wales"


def entries(programme: str, fmt: str) -> list[dict]:
    return [BY_CODE[code] for code in REFERRAL_PATHWAYS[(programme, fmt)]]


@pytest.mark.parametrize(
    ("programme", "fmt", "sessions"),
    [
        ("isotp", "group", 35),
        ("isotp", "one_to_one", 30),
        ("nsogp", "group", 36 + 12),
        ("li", "group", 24),
        ("hi", "group", 52),
    ],
)
def test_the_length_is_the_catalogue_s_longest(programme, fmt, sessions):
    assert sessions_in(entries(programme, fmt)) == sessions


def test_a_year_with_no_holiday_runs_exactly_one_session_a_week():
    # Monday 7 June 2027: 35 weekly sessions without a bank holiday on a Monday until 30 August (the summer one).
    start = date(2027, 1, 4)  # a Monday: Easter Monday 29 March and the May bank holidays fall on Mondays
    end = programme_end(entries("isotp", "group"), start=start, jurisdiction=EW)
    skipped = 4  # 29 March, 3 May, 31 May, 30 August 2027
    assert end == start + timedelta(weeks=34 + skipped)


def test_the_same_start_on_a_tuesday_skips_nothing():
    start = date(2027, 1, 5)
    assert programme_end(entries("isotp", "group"), start=start, jurisdiction=EW) == start + timedelta(
        weeks=34
    )


def test_closures_push_the_end_back_a_week_each():
    start = date(2027, 1, 5)
    closures = {start + timedelta(weeks=3): "Office move", start + timedelta(weeks=10): "Training day"}
    end = programme_end(entries("isotp", "group"), start=start, jurisdiction=EW, closures=closures)
    assert end == start + timedelta(weeks=36)


def test_a_weekend_start_meets_from_the_monday_after():
    saturday = date(2027, 1, 9)
    assert programme_end(entries("isotp", "one_to_one"), start=saturday, jurisdiction=EW) == programme_end(
        entries("isotp", "one_to_one"), start=date(2027, 1, 11), jurisdiction=EW
    )


def test_nsogp_runs_the_core_group_then_relapse_prevention():
    start = date(2027, 1, 5)
    core = programme_end([BY_CODE["nsogp_core_group"]], start=start, jurisdiction=EW)
    both = programme_end(entries("nsogp", "group"), start=start, jurisdiction=EW)
    assert both == programme_end(
        [BY_CODE["nsogp_relapse_prevention"]], start=core + timedelta(days=7), jurisdiction=EW
    )
    assert (both - start).days >= 7 * 47


def test_the_waiting_list_bug_of_the_review_is_gone():
    """Issue 7: weeks without bank holidays called a group in time that ended 19 days after supervision ends."""
    # A Monday: from 19 April 2027 the Mondays hold 3 May, 31 May, 30 August, 27 December and 3 January 2028.
    end_of_supervision = date(2027, 12, 20)
    naive = end_of_supervision - timedelta(weeks=35)
    latest = latest_start(entries("isotp", "group"), supervision_end=end_of_supervision, jurisdiction=EW)
    assert programme_end(entries("isotp", "group"), start=naive, jurisdiction=EW) == date(2028, 1, 17)
    assert latest < naive
    assert all_fit_up_to(entries("isotp", "group"), latest, end_of_supervision)


def all_fit_up_to(pathway, latest, end, *, days=21):
    """Every start of the `days` days up to `latest` ends in time (earlier weeks end no later, weekday by weekday)."""
    return all(
        programme_end(pathway, start=latest - timedelta(days=back), jurisdiction=EW) <= end
        for back in range(days)
    )


@pytest.mark.parametrize("key", sorted(REFERRAL_PATHWAYS))
@pytest.mark.parametrize("end", [date(2027, 12, 31), date(2028, 4, 3), date(2027, 8, 30), date(2027, 9, 20)])
def test_latest_start_is_a_true_deadline(key, end):
    """Every start on or before "must start by" ends in time; the day after it does not."""
    pathway = entries(*key)
    latest = latest_start(pathway, supervision_end=end, jurisdiction=EW)
    assert all_fit_up_to(pathway, latest, end)
    assert programme_end(pathway, start=latest + timedelta(days=1), jurisdiction=EW) > end


@given(st.dates(date(2026, 1, 1), date(2032, 12, 31)), st.sampled_from(sorted(REFERRAL_PATHWAYS)))
def test_starting_on_the_latest_start_always_finishes_in_time(end, key):
    pathway = entries(*key)
    latest = latest_start(pathway, supervision_end=end, jurisdiction="northern_ireland")
    assert programme_end(pathway, start=latest, jurisdiction="northern_ireland") <= end


def test_eligibility_terms_read_ages_and_ends_from_the_catalogue():
    start = date(2027, 1, 5)
    terms = eligibility_terms(BY_CODE, start=start, jurisdiction=EW)
    assert set(terms) == set(REFERRAL_PATHWAYS)
    group = terms[("isotp", "group")]
    assert (group.min_age, group.young_adult_band, group.sessions) == (21, (17, 21), 35)
    assert group.ends_on == start + timedelta(weeks=34)
    assert terms[("isotp", "one_to_one")].min_age == 17
    assert terms[("li", "group")].min_age == BY_CODE["li_group"]["min_age"]


def test_an_edited_catalogue_changes_the_terms():
    edited = {**BY_CODE, "li_group": {**BY_CODE["li_group"], "min_age": 18}}
    assert eligibility_terms(edited, start=date(2027, 1, 5), jurisdiction=EW)[("li", "group")].min_age == 18
    missing = {code: e for code, e in BY_CODE.items() if code != "hi_group"}
    assert ("hi", "group") not in eligibility_terms(missing, start=date(2027, 1, 5), jurisdiction=EW)


# --- "must start by" is a true deadline (tester of issue 7, no. 1) ---------------------------------------------


# Tester of issue 7: C100005, an i-SOTP group, supervision ending Monday 20 September 2027. "Must start by" said
# 21 January 2027, yet a start on Monday 11 January failed SUPERVISION_ENDS_TOO_SOON (the Monday bank holidays).
# Each weekday of the two weeks before and after the deadline (Christmas and New Year bank holidays among them):
# a start passes exactly when it is on or before 25 December 2026.
TESTER_END = date(2027, 9, 20)


@pytest.mark.parametrize(
    ("start", "passes"),
    [
        (date(2026, 12, 14), True),  # Mon
        (date(2026, 12, 18), True),  # Fri
        (date(2026, 12, 21), True),  # Mon: ends on the very day supervision ends
        (date(2026, 12, 24), True),  # Thu
        (date(2026, 12, 25), True),  # Fri, Christmas Day: meets from 1 January (a holiday too), so 8 January
        (date(2026, 12, 26), False),  # Sat (Boxing Day): meets from Monday 28 December, a bank holiday
        (date(2026, 12, 28), False),  # Mon, bank holiday
        (
            date(2026, 12, 29),
            True,
        ),  # Tue: passes, yet a Monday before it does not, so it is not "must start by"
        (date(2027, 1, 1), True),  # Fri, New Year's Day: from 8 January, fewer Friday holidays
        (date(2027, 1, 11), False),  # Mon: the tester's failing start
        (date(2027, 1, 13), True),  # Wed
        (date(2027, 1, 21), True),  # Thu: the old "must start by"
    ],
)
def test_the_tester_s_weekdays_and_bank_holidays(start, passes):
    terms = eligibility_terms(BY_CODE, start=start, jurisdiction=EW)[("isotp", "group")]
    assert (terms.ends_on is not None and terms.ends_on <= TESTER_END) is passes
    latest = latest_start(entries("isotp", "group"), supervision_end=TESTER_END, jurisdiction=EW)
    assert latest == date(2026, 12, 25)
    if start <= latest:
        assert passes


@given(
    st.dates(date(2026, 6, 1), date(2031, 12, 31)),
    st.sampled_from(sorted(REFERRAL_PATHWAYS)),
    st.integers(min_value=0, max_value=400),
)
def test_any_start_on_or_before_the_latest_start_passes_eligibility(end, key, earlier_by):
    """The list's "must start by" and eligibility's SUPERVISION_ENDS_TOO_SOON read the same `programme_end`: any
    start on or before it passes that rule (through the very terms the eligibility check reads), the day after
    does not."""
    latest = latest_start(entries(*key), supervision_end=end, jurisdiction=EW)
    start = latest - timedelta(days=earlier_by)
    on_start = eligibility_terms(BY_CODE, start=start, jurisdiction=EW)[key]
    assert on_start.ends_on is not None and on_start.ends_on <= end
    after = eligibility_terms(BY_CODE, start=latest + timedelta(days=1), jurisdiction=EW)[key]
    assert after.ends_on is not None and after.ends_on > end
