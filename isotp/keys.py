"""Rows whose key is among a subquery's keys, read by key (issue 11).

`Person.objects.filter(pk__in=subquery)` leaves PostgreSQL free to plan it as a join, and with a condition on the
rows it cannot estimate (a name matched anywhere in it) it chose to scan the country's 100,000 people and hash
them against the subquery (70-150 ms at national scale) rather than look up the area's 1,400 by key. Reading the
keys back to Python and sending them as an `IN` list of 1,400 parameters fixed the plan but cost a round trip and
built a query that grows with the area. `keys_in(field, subquery)` is `field = ANY(ARRAY(subquery))`: PostgreSQL
runs the subquery once (an InitPlan) and looks up each key through the field's index, in one query. SQLite
(`make run`) has no arrays: it gets the plain `IN (subquery)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F, QuerySet, Subquery
from django.db.models.expressions import Combinable


class KeysIn(Expression):
    """`field = ANY(ARRAY(subquery))` on PostgreSQL, `field IN (subquery)` elsewhere; a filter condition."""

    output_field = BooleanField()

    def __init__(self, field: str, queryset: QuerySet[Any]) -> None:
        super().__init__()
        self.key: Any = F(field)
        self.subquery: Any = Subquery(queryset)

    def get_source_expressions(self) -> list[Any]:
        return [self.key, self.subquery]

    def set_source_expressions(self, exprs: Sequence[Combinable | Expression]) -> None:
        self.key, self.subquery = exprs

    def _compiled(self, compiler: Any, before: str, after: str = "") -> tuple[str, tuple[Any, ...]]:
        """`key <before>(subquery)<after>`: the subquery compiles with its own parentheses."""
        lhs, lhs_params = compiler.compile(self.key)
        sub, sub_params = compiler.compile(self.subquery)
        return f"{lhs} {before}{sub}{after}", (*lhs_params, *sub_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._compiled(compiler, "IN ")

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        return self._compiled(compiler, "= ANY(ARRAY", ")")


def keys_in(field: str, queryset: QuerySet[Any]) -> KeysIn:
    """The rows whose `field` is one of the values `queryset` selects (one column), looked up by key."""
    return KeysIn(field, queryset)
