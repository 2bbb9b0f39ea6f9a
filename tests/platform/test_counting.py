"""isotp.counting (issue 11): `counted(rows)` puts a correlated COUNT(*) in the outer query as a column, the same
number as counting each row's related rows one by one, 0 where there are none."""

from __future__ import annotations

import pytest
from django.db.models import OuterRef

from isotp.counting import counted
from referrals.models import Person, Referral
from tests.referrals.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_counted_is_each_rows_count_and_zero_without_rows(area, om, django_assert_num_queries):
    people = [PersonFactory(area=area, offender_manager=om) for _ in range(3)]
    for person, n in zip(people, (0, 1, 3), strict=True):
        for _ in range(n):
            ReferralFactory(person=person, status="withdrawn")
    with django_assert_num_queries(1):
        got = dict(
            Person.objects.filter(pk__in=[p.pk for p in people])
            .annotate(n=counted(Referral.objects.filter(person_id=OuterRef("pk"))))
            .values_list("pk", "n")
        )
    assert got == {p.pk: Referral.objects.filter(person=p).count() for p in people}
    assert sorted(got.values()) == [0, 1, 3]


def test_counted_does_not_group_the_outer_query(area, om):
    """COUNT(*) is written as a plain function: Django adds no GROUP BY, so each outer row is still one row."""
    person = PersonFactory(area=area, offender_manager=om)
    ReferralFactory(person=person, status="withdrawn")
    ReferralFactory(person=person, status="withdrawn")
    qs = Person.objects.filter(pk=person.pk).annotate(
        n=counted(Referral.objects.filter(person_id=OuterRef("pk")))
    )
    assert "GROUP BY" not in str(qs.query)
    assert [p.n for p in qs] == [2]
