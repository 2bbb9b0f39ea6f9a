"""Referral statuses: the whole transition table, parking and return, and reasons (domain.md §9)."""

from __future__ import annotations

import re
from collections import deque

import pytest

from referrals.rules.transitions import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PARKED_FROM,
    PARKING_STATUSES,
    REASON_CHOICES,
    REASON_REQUIRED,
    STATUSES,
    TRANSITIONS,
    IllegalTransition,
    ReasonRequired,
    ReferralStatus,
    allowed_transitions,
    check_transition,
)

# The table written out by hand from domain.md §9, independently of how the module builds it.
W = "withdrawn"
EXPECTED: dict[str, set[str]] = {
    "draft": {"submitted", W},
    "submitted": {"assessment", "on_hold", W},
    "assessment": {"suitable", "not_suitable", "on_hold", "suitable_not_ready", W},
    "suitable": {"awaiting_allocation", "on_hold", "suitable_not_ready", W},
    "awaiting_allocation": {"allocated", "on_hold", "suitable_not_ready", W},
    "allocated": {"on_programme", "awaiting_allocation", W},
    "on_programme": {"completed", "restart_required", "deselected", W},
    "restart_required": {"awaiting_allocation", W},
    "not_suitable": set(),
    "completed": set(),
    "deselected": set(),
    "withdrawn": set(),
}
EXPECTED_PARKED_FROM = {
    "on_hold": {"submitted", "assessment", "suitable", "awaiting_allocation"},
    "suitable_not_ready": {"assessment", "suitable", "awaiting_allocation"},
}
NOT_PARKING = sorted(EXPECTED)
PAIRS = [(current, target) for current in NOT_PARKING for target in sorted(STATUSES)]
PARKED = [
    (p, source, target)
    for p in sorted(EXPECTED_PARKED_FROM)
    for source in sorted(EXPECTED_PARKED_FROM[p])
    for target in sorted(STATUSES)
]


def a_reason(target: str) -> str | None:
    return "other" if target in REASON_REQUIRED else None


@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_every_pair_of_statuses(current: str, target: str) -> None:
    if target in EXPECTED[current]:
        check_transition(current, target, reason=a_reason(target))
    else:
        with pytest.raises(IllegalTransition) as excinfo:
            check_transition(current, target, reason=a_reason(target))
        assert excinfo.value.allowed == tuple(sorted(EXPECTED[current]))
        assert (excinfo.value.current, excinfo.value.target) == (current, target)
        assert excinfo.value.code == "ILLEGAL_TRANSITION"


@pytest.mark.parametrize(("parking", "source", "target"), PARKED)
def test_a_parked_referral_returns_where_it_came_from_or_is_withdrawn(
    parking: str, source: str, target: str
) -> None:
    allowed = {source, W}
    if target in allowed:
        check_transition(parking, target, returns_to=source, reason=a_reason(target))
    else:
        with pytest.raises(IllegalTransition) as excinfo:
            check_transition(parking, target, returns_to=source, reason=a_reason(target))
        assert excinfo.value.allowed == tuple(sorted(allowed))


def test_the_table_matches_the_rule_book() -> None:
    assert {s: set(TRANSITIONS[s]) for s in EXPECTED} == EXPECTED
    assert {p: set(PARKED_FROM[p]) for p in PARKING_STATUSES} == EXPECTED_PARKED_FROM
    for parking, sources in EXPECTED_PARKED_FROM.items():
        assert set(TRANSITIONS[parking]) == sources | {W}  # every place it could return to
    assert set(TRANSITIONS) == set(STATUSES)


def test_open_and_closed_statuses() -> None:
    assert set(CLOSED_STATUSES) == {"not_suitable", "completed", "deselected", "withdrawn"}
    assert set(STATUSES) == OPEN_STATUSES | CLOSED_STATUSES
    assert not OPEN_STATUSES & CLOSED_STATUSES
    assert PARKING_STATUSES <= OPEN_STATUSES
    for status in CLOSED_STATUSES:
        assert TRANSITIONS[status] == frozenset()
    for status in OPEN_STATUSES:
        assert W in TRANSITIONS[status]


def test_every_status_is_reachable_from_draft_and_every_open_one_can_close() -> None:
    seen, queue = {"draft"}, deque(["draft"])
    while queue:
        for nxt in TRANSITIONS[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    assert seen == set(STATUSES)


def test_labels_and_codes() -> None:
    for code, label in STATUSES.items():
        assert re.fullmatch(r"[a-z_]+", code)
        assert label and label[0].isupper()


def test_restart_required_goes_back_to_the_waiting_list() -> None:
    check_transition("on_programme", "restart_required")
    check_transition("restart_required", "awaiting_allocation")
    assert allowed_transitions("restart_required") == {"awaiting_allocation", W}


def test_removed_before_starting_goes_back_to_the_waiting_list() -> None:
    check_transition("allocated", "awaiting_allocation")


def test_illegal_transition_message_lists_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition) as excinfo:
        check_transition("awaiting_allocation", "completed")
    assert excinfo.value.allowed == ("allocated", "on_hold", "suitable_not_ready", "withdrawn")
    assert str(excinfo.value) == excinfo.value.message
    assert excinfo.value.message == (
        "A referral that is 'Awaiting allocation (waiting list)' cannot move to 'Completed'. "
        "It can move to: Allocated, On hold, Suitable but not ready, Withdrawn."
    )


def test_a_closed_referral_can_go_nowhere() -> None:
    with pytest.raises(IllegalTransition) as excinfo:
        check_transition("completed", "awaiting_allocation")
    assert excinfo.value.allowed == ()
    assert excinfo.value.message.endswith("It is closed, so its status cannot change.")


@pytest.mark.parametrize("current", ["on_programme", "allocated"])
def test_a_referral_in_delivery_with_no_manual_move_says_where_its_moves_are_made(current: str) -> None:
    # The service passes only the moves made by hand (none, for a referral in delivery): the message must not call
    # the referral closed, but say that its moves are made on the group or plan and by recording attendance.
    message = IllegalTransition(current, "withdrawn", frozenset()).message
    assert "closed" not in message and "nowhere" not in message
    assert "group or one-to-one plan" in message and "attendance" in message


def test_a_status_cannot_move_to_itself() -> None:
    for status in NOT_PARKING:
        assert status not in TRANSITIONS[status]


def test_unknown_target_is_an_illegal_transition() -> None:
    with pytest.raises(IllegalTransition) as excinfo:
        check_transition("draft", "archived")
    assert excinfo.value.allowed == ("submitted", W)


def test_unknown_current_status_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown referral status"):
        allowed_transitions("archived")


@pytest.mark.parametrize("parking", sorted(PARKING_STATUSES))
def test_a_parked_referral_needs_to_know_where_it_returns(parking: str) -> None:
    with pytest.raises(ValueError, match="needs the status it returns to"):
        allowed_transitions(parking)
    with pytest.raises(ValueError, match="cannot be"):
        allowed_transitions(parking, returns_to="on_programme")


def test_returns_to_is_ignored_for_statuses_that_do_not_park() -> None:
    assert allowed_transitions("draft", returns_to="suitable") == {"submitted", W}


def test_a_referral_cannot_be_parked_twice() -> None:
    with pytest.raises(IllegalTransition):
        check_transition("on_hold", "suitable_not_ready", returns_to="suitable", reason="other")


# --- reasons ---------------------------------------------------------------------------------------


def test_reason_required_statuses() -> None:
    assert set(REASON_REQUIRED) == {
        "withdrawn",
        "deselected",
        "not_suitable",
        "on_hold",
        "suitable_not_ready",
    }
    assert set(REASON_CHOICES) == REASON_REQUIRED


@pytest.mark.parametrize("status", sorted(REASON_REQUIRED))
def test_reason_choices_are_realistic_and_always_offer_other(status: str) -> None:
    choices = REASON_CHOICES[status]
    assert ("other", "Other") in choices
    assert len(choices) >= 3
    assert len({code for code, _ in choices}) == len(choices)
    for code, label in choices:
        assert re.fullmatch(r"[a-z_]+", code)
        assert label


def test_withdrawn_reasons_include_the_usual_ones() -> None:
    labels = {label for _, label in REASON_CHOICES["withdrawn"]}
    assert {"Order or licence revoked", "Moved out of the area", "Died", "Other"} <= labels


# One legal way into each status that needs a reason.
INTO = {
    "withdrawn": ("on_programme", None),
    "deselected": ("on_programme", None),
    "not_suitable": ("assessment", None),
    "on_hold": ("awaiting_allocation", None),
    "suitable_not_ready": ("suitable", None),
}


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
def test_a_missing_reason_is_refused(target: str) -> None:
    current, returns_to = INTO[target]
    for missing in (None, ""):
        with pytest.raises(ReasonRequired) as excinfo:
            check_transition(current, target, returns_to=returns_to, reason=missing)
        assert excinfo.value.field == "reason"
        assert excinfo.value.message.startswith("Give a reason for")
        assert "other" in excinfo.value.message
        assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
def test_every_listed_reason_is_accepted_and_an_unknown_one_refused(target: str) -> None:
    current, returns_to = INTO[target]
    for code, _ in REASON_CHOICES[target]:
        check_transition(current, target, returns_to=returns_to, reason=code)
    with pytest.raises(ReasonRequired, match="is not a reason for"):
        check_transition(current, target, returns_to=returns_to, reason="bored")


def test_an_illegal_move_is_reported_before_a_missing_reason() -> None:
    with pytest.raises(IllegalTransition):
        check_transition("completed", "withdrawn")


def test_moves_that_need_no_reason_accept_none_and_any_note() -> None:
    check_transition("draft", "submitted")
    check_transition("allocated", "awaiting_allocation", reason="group cancelled")


def test_the_status_enum_is_the_one_list_of_statuses() -> None:
    """Issue 7: one enum spells every status; the labels, the model's choices and the table all use it."""
    from referrals.models import STATUS_CHOICES

    assert [s.value for s in ReferralStatus] == list(STATUSES)
    assert set(EXPECTED) | PARKING_STATUSES == set(ReferralStatus)
    assert [value for value, _ in STATUS_CHOICES] == [s.value for s in ReferralStatus]
    assert all(type(value) is str for value, _ in STATUS_CHOICES)  # migrations see plain strings
    assert ReferralStatus.AWAITING_ALLOCATION == "awaiting_allocation"
    assert ReferralStatus.ON_HOLD.label == "On hold"


def test_a_move_to_where_it_already_is_says_so() -> None:
    """A stale form posting the move someone else has just made: never "'Withdrawn' cannot move to 'Withdrawn'"."""
    with pytest.raises(IllegalTransition) as excinfo:
        check_transition("withdrawn", "withdrawn")
    assert excinfo.value.message == (
        "The referral is already 'Withdrawn'. It is closed, so its status cannot change."
    )
