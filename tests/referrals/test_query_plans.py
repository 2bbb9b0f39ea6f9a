"""Plans of the people list's national-scale queries (issue 11): the indexes they were written for can serve them.

As in tests/sessions/test_query_plans.py: the test database is tiny, so sequential scans are priced out for the
transaction (`enable_seqscan = off`) and the plan shows whether the query can use the index at all."""

from __future__ import annotations

import pytest
from django.db import connection

from referrals import selectors

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_prison_sotp_flag_of_a_people_list_reads_its_partial_index(tm):
    """Each row of the people list says whether the person completed a prison SOTP. PostgreSQL answered that by
    scanning every referral in the country (60,000 at national scale: 6 ms on each people list, growing with the
    country); the partial index of the few referrals with the flag answers it in a probe."""
    plan = _plan(selectors.people_for_list(tm)[:25])
    assert "referral_prison_sotp_idx" in plan, plan
