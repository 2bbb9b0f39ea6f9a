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
    # The naive Monday start ends too late; the latest start that fits is a Friday, after it (no Friday holiday).
    assert programme_end(entries("isotp", "group"), start=latest, jurisdiction=EW) <= end_of_supervision
    assert latest == date(2027, 4, 23)
    assert programme_end(entries("isotp", "group"), start=naive, jurisdiction=EW) == date(2028, 1, 17)


@pytest.mark.parametrize("key", sorted(REFERRAL_PATHWAYS))
@pytest.mark.parametrize("end", [date(2027, 12, 31), date(2028, 4, 3), date(2027, 8, 30)])
def test_latest_start_is_the_last_start_that_fits(key, end):
    pathway = entries(*key)
    latest = latest_start(pathway, supervision_end=end, jurisdiction=EW)
    assert programme_end(pathway, start=latest, jurisdiction=EW) <= end
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


# --- "must start by" is the latest start (review of issue 7, no. 5) ---------------------------------------------


def test_the_latest_start_is_not_the_first_that_ends_too_late():
    """Supervision ending Monday 30 August 2027 (a bank holiday): the old forward walk answered 3 December 2026,
    yet a start on Thursday 31 December 2026 ends on 26 August 2027, in time."""
    pathway, end = entries("isotp", "group"), date(2027, 8, 30)
    assert programme_end(pathway, start=date(2026, 12, 31), jurisdiction=EW) == date(2027, 8, 26)
    latest = latest_start(pathway, supervision_end=end, jurisdiction=EW)
    assert latest >= date(2026, 12, 31)
    assert programme_end(pathway, start=latest, jurisdiction=EW) <= end


@given(
    st.dates(date(2026, 6, 1), date(2031, 12, 31)),
    st.sampled_from(sorted(REFERRAL_PATHWAYS)),
    st.integers(min_value=1, max_value=400),
)
def test_the_waiting_list_and_eligibility_cannot_disagree(end, key, later_by):
    """The list's "must start by" passes eligibility's SUPERVISION_ENDS_TOO_SOON check (the same `ends_on`), and
    every later start fails it: the day after and any later day up to the supervision end."""
    by_code = {entry["code"]: entry for entry in DEFAULT_CATALOGUE}
    latest = latest_start(entries(*key), supervision_end=end, jurisdiction=EW)
    on_latest = eligibility_terms(by_code, start=latest, jurisdiction=EW)[key]
    assert on_latest.ends_on is not None and on_latest.ends_on <= end
    for later in {latest + timedelta(days=1), min(latest + timedelta(days=later_by), end)}:
        if later > latest:
            after = eligibility_terms(by_code, start=later, jurisdiction=EW)[key]
            assert after.ends_on is not None and after.ends_on > end, later
