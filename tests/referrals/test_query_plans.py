"""Plans of the people list's national-scale queries (issue 11): the indexes they were written for can serve them.

As in tests/sessions/test_query_plans.py: the test database is tiny, so sequential scans are priced out for the
transaction (`enable_seqscan = off`) and the plan shows whether the query can use the index at all."""

from __future__ import annotations

import pytest

from referrals import selectors
from tests.sessions.test_query_plans import _plan  # the one EXPLAIN with sequential scans priced out

pytestmark = pytest.mark.django_db


def test_the_prison_sotp_flag_of_a_people_list_reads_its_partial_index(tm):
    """Each row of the people list says whether the person completed a prison SOTP. PostgreSQL answered that by
    scanning every referral in the country (60,000 at national scale: 6 ms on each people list, growing with the
    country); the partial index of the few referrals with the flag answers it in a probe."""
    plan = _plan(selectors.people_for_list(tm)[:25])
    assert "referral_prison_sotp_idx" in plan, plan
