"""Review of issue 7, no. 1 (blocker): `move_as_consequence` is no free-form status change. Called directly (as in
`manage.py shell`) by a facilitator or TM of the area, a move is refused (409 NOT_A_CONSEQUENCE) unless the
referral's latest place on a group or plan leads to it (domain.md §9: no referral reaches `allocated` without a
membership; reserved moves are refused by the service itself)."""

from __future__ import annotations

import datetime as dt

import pytest

from isotp.errors import DomainConflict
from referrals.models import Referral
from referrals.services.status import move_as_consequence
from sessions.models import Membership
from tests.referrals.factories import referral_for
from tests.sessions.factories import make_group

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _before_the_group_starts(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC), tick=False)


def _place(area, referral, tm, **fields):
    return Membership.objects.create(
        group=make_group(area), referral=referral, joined_on=dt.date(2027, 1, 4), allocated_by=tm, **fields
    )


def _refused(actor, referral, membership, to_status):
    before = Referral.objects.get(pk=referral.pk).status
    with pytest.raises(DomainConflict) as conflict:
        move_as_consequence(actor=actor, referral=referral, membership=membership, to_status=to_status)
    assert conflict.value.code == "NOT_A_CONSEQUENCE"
    assert Referral.objects.get(pk=referral.pk).status == before
    assert not referral.status_changes.filter(to_status=to_status).exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        ("awaiting_allocation", "allocated"),
        ("awaiting_allocation", "withdrawn"),
        ("allocated", "on_programme"),
        ("on_programme", "completed"),
        ("on_programme", "restart_required"),
        ("on_programme", "deselected"),
    ],
)
def test_no_move_without_a_place(facilitator, area, om, from_status, to_status):
    referral = referral_for(area, om, status=from_status)
    _refused(facilitator, referral, None, to_status)


@pytest.mark.parametrize(
    ("from_status", "place_status", "to_status"),
    [
        ("on_programme", "active", "completed"),  # completion needs the place completed (the report counted)
        ("on_programme", "active", "withdrawn"),  # leaving needs the place ended with that next status
        ("on_programme", "active", "restart_required"),
        ("allocated", "active", "on_programme"),  # nothing attended yet
        ("allocated", "active", "awaiting_allocation"),
        ("awaiting_allocation", "removed", "allocated"),  # an ended place allocates nobody
    ],
)
def test_a_place_that_does_not_lead_there_is_refused(
    facilitator, tm, area, om, from_status, place_status, to_status
):
    referral = referral_for(area, om, status=from_status)
    place = _place(area, referral, tm, status=place_status, next_status="awaiting_allocation")
    _refused(facilitator, referral, place, to_status)


def test_an_earlier_place_cannot_be_replayed(tm, area, om):
    referral = referral_for(area, om, status="awaiting_allocation")
    earlier = _place(area, referral, tm, status="removed", next_status="withdrawn")
    _place(area, referral, tm)
    _refused(tm, referral, earlier, "withdrawn")


def test_another_referrals_place_is_refused(tm, area, om):
    referral = referral_for(area, om, status="awaiting_allocation")
    other = referral_for(area, om, status="awaiting_allocation")
    _refused(tm, referral, _place(area, other, tm), "allocated")


def test_the_consequence_of_the_place_moves(facilitator, tm, area, om):
    referral = referral_for(area, om, status="awaiting_allocation")
    place = _place(area, referral, tm)
    move_as_consequence(actor=tm, referral=referral, membership=place, to_status="allocated")
    Membership.objects.filter(pk=place.pk).update(status="removed", next_status="withdrawn")
    move_as_consequence(
        actor=facilitator,
        referral=referral,
        membership=place,
        to_status="withdrawn",
        reason_code="order_revoked",
    )
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"
