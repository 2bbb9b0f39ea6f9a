"""Catch-up limit, outstanding catch-ups and the N-SOGP block rule (domain.md §6; 002, 003): tables written from
the rule book, not from the code, plus properties that hold for any register."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sessions.rules.attendance import (
    ACCEPTABLE_ABSENCE,
    ATTENDED,
    LATE,
    MISSED_PER_BLOCK,
    NO_RESTART,
    SENT_HOME,
    TOTAL_CATCH_UPS,
    UNACCEPTABLE_ABSENCE,
    MemberSession,
    RestartRule,
    blocking_catch_up,
    is_failure_to_comply,
    is_missed,
    progress,
)

ISOTP = RestartRule(TOTAL_CATCH_UPS, 4)  # 003: no more than four by catch-up
NSOGP = RestartRule(MISSED_PER_BLOCK, 2)  # 002: more than two missed in a block restarts it
START = dt.date(2027, 1, 4)


def _sessions(outcomes, *, caught_up=(), exceptions=(), block_size=None):
    rows = []
    for i, outcome in enumerate(outcomes, start=1):
        rows.append(
            MemberSession(
                session_id=f"s{i}",
                number=i,
                date=START + dt.timedelta(days=7 * (i - 1)),
                block=((i - 1) // block_size + 1) if block_size else None,
                outcome=outcome,
                caught_up=i in caught_up,
                exception=i in exceptions,
            )
        )
    return rows


@pytest.mark.parametrize(
    ("outcome", "missed"),
    [
        (ATTENDED, False),
        (LATE, False),  # late is attended
        (ACCEPTABLE_ABSENCE, True),  # domain.md §6: any absence is a missed session
        (UNACCEPTABLE_ABSENCE, True),
        (SENT_HOME, True),  # sent home (acceptable or not) is missed
        (None, False),
    ],
)
def test_what_counts_as_missed(outcome, missed):
    assert is_missed(outcome) is missed


@pytest.mark.parametrize(
    ("outcome", "acceptable", "failure"),
    [
        (UNACCEPTABLE_ABSENCE, None, True),
        (ACCEPTABLE_ABSENCE, None, False),
        (SENT_HOME, False, True),  # sent home for an unacceptable reason
        (SENT_HOME, True, False),
        (ATTENDED, None, False),
        (LATE, None, False),
    ],
)
def test_what_is_a_failure_to_comply(outcome, acceptable, failure):
    assert is_failure_to_comply(outcome, sent_home_acceptable=acceptable) is failure


@pytest.mark.parametrize(
    ("missed", "restart"),
    [(0, False), (1, False), (3, False), (4, False), (5, True), (6, True)],
    ids=["none", "one", "three", "fourth-catch-up-allowed", "fifth-missed-restarts", "sixth"],
)
def test_the_isotp_limit_of_four_catch_ups(missed, restart):
    outcomes = [ACCEPTABLE_ABSENCE] * missed + [ATTENDED] * (10 - missed)
    result = progress(_sessions(outcomes, caught_up=range(1, 5)), rule=ISOTP)
    assert result.restart_required is restart
    assert ("RESTART_REQUIRED" in result.codes) is restart
    assert result.missed == missed
    assert result.catch_up_limit == 4


def test_the_fourth_catch_up_is_allowed_and_completes_the_sessions():
    outcomes = [SENT_HOME, UNACCEPTABLE_ABSENCE, ACCEPTABLE_ABSENCE, ACCEPTABLE_ABSENCE] + [ATTENDED] * 31
    result = progress(_sessions(outcomes, caught_up={1, 2, 3, 4}), rule=ISOTP)
    assert not result.restart_required
    assert result.catch_ups_completed == 4 and result.catch_ups_left == 0
    assert result.outstanding == ()
    assert result.sessions_complete and "SESSIONS_COMPLETE" in result.codes


def test_the_fifth_missed_session_restarts_even_with_the_others_caught_up():
    outcomes = [ACCEPTABLE_ABSENCE] * 4 + [ATTENDED] * 5 + [SENT_HOME]
    result = progress(_sessions(outcomes, caught_up={1, 2, 3, 4}), rule=ISOTP)
    assert result.restart_required
    assert result.outstanding == ()  # nothing left to catch up: the programme starts again
    assert not result.sessions_complete


@pytest.mark.parametrize(
    ("missed_at", "restart_at"),
    [
        ((2, 3, 4, 5), None),  # four: no restart, nothing to name
        ((2, 3, 4, 5, 10), 10),  # the fifth missed is the one that could not be caught up
        ((1, 2, 3, 4, 5, 6), 5),  # and stays the fifth when a sixth follows
        ((9, 2, 7, 4, 5), 9),  # by date, not by the order given
    ],
    ids=["four", "fifth", "sixth-after", "by-date"],
)
def test_the_restart_names_the_session_that_could_not_be_caught_up(missed_at, restart_at):
    """h8: the waiting list says why a restart came back (domain.md §6, §9): the missed session beyond the limit."""
    outcomes = [ACCEPTABLE_ABSENCE if i in missed_at else ATTENDED for i in range(1, 13)]
    result = progress(_sessions(outcomes, caught_up=range(1, 13)), rule=ISOTP)
    if restart_at is None:
        assert result.restart_session is None and not result.restart_required
        return
    assert result.restart_session is not None and result.restart_session.number == restart_at
    reason = result.reasons[result.codes.index("RESTART_REQUIRED")]
    assert reason.startswith(f"Session {restart_at} could not be caught up: the 4 sessions missed before it")


def test_a_missed_session_without_a_catch_up_is_outstanding_and_not_complete():
    result = progress(_sessions([ATTENDED, ACCEPTABLE_ABSENCE, ATTENDED]), rule=ISOTP)
    assert [s.number for s in result.outstanding] == [2]
    assert "CATCH_UP_OUTSTANDING" in result.codes
    assert not result.sessions_complete


def test_one_to_one_rearrangements_count_against_the_same_limit():
    # domain.md §6: a one-to-one's missed session is rearranged; the same limit counts rearrangements.
    plan = _sessions([ACCEPTABLE_ABSENCE] * 5 + [ATTENDED] * 15, caught_up={1, 2, 3, 4})
    assert progress(plan, rule=ISOTP).restart_required


def test_a_voluntary_programme_has_no_limit():
    result = progress(_sessions([ACCEPTABLE_ABSENCE] * 8), rule=RestartRule(NO_RESTART, None))
    assert not result.restart_required and result.catch_up_limit is None


@pytest.mark.parametrize(
    ("block_outcomes", "restart_blocks"),
    [
        ([ATTENDED] * 8, ()),
        ([ACCEPTABLE_ABSENCE] + [ATTENDED] * 7, ()),
        ([ACCEPTABLE_ABSENCE, SENT_HOME] + [ATTENDED] * 6, ()),  # two missed: still within the block limit
        ([ACCEPTABLE_ABSENCE, SENT_HOME, UNACCEPTABLE_ABSENCE] + [ATTENDED] * 5, (1,)),  # more than two
    ],
    ids=["none", "one", "two-allowed", "three-restarts-block"],
)
def test_the_nsogp_block_rule(block_outcomes, restart_blocks):
    # Block 1 as given, block 2 with one missed session: only block 1 can restart.
    outcomes = block_outcomes + [ACCEPTABLE_ABSENCE] + [ATTENDED] * 7
    result = progress(_sessions(outcomes, block_size=8), rule=NSOGP)
    assert result.restart_blocks == restart_blocks
    assert not result.restart_required  # the membership goes on: only the block is redone
    outstanding = {s.number for s in result.outstanding}
    assert 9 in outstanding  # block 2's missed session still needs its catch-up
    if restart_blocks:
        assert not outstanding & {1, 2, 3}  # the restarted block's sessions are redone, not caught up
        assert "BLOCK_RESTART_REQUIRED" in result.codes


def test_three_missed_across_two_blocks_restart_nothing():
    outcomes = (
        [ACCEPTABLE_ABSENCE, ACCEPTABLE_ABSENCE] + [ATTENDED] * 6 + [ACCEPTABLE_ABSENCE] + [ATTENDED] * 7
    )
    assert progress(_sessions(outcomes, block_size=8), rule=NSOGP).restart_blocks == ()


# --- the outstanding catch-up blocks the next session ------------------------------------------------------


def test_an_outstanding_catch_up_blocks_a_later_session():
    rows = _sessions([ATTENDED, ACCEPTABLE_ABSENCE, None, None])
    blocker = blocking_catch_up(rows, at=rows[2], rule=ISOTP)
    assert blocker is not None and blocker.code == "CATCH_UP_OUTSTANDING"
    assert blocker.session.number == 2  # names the session to catch up
    assert "session 2" in blocker.message


def test_the_catch_up_done_unblocks():
    rows = _sessions([ATTENDED, ACCEPTABLE_ABSENCE, None], caught_up={2})
    assert blocking_catch_up(rows, at=rows[2], rule=ISOTP) is None


def test_a_tm_exception_lets_the_member_continue():
    rows = _sessions([ATTENDED, UNACCEPTABLE_ABSENCE, None], exceptions={2})
    assert blocking_catch_up(rows, at=rows[2], rule=ISOTP) is None


def test_an_earlier_session_is_not_blocked_by_a_later_miss():
    rows = _sessions([None, ACCEPTABLE_ABSENCE, ATTENDED])
    assert blocking_catch_up(rows, at=rows[0], rule=ISOTP) is None


def test_the_earliest_outstanding_catch_up_is_named():
    rows = _sessions([SENT_HOME, ACCEPTABLE_ABSENCE, None])
    assert blocking_catch_up(rows, at=rows[2], rule=ISOTP).session.number == 1  # type: ignore[union-attr]


def test_a_block_being_restarted_does_not_block():
    rows = _sessions([ACCEPTABLE_ABSENCE] * 3 + [None] * 5, block_size=8)
    assert blocking_catch_up(rows, at=rows[3], rule=NSOGP) is None


# --- properties ---------------------------------------------------------------------------------------------

OUTCOME = st.sampled_from([ATTENDED, LATE, ACCEPTABLE_ABSENCE, UNACCEPTABLE_ABSENCE, SENT_HOME])


@settings(max_examples=200)
@given(st.lists(OUTCOME, min_size=1, max_size=35), st.sets(st.integers(1, 35)))
def test_counts_add_up_and_restart_matches_the_limit(outcomes, caught):
    result = progress(_sessions(outcomes, caught_up=caught), rule=ISOTP)
    assert result.attended + result.missed == len(outcomes)
    assert result.restart_required == (result.missed > 4)
    assert result.catch_ups_completed <= result.missed
    if result.sessions_complete:
        assert not result.outstanding and not result.restart_required


@settings(max_examples=200)
@given(st.lists(OUTCOME, min_size=2, max_size=20), st.sets(st.integers(1, 20)))
def test_attending_is_blocked_exactly_when_an_earlier_miss_is_not_caught_up(outcomes, caught):
    rows = _sessions(outcomes, caught_up=caught)
    at = rows[-1]
    expected = any(is_missed(s.outcome) and s.number not in caught for s in rows[:-1])
    assert (blocking_catch_up(rows, at=at, rule=ISOTP) is not None) == expected


# --- review of issue 8, no. 9: the N-SOGP block restart acts ------------------------------------------------


def _cycled(outcomes, block_size=4, blocks=2):
    """A rolling group: blocks 1..`blocks` of `block_size` sessions, repeated."""
    rows = _sessions(outcomes)
    return [
        MemberSession(
            session_id=r.session_id,
            number=r.number,
            date=r.date,
            block=((r.number - 1) // block_size) % blocks + 1,
            outcome=r.outcome,
            label=f"session {r.number}",
        )
        for r in rows
    ]


@pytest.mark.parametrize(
    ("outcomes", "restarts", "restart_at"),
    [
        # Block 1 (1-4) with three missed: restart at the next boundary, session 5 (block 2).
        ([ACCEPTABLE_ABSENCE] * 3 + [None] * 5, (1,), 5),
        # Two missed in block 1: within the limit (002: MORE than two).
        ([ACCEPTABLE_ABSENCE] * 2 + [ATTENDED] * 2 + [None] * 4, (), None),
        # Block 1 redone in the next cycle (9-12) within the limit: the restart is spent.
        ([ACCEPTABLE_ABSENCE] * 3 + [None] + [ATTENDED] * 4 + [ATTENDED] * 4, (), None),
        # Redone but missed again over the limit: restart again.
        ([ACCEPTABLE_ABSENCE] * 3 + [None] + [ATTENDED] * 4 + [SENT_HOME] * 3 + [None], (1,), None),
    ],
    ids=["three-missed", "two-missed", "redone", "redone-and-missed-again"],
)
def test_a_block_restart_names_the_next_boundary(outcomes, restarts, restart_at):
    from sessions.rules.attendance import block_restarts

    found = block_restarts(_cycled(outcomes), 2)
    assert tuple(r.block for r in found) == restarts
    if restart_at:
        assert found[0].restart_at.number == restart_at
        assert [s.number for s in found[0].rest] == [4]
    assert not progress(_cycled(outcomes), rule=NSOGP).restart_required  # only the block is redone


def test_a_restarted_block_names_its_boundary_and_blocks_nothing():
    rows = _cycled([ACCEPTABLE_ABSENCE] * 3 + [None] * 5)
    assert blocking_catch_up(rows, at=rows[4], rule=NSOGP) is None  # its misses are redone, not caught up
    result = progress(rows, rule=NSOGP)
    assert result.restart_blocks == (1,) and not result.sessions_complete
    assert "next block boundary, session 5" in result.reasons[result.codes.index("BLOCK_RESTART_REQUIRED")]
