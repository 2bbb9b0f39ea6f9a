"""isotp.keys (issue 11): `keys_in(field, subquery)` keeps the rows whose key the subquery selects, as
`field__in=subquery` does, written `= ANY(ARRAY(...))` on PostgreSQL (looked up by key) and `IN (...)` elsewhere."""

from __future__ import annotations

import pytest
from django.db import connection

from isotp.keys import KeysIn, keys_in
from referrals.models import Person, Referral
from tests.factories import ProbationAreaFactory
from tests.referrals.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_keys_in_keeps_the_rows_the_subquery_names_as_in_does(area, om):
    mine = [ReferralFactory(person=PersonFactory(area=area, offender_manager=om)) for _ in range(3)]
    elsewhere = ProbationAreaFactory()
    ReferralFactory(person=PersonFactory(area=elsewhere))
    PersonFactory(area=area, offender_manager=om)  # no referral: not kept
    scoped = Referral.objects.filter(area=area).values("person_id")
    kept = set(Person.objects.filter(keys_in("pk", scoped)).values_list("pk", flat=True))
    assert kept == set(Person.objects.filter(pk__in=scoped).values_list("pk", flat=True))
    assert kept == {r.person_id for r in mine}
    assert not Person.objects.filter(keys_in("pk", Referral.objects.none().values("person_id"))).exists()


def test_keys_in_is_any_of_an_array_on_postgresql_and_in_elsewhere():
    qs = Person.objects.filter(keys_in("pk", Referral.objects.filter(status="submitted").values("person_id")))
    assert connection.vendor == "postgresql"
    assert '"referrals_person"."id" = ANY(ARRAY(SELECT' in str(qs.query)
    compiler = qs.query.get_compiler(connection=connection)
    where = qs.query.where.children[0].lhs  # Django wraps a condition as `Exact(condition, True)`
    assert isinstance(where, KeysIn)
    sql, params = where.as_sql(compiler, connection)  # what SQLite (`make run`) is sent
    assert sql.startswith('"referrals_person"."id" IN (SELECT')
    assert list(params) == ["submitted"]
