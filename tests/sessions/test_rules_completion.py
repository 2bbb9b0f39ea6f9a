"""The completion rule (sessions.rules.completion): when a group's or plan's programme is over. A table."""

from __future__ import annotations

import datetime as dt

import pytest

from sessions.rules.completion import Completion, Refusal, SessionState, completion

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
