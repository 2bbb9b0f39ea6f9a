"""isotp.prefetch (issue 11): a page's many-to-many loaded by key in two queries, answering `.all()` as
`prefetch_related` would (same rows, the queryset's order), with no query for an empty page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from isotp.prefetch import prefetch_many_to_many
from sessions.models import ScheduledSession
from tests.sessions.factories import make_group, trained_facilitator

pytestmark = pytest.mark.django_db


def test_the_facilitators_of_a_page_load_in_two_queries_in_the_queryset_s_order(area, tm):
    zed, amy = (
        trained_facilitator(area, full_name="Zed Last"),
        trained_facilitator(area, full_name="Amy First"),
    )
    group = make_group(area, actor=tm, facilitators=[zed, amy])
    sessions = list(ScheduledSession.objects.filter(group=group).order_by("number")[:5])
    third = sessions[2]
    third.facilitators.remove(zed)
    expected = {
        s.pk: list(s.facilitators.order_by("full_name").values_list("pk", flat=True)) for s in sessions
    }
    page = list(ScheduledSession.objects.filter(pk__in=[s.pk for s in sessions]).order_by("number"))
    with CaptureQueriesContext(connection) as queries:
        prefetch_many_to_many(page, "facilitators", User.objects.order_by("full_name"))
        loaded = {s.pk: [f.pk for f in s.facilitators.all()] for s in page}
    assert len(queries) == 2
    assert loaded == expected
    assert loaded[third.pk] == [amy.pk]
    assert loaded[sessions[0].pk] == [amy.pk, zed.pk]


def test_a_session_without_facilitators_gets_none_and_an_empty_page_reads_nothing(area, tm):
    group = make_group(area, actor=tm)
    session = group.sessions.order_by("number").first()
    assert session is not None
    session.facilitators.clear()
    with CaptureQueriesContext(connection) as queries:
        prefetch_many_to_many([], "facilitators")
    assert len(queries) == 0
    page = [ScheduledSession.objects.get(pk=session.pk)]
    prefetch_many_to_many(page, "facilitators")
    with CaptureQueriesContext(connection) as queries:
        assert list(page[0].facilitators.all()) == []
    assert len(queries) == 0
