"""Two treatment managers allocating at the same moment, on PostgreSQL (domain.md §5).

Each thread has its own database connection (Django opens one per thread) and its own transaction; a barrier
releases them together. Capacity must never be exceeded and a referral never holds two active places. The test
is transactional (real commits); tests/conftest.py restores the seeded catalogue and offences after the flush.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction

from isotp.errors import DomainConflict
from sessions import services
from sessions.models import Membership, MembershipStatus
from sessions.services import memberships
from tests.sessions.factories import make_group, waiting_referral

pytestmark = [
    pytest.mark.django_db(transaction=True),
]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together by a barrier; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_capacity_check(monkeypatch):
    """Hold each allocation inside its transaction for a moment after counting the members, so that without the
    group row lock both would count the same seven members and both would take the last place."""
    original = memberships.check_capacity

    def slow(current: int, maximum: int) -> Any:
        result = original(current, maximum)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(memberships, "check_capacity", slow)


def test_two_allocations_of_the_last_place_one_wins(area, tm, slow_capacity_check):
    group = make_group(area, actor=tm, capacity=8)
    for _ in range(7):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area))
    first, second = waiting_referral(area), waiting_referral(area)

    results = _race(
        lambda: services.allocate(actor=tm, group=group, referral=first),
        lambda: services.allocate(actor=tm, group=group, referral=second),
    )

    wins = [r for r in results if isinstance(r, Membership)]
    losses = [r for r in results if isinstance(r, DomainConflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert losses[0].code == "GROUP_FULL"
    assert Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE).count() == 8
    statuses = sorted(type(r).objects.get(pk=r.pk).status for r in (first, second))  # type: ignore[attr-defined]
    assert statuses == ["allocated", "awaiting_allocation"]  # the loser's referral is untouched


def test_one_referral_allocated_to_two_groups_at_once_gets_one_place(area, tm):
    monday = make_group(area, actor=tm)
    tuesday = make_group(area, actor=tm, slots=[{"weekday": "tuesday", "start_time": "10:00"}])
    referral = waiting_referral(area)

    results = _race(
        lambda: services.allocate(actor=tm, group=monday, referral=referral),
        lambda: services.allocate(actor=tm, group=tuesday, referral=referral),
    )

    assert sum(isinstance(r, Membership) for r in results) == 1, results
    loser = next(r for r in results if not isinstance(r, Membership))
    assert isinstance(loser, DomainConflict) and loser.code in (
        "NOT_AWAITING_ALLOCATION",
        "ALREADY_ALLOCATED",
    )
    assert Membership.objects.filter(referral=referral, status=MembershipStatus.ACTIVE).count() == 1


def test_the_database_refuses_a_second_active_membership_even_without_the_service(area, tm):
    monday = make_group(area, actor=tm)
    tuesday = make_group(area, actor=tm, slots=[{"weekday": "tuesday", "start_time": "10:00"}])
    referral = waiting_referral(area)
    services.allocate(actor=tm, group=monday, referral=referral)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            group=tuesday, referral=referral, joined_on=tuesday.start_date, allocated_by=tm
        )
