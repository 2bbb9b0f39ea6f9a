"""Sortable columns for paginated lists (issue 13), sorted on the server.

The MoJ Frontend sortable table sorts the rows already in the page in the browser. On a paginated list that
would sort only the 25 rows shown, while the caption and the pagination speak of all of them, so it would be
wrong. Here the column headers are links (`?sort=name`, `?sort=-name` for descending) that keep the filters and
the search, go back to the first page, and carry `aria-sort` on the header as the MoJ pattern does; the order is
applied to the whole query (or the whole list) before the page is cut. An unknown `sort` value falls back to the
list's default order, so an old or hand-typed link still works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import F, QuerySet
from django.utils.http import urlencode

T = TypeVar("T")
Q = TypeVar("Q", bound=QuerySet[Any])


def _nullable(model: Any, lookup: str) -> bool:
    """Whether the ORM lookup (`a__b__c`) can be NULL: a nullable field on the way, a reverse or many-valued
    relation, or a name that is not a field (an annotation) all count as nullable."""
    from django.core.exceptions import FieldDoesNotExist

    for part in lookup.split("__"):
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True
        if found.null or not found.concrete or found.many_to_many or found.one_to_many:
            return True
        if found.is_relation:
            model = found.related_model
    return False


@dataclass(frozen=True)
class Column:
    """A column that can be sorted: its `key` in `?sort=`, its header and the fields (ORM lookups for a
    queryset, dotted attributes for a list of rows) that order it, ascending. `numeric` right-aligns it."""

    key: str
    label: str
    fields: tuple[str, ...]
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    query: str  # the `?` query of the header's link ("" for a column that cannot be sorted)
    aria_sort: str  # ascending, descending or none ("" for a column that cannot be sorted)
    numeric: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.aria_sort)


@dataclass(frozen=True)
class Sort:
    column: Column
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column.key}" if self.descending else self.column.key


@dataclass(frozen=True)
class Sortable:
    """The sortable columns of one list and its default order."""

    columns: tuple[Column, ...]
    default: str  # e.g. "name" or "-started"
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})
        assert self.default.lstrip("-") in self.by_key, self.default

    def parse(self, value: str | None) -> Sort:
        """`?sort=` as given, or the default when it names no column."""
        value = (value or "").strip()
        key = value.lstrip("-")
        if key not in self.by_key or value.count("-") > 1:
            value, key = self.default, self.default.lstrip("-")
        return Sort(self.by_key[key], value.startswith("-"))

    def order_queryset(self, qs: Q, sort: Sort, tiebreak: str = "id") -> Q:
        """The whole queryset in the chosen order; empty values last either way, then `tiebreak`, so pages
        never repeat or skip a row."""
        expressions = [
            # A column that cannot be empty is ordered plainly: `NULLS LAST` on it changes no row's place but
            # keeps PostgreSQL from reading the page off an index in that order (issue 11: the Reports list
            # hashed every referral in the country to sort the area's reports).
            (F(name).desc(nulls_last=True) if sort.descending else F(name).asc(nulls_last=True))
            if _nullable(qs.model, name)
            else (F(name).desc() if sort.descending else F(name).asc())
            for name in sort.column.fields
        ]
        return qs.order_by(*expressions, tiebreak)

    def order_rows(self, rows: Iterable[T], sort: Sort) -> list[T]:
        """A list computed in Python (the waiting list) in the chosen order, empty values last either way; the
        sort is stable, so rows that tie keep the list's own order."""
        ordered = list(rows)
        for name in reversed(sort.column.fields):
            keyed = [(_get(r, name), r) for r in ordered]
            present = [(v, r) for v, r in keyed if v is not None]
            present.sort(key=lambda pair: _sort_key(pair[0]), reverse=sort.descending)
            ordered = [r for _, r in present] + [r for v, r in keyed if v is None]
        return ordered

    def headers(
        self,
        sort: Sort,
        query: Mapping[str, Any] | Sequence[tuple[str, Any]],
        columns: Sequence[Column | tuple[str, bool] | str],
    ) -> list[Header]:
        """The table's headers in order: a `Column` (or its key) becomes a link that sorts by it (ascending
        first, or the other way if it is the current sort); a plain label, or (label, numeric), stays text.
        `query` is the list's other parameters (filters, search), kept in every link."""
        base = list(query.items()) if isinstance(query, Mapping) else list(query)
        base = [(k, v) for k, v in base if k not in ("sort", "page") and v not in ("", None)]
        out = []
        for item in columns:
            column = self.by_key.get(item) if isinstance(item, str) else item
            if isinstance(column, Column):
                current = column.key == sort.column.key
                aria = ("descending" if sort.descending else "ascending") if current else "none"
                target = f"-{column.key}" if current and not sort.descending else column.key
                out.append(
                    Header(
                        column.label, urlencode([*base, ("sort", target)], doseq=True), aria, column.numeric
                    )
                )
            elif isinstance(item, tuple):
                out.append(Header(item[0], "", "", item[1]))
            else:
                out.append(Header(str(item), "", "", False))
        return out


def _get(row: object, dotted: str) -> Any:
    value: Any = row
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
        if callable(value):
            value = value()
    return value


def _sort_key(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return value


def query_with_sort(query: Sequence[tuple[str, Any]], sort: Sort, default: str) -> str:
    """The list's query string for pagination links: the filters plus the sort when it is not the default."""
    items = [(k, v) for k, v in query if k not in ("sort", "page") and v not in ("", None)]
    if sort.param != default:
        items.append(("sort", sort.param))
    return urlencode(items, doseq=True)


__all__ = ["Column", "Header", "Sort", "Sortable", "query_with_sort"]
