"""Plans of the home page's national-scale queries (issue 11): the indexes they were written for can serve them.

The test database is tiny, so PostgreSQL would scan every table whatever its indexes; with sequential scans
priced out (`enable_seqscan = off`, for this transaction only) the plan shows whether the query can use the index
at all, which is what a national data set relies on."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from referrals.models import Referral
from referrals.rules import OPEN_STATUSES
from sessions import services
from sessions.models import Attendance, CatchUp
from sessions.progress import with_failures
from tests.sessions.factories import make_group, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_enforcement_due_finds_missed_catch_ups_by_their_partial_index(area):
    """The catch-up side of "enforcement due" reads the partial index of unacceptable absences, not every
    catch-up in the country."""
    referrals = Referral.objects.filter(area_id=area.pk, status__in=list(OPEN_STATUSES))
    plan = _plan(with_failures(referrals))
    assert "catch_up_unacceptable_idx" in plan, plan


def test_enforcement_due_looks_for_absences_per_referral_by_the_membership_index(area):
    """Issue 11 (perf15): the absence side of "enforcement due" is a correlated EXISTS reading each open
    referral's memberships by their referral index, not a join of the referrals' memberships that PostgreSQL
    answered by scanning every membership in the country (32,800 at national scale)."""
    referrals = Referral.objects.filter(area_id=area.pk, status__in=list(OPEN_STATUSES))
    queryset = with_failures(referrals)
    assert "EXISTS(" in str(queryset.query).replace(" (", "(")
    plan = _plan(queryset)
    assert (
        "programme_sessions_membership_referral_id" in plan or "membership_one_active_per_referral" in plan
    ), plan


def test_enforcement_due_finds_every_failure_to_comply_and_nothing_else(area, tm, time_machine):
    """The referrals `with_failures` returns: an unacceptable absence, an unacceptable sending home and an unacceptable
    missed catch-up count; an acceptable sending home, an acceptable absence and another area's failures do not."""
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)
    group = make_group(area, actor=tm, start_date=dt.date(2026, 11, 30))
    first = group.sessions.get(number=1)
    members = {}
    for name in ("absent", "sent_home", "sent_home_ok", "acceptable", "catch_up", "none"):
        referral = waiting_referral(area)
        members[name] = services.allocate(actor=tm, group=group, referral=referral)
    for name, outcome, acceptable in (
        ("absent", "unacceptable_absence", None),
        ("sent_home", "sent_home", False),
        ("sent_home_ok", "sent_home", True),
        ("acceptable", "acceptable_absence", None),
        ("catch_up", "acceptable_absence", None),
    ):
        extra = {} if acceptable is None else {"sent_home_acceptable": acceptable}
        Attendance.objects.create(
            membership=members[name], session=first, recorded_by=tm, outcome=outcome, **extra
        )
    CatchUp.objects.create(
        membership=members["catch_up"],
        missed_session=first,
        date=dt.date(2026, 12, 1),
        facilitator=tm,
        booked_by=tm,
        outcome="unacceptable_absence",
    )
    referrals = Referral.objects.filter(area_id=area.pk, status__in=list(OPEN_STATUSES))
    found = set(with_failures(referrals).values_list("pk", flat=True))
    assert found == {members[n].referral_id for n in ("absent", "sent_home", "catch_up")}
    assert not with_failures(Referral.objects.exclude(area_id=area.pk)).exists()
