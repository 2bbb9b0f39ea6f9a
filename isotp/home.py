"""Home page widgets: each app may offer `<app>/home.py: home_widgets(request)` returning cards for the user's role.

This keeps the home page open to later features without the home view importing every app's selectors.

A card whose count has no list page filtered to exactly those people or sessions links to an *attention list*
instead: the app's `home_list(request, key)` hook builds the rows (`AttentionList`), and the card is made from the
same object (`attention_card`), so the number on the card is the number of rows on the page by construction.
`home_list` answers None for a key it does not own and raises PermissionDenied for a role that may not see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from isotp import clock
from isotp.hooks import app_hooks
from isotp.paging import LazyPages


@dataclass(frozen=True)
class Cell:
    """One cell of an attention list: text, and a link when there is a page for the thing."""

    text: str
    href: str = ""


class QueryRows(LazyPages[tuple[Cell, ...]]):
    """An attention list's rows built on demand from an ordered queryset (issue 11): its length is one COUNT and a
    slice builds only that slice's rows, so the home card counts without building a row and the attention page's
    paginator loads and builds one page, not every row in the area (the recordings to monitor: 230 ms of row
    building at national scale, against 25 ms small)."""

    def __init__(
        self,
        queryset: Any,
        build: Callable[[Any], tuple[Cell, ...]],
        prepare: Callable[[Any], list[Any]] = list,
    ):
        """`prepare` turns a slice of the queryset into the list of items built (default: `list`); e.g. it loads
        what the rows name for the whole slice at once."""
        super().__init__(
            queryset.count, lambda start, stop: [build(item) for item in prepare(queryset[start:stop])]
        )
        self._queryset = queryset
        self._build = build
        self._prepare = prepare

    def __iter__(self) -> Any:  # every row, without counting them first
        return (self._build(item) for item in self._prepare(self._queryset))


@dataclass(frozen=True)
class AttentionList:
    """The rows behind one home-page count: a title, what the rows are, the column headings and the rows."""

    key: str
    title: str
    description: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[Cell, ...]] = field(default_factory=list)
    empty: str = "Nothing needs attention."


def attention_url(key: str) -> str:
    return reverse("attention_list", kwargs={"key": key})


def attention_card(
    lst: AttentionList, *, link_text: str, description: str = "", name_column: int | None = None
) -> dict[str, Any]:
    """The home card for an attention list: its count is the number of rows the linked page lists.
    `name_column`: the column whose linked cells the card names itself (each once, e.g. the groups a problem is
    in, linking to each group's page), so a problem is one click from where it is put right."""
    named: list[Cell] = []
    if name_column is not None:
        for row in lst.rows:
            cell = row[name_column]
            if cell.href and cell not in named:
                named.append(cell)
    return counted_card(
        lst.key,
        lst.title,
        description or lst.description,
        count=len(lst.rows),  # a `QueryRows` counts in the database, building no row
        link_text=link_text,
        named=named,
    )


def counted_card(
    key: str, title: str, description: str, *, count: int, link_text: str, named: Sequence[Cell] = ()
) -> dict[str, Any]:
    """The card `attention_card` makes for the attention list `key`, from its count (and named cells) alone: for
    a card whose figures are counted in SQL without building the list (issue 11: several lists' counts in one
    aggregate query). The count must be the number of rows the list has; tests compare the two."""
    return {
        "title": title,
        "count": count,
        "url": attention_url(key),
        "link_text": link_text,
        "description": description,
        "named": list(named),
    }


def widgets_for(request: HttpRequest) -> list[dict[str, Any]]:
    """Cards for the home page: `{"title", "count"?, "url", "link_text", "description"?}` from every app's hook."""
    cards: list[dict[str, Any]] = []
    for hook in app_hooks("home", "home_widgets"):
        cards.extend(hook(request))
    return cards


AttentionLists = Mapping[str, tuple[Callable[[Any, dt.date], AttentionList], Callable[[Any], bool]]]


def gated_list(lists: AttentionLists, request: HttpRequest, key: str) -> AttentionList | None:
    """An app's `home_list` over its table of lists (key -> builder, who may see it): None when the app does not own
    `key`, 403 for a user the gate refuses, else the list built for the user and today."""
    entry = lists.get(key)
    if entry is None:
        return None
    build, allowed = entry
    if not allowed(request.user):
        raise PermissionDenied
    return build(request.user, clock.today())


def attention_list_for(request: HttpRequest, key: str) -> AttentionList | None:
    """The attention list `key` from the app that owns it (None when no app does)."""
    for hook in app_hooks("home", "home_list"):
        found = hook(request, key)
        if found is not None:
            return found
    return None
