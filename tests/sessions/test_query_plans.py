"""Plans of the home page's national-scale queries (issue 11): the indexes they were written for can serve them.

The test database is tiny, so PostgreSQL would scan every table whatever its indexes; with sequential scans
priced out (`enable_seqscan = off`, for this transaction only) the plan shows whether the query can use the index
at all, which is what a national data set relies on."""

from __future__ import annotations

import pytest
from django.db import connection

from referrals.models import Referral
from referrals.rules import OPEN_STATUSES
from sessions.home import _failed

pytestmark = pytest.mark.django_db


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
    plan = _plan(_failed(referrals))
    assert "catch_up_unacceptable_idx" in plan, plan
