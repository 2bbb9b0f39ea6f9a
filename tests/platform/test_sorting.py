"""isotp.sorting: `?sort=` parsed (unknown values fall back to the default), header links that keep the filters
and toggle the direction with `aria-sort`, and lists ordered with empty values last either way (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest

from isotp.sorting import Column, Sortable, query_with_sort

SORT = Sortable(
    (
        Column("name", "Name", ("last", "first")),
        Column("ends", "Ends", ("ends",)),
        Column("age", "Age", ("age",), numeric=True),
    ),
    default="name",
)


@pytest.mark.parametrize(
    ("given", "key", "descending"),
    [
        (None, "name", False),
        ("", "name", False),
        ("name", "name", False),
        ("-name", "name", True),
        ("ends", "ends", False),
        ("-age", "age", True),
        ("nonsense", "name", False),
        ("--age", "name", False),
        ("-", "name", False),
        (" age ", "age", False),
    ],
)
def test_parse(given, key, descending):
    sort = SORT.parse(given)
    assert (sort.column.key, sort.descending) == (key, descending)


def test_headers_link_each_sortable_column_keep_the_filters_and_toggle_the_current_one():
    sort = SORT.parse("ends")
    headers = SORT.headers(
        sort,
        [("q", "smith"), ("page", "3"), ("status", ""), ("sort", "x")],
        ["name", "ends", "Notes", ("Count", True)],
    )
    assert [(h.label, h.aria_sort, h.sortable) for h in headers] == [
        ("Name", "none", True),
        ("Ends", "ascending", True),
        ("Notes", "", False),
        ("Count", "", False),
    ]
    assert dict(parse_qsl(headers[0].query)) == {"q": "smith", "sort": "name"}  # page and blanks dropped
    assert dict(parse_qsl(headers[1].query)) == {"q": "smith", "sort": "-ends"}  # the other way
    assert SORT.headers(SORT.parse("-ends"), [], ["ends"])[0].query == "sort=ends"
    assert SORT.headers(SORT.parse("-ends"), [], ["ends"])[0].aria_sort == "descending"
    assert headers[3].numeric


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("name", "default order leaves sort out"), ("-age", "sort=-age")],
)
def test_query_with_sort_for_pagination(sort, expected):
    query = query_with_sort([("q", "smith"), ("page", "2"), ("x", "")], SORT.parse(sort), SORT.default)
    if sort == SORT.default:
        assert query == "q=smith"
    else:
        assert query == "q=smith&" + expected


@dataclass
class Row:
    last: str
    first: str
    ends: dt.date | None
    age: int


ROWS = [
    Row("brown", "Zed", dt.date(2027, 5, 1), 40),
    Row("Abbot", "Yan", None, 30),
    Row("Brown", "Al", dt.date(2026, 1, 1), 50),
    Row("carter", "Bo", None, 20),
]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Yan", "Al", "Zed", "Bo"]),  # case-insensitive surname, then first name
        ("-name", ["Bo", "Zed", "Al", "Yan"]),
        ("ends", ["Al", "Zed", "Yan", "Bo"]),  # empty last; ties keep the list's order
        ("-ends", ["Zed", "Al", "Yan", "Bo"]),  # empty last the other way too
        ("age", ["Bo", "Yan", "Zed", "Al"]),
    ],
)
def test_order_rows(sort, expected):
    assert [r.first for r in SORT.order_rows(ROWS, SORT.parse(sort))] == expected
