"""Whether a new referral may be made for a person, and if not, why (issue 13). Pure: no Django.

# 000 / domain.md §9: a person has at most one open referral per programme (a database constraint too).
# Decision where the sources are silent (issue 13): a person is referred to one programme at a time, so while
# any referral of his is open (a draft, awaiting assessment, on the waiting list, allocated or on a programme) no
# new one is started; the person page says why instead of offering "Refer for a programme".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from isotp.dates import long_date

from .transitions import OPEN_STATUSES, STATUSES, ReferralStatus

S = ReferralStatus
# The most telling open referral is named first: on a programme, then allocated, then awaiting assessment.
_PRECEDENCE = (S.ON_PROGRAMME, S.ALLOCATED, S.SUBMITTED, S.ASSESSMENT)


@dataclass(frozen=True)
class OpenReferral:
    """One of the person's referrals: its programme as shown ("i-SOTP group"), status and when it got there."""

    programme: str
    status: str
    since: dt.date | None = None


def _reason(referral: OpenReferral) -> str:
    since = f" since {long_date(referral.since)}" if referral.since else ""
    if referral.status == S.ON_PROGRAMME:
        return f"Already on {referral.programme}{since}"
    if referral.status == S.ALLOCATED:
        return f"Already allocated to {referral.programme}{since}"
    if referral.status in (S.SUBMITTED, S.ASSESSMENT):
        return f"Referral awaiting assessment ({referral.programme})"
    if referral.status == S.DRAFT:
        return f"A draft referral for {referral.programme} has been started"
    return f"Open referral for {referral.programme}: {STATUSES[referral.status]}"


def new_referral_refusal(referrals: Iterable[OpenReferral]) -> str | None:
    """None when a new referral may be made; otherwise the reason, naming the person's most telling open one."""
    open_ones = [r for r in referrals if r.status in OPEN_STATUSES]
    if not open_ones:
        return None
    rank: dict[str, int] = {status: i for i, status in enumerate(_PRECEDENCE)}
    return _reason(min(open_ones, key=lambda r: rank.get(r.status, len(rank))))
