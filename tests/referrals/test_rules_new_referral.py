"""Whether a new referral may be made (issue 13): table-driven, one row per status, and the precedence."""

from __future__ import annotations

import datetime as dt

import pytest

from referrals.rules.new_referral import OpenReferral, new_referral_refusal
from referrals.rules.transitions import CLOSED_STATUSES, STATUSES

SINCE = dt.date(2026, 3, 3)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("on_programme", "Already on i-SOTP group since 3 March 2026"),
        ("allocated", "Already allocated to i-SOTP group since 3 March 2026"),
        ("submitted", "Referral awaiting assessment (i-SOTP group)"),
        ("assessment", "Referral awaiting assessment (i-SOTP group)"),
        ("draft", "A draft referral for i-SOTP group has been started"),
        ("awaiting_allocation", "Open referral for i-SOTP group: Awaiting allocation (waiting list)"),
        ("on_hold", "Open referral for i-SOTP group: On hold"),
        *[(status, None) for status in sorted(CLOSED_STATUSES)],
    ],
)
def test_each_status_refuses_or_allows_a_new_referral(status, reason):
    assert new_referral_refusal([OpenReferral("i-SOTP group", status, SINCE)]) == reason


def test_every_status_has_an_answer():
    for status in STATUSES:
        answer = new_referral_refusal([OpenReferral("N-SOGP", status)])
        assert (answer is None) == (status in CLOSED_STATUSES)


def test_no_referrals_allow_one_and_the_programme_being_attended_is_named_first():
    assert new_referral_refusal([]) is None
    both = [OpenReferral("N-SOGP", "submitted"), OpenReferral("i-SOTP group", "on_programme", SINCE)]
    assert new_referral_refusal(both) == "Already on i-SOTP group since 3 March 2026"
    assert new_referral_refusal([OpenReferral("N-SOGP", "on_programme")]) == "Already on N-SOGP"
