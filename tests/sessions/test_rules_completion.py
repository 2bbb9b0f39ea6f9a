"""The completion rule (sessions.rules.completion): when a group's or plan's programme is over, and which sessions
are still to come. Tables."""

from __future__ import annotations

import datetime as dt

import pytest

from sessions.rules.completion import Completion, Refusal, SessionState, completion, sessions_to_come

D = dt.date
TODAY = D(2027, 3, 10)


def s(number: int, day: dt.date, *, recorded: bool = True, had_members: bool = True) -> SessionState:
    return SessionState(number=number, date=day, recorded=recorded, had_members=had_members)


DELIVERED = [s(1, D(2027, 3, 1)), s(2, D(2027, 3, 8))]


@pytest.mark.parametrize(
    ("status", "sessions", "code"),
    [
        ("running", DELIVERED, None),
        ("planned", DELIVERED, None),  # delivered without the status moving (archive data): still over
        ("running", [*DELIVERED, s(3, D(2027, 3, 15), recorded=False)], "SESSIONS_TO_COME"),
        ("running", [*DELIVERED, s(3, TODAY, recorded=False)], "SESSIONS_TO_COME"),  # today's still to come
        ("running", [s(1, D(2027, 3, 1), recorded=False), s(2, D(2027, 3, 8))], "REGISTERS_MISSING"),
        # A past session nobody was a member for needs no register.
        ("running", [*DELIVERED, s(3, D(2027, 3, 9), recorded=False, had_members=False)], None),
        ("running", [s(1, D(2027, 3, 1), recorded=False, had_members=False)], "NOTHING_DELIVERED"),
        ("running", [], "NOTHING_DELIVERED"),
        ("completed", DELIVERED, "ALREADY_COMPLETED"),
        ("cancelled", DELIVERED, "OWNER_CANCELLED"),
    ],
)
def test_completion_table(status, sessions, code):
    result = completion(name="CHE-ISOTP-2027-01", kind="group", status=status, sessions=sessions, today=TODAY)
    if code is None:
        assert isinstance(result, Completion)
        assert result.last_delivered == D(2027, 3, 8)
        assert "session 2, was on Monday 8 March 2027" in result.reason
    else:
        assert isinstance(result, Refusal) and result.code == code


def test_a_refusal_names_the_first_three_sessions_and_counts_the_rest():
    to_come = [s(n, D(2027, 3, 10) + dt.timedelta(weeks=n), recorded=False) for n in range(1, 6)]
    result = completion(name="G", kind="group", status="running", sessions=to_come, today=TODAY)
    assert isinstance(result, Refusal) and result.sessions == (1, 2, 3, 4, 5)
    assert result.message.startswith(
        "5 sessions are still to be delivered (session 1 on Wednesday 17 March 2027"
    )
    assert "and 2 more)" in result.message


def test_one_missing_register_is_named_in_the_singular():
    result = completion(
        name="G",
        kind="plan",
        status="running",
        sessions=[s(1, D(2027, 3, 1), recorded=False), s(2, D(2027, 3, 8))],
        today=TODAY,
    )
    assert isinstance(result, Refusal)
    assert (
        result.message
        == "The register of session 1 on Monday 1 March 2027 has not been taken: take it first."
    )


YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("sessions", "to_come"),
    [
        ([], []),
        # The day boundaries: not delivered and dated today or later is still to come.
        ([s(1, YESTERDAY, recorded=False)], []),  # past, no register: missing, not to come
        ([s(1, TODAY, recorded=False)], [1]),  # today's, no register yet
        ([s(1, TOMORROW, recorded=False)], [1]),
        ([s(1, YESTERDAY)], []),
        ([s(1, TODAY)], []),  # the session whose register is being taken today: recorded
        ([s(1, TOMORROW)], []),  # recorded ahead of its date (archive data): delivered, not to come
        # A past session nobody was a member for is not to come either; one to come needs no members.
        ([s(1, YESTERDAY, recorded=False, had_members=False)], []),
        ([s(1, TOMORROW, recorded=False, had_members=False)], [1]),
        # The register being written today while another session of the same day has none yet.
        ([s(1, TODAY), s(2, TODAY, recorded=False)], [2]),
        # Ordered as completion() names them: by date, then number, whatever the order given.
        (
            [s(3, TOMORROW, recorded=False), s(2, TODAY, recorded=False), s(1, TODAY, recorded=False)],
            [1, 2, 3],
        ),
        ([s(4, TODAY, recorded=False), s(5, YESTERDAY, recorded=False), s(2, TOMORROW)], [4]),
    ],
)
def test_sessions_to_come_table(sessions, to_come):
    assert [x.number for x in sessions_to_come(sessions, today=TODAY)] == to_come
    # completion() refuses with exactly these sessions, or does not refuse for sessions to come.
    result = completion(name="G", kind="group", status="running", sessions=sessions, today=TODAY)
    if to_come:
        assert isinstance(result, Refusal) and result.code == "SESSIONS_TO_COME"
        assert list(result.sessions) == to_come
    else:
        assert not (isinstance(result, Refusal) and result.code == "SESSIONS_TO_COME")
