"""Counts of related rows as a column of the outer query (issue 11): one query for a list and its counts.

`counted(rows)` is `(SELECT COUNT(*) FROM rows)`, correlated through the `OuterRef`s in `rows`: a list of
facilitators with each one's sessions counted reads one query, not the list and then the counts grouped by
facilitator (a round trip and an ORM query built for each count). With no `GROUP BY` the subquery always
answers one row, 0 when nothing matches.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Func, IntegerField, QuerySet, Subquery


class _Count(Func):
    """COUNT(*) without Django grouping the subquery by it (Django takes `Func` for a plain expression)."""

    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()

    def __init__(self) -> None:
        super().__init__()


def counted(rows: QuerySet[Any]) -> Subquery:
    """`(SELECT COUNT(*) FROM rows)` as an integer column; `rows` refers to the outer row through `OuterRef`."""
    return Subquery(rows.order_by().annotate(_n=_Count()).values("_n"), output_field=IntegerField())
