"""Reading rendered pages in view tests."""

from __future__ import annotations

import html
import re
from typing import Any


def page_text(response: Any) -> str:
    """The page's HTML with entities decoded and white space folded, so names such as O'Brien match as written."""
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def error_summary(response: Any) -> str:
    """The GOV.UK error summary's HTML with white space folded and entities decoded, so that a generated name
    such as O'Connor matches as written (empty when the page has none)."""
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S)
    return re.sub(r"\s+", " ", html.unescape(match.group(0))) if match else ""


def choice_hints(response: Any) -> dict[str, str]:
    """Each radio or checkbox label on the page with the text of its item hint ("" when it has none)."""
    found = {}
    for match in re.finditer(
        r'<label class="govuk-label govuk-(?:radios|checkboxes)__label"[^>]*>(.*?)</label>\s*'
        r'(?:<div id="[^"]*-item-hint"[^>]*>(.*?)</div>)?',
        response.content.decode(),
        re.S,
    ):
        label, hint = (
            re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", g or ""))).strip()
            for g in match.groups()
        )
        found[label] = hint
    return found


# --- lists that sort on the server (issue 13): the audit trail, the Reports list ---------------------------------


def aria_sort(html: str, label: str) -> str:
    """The `aria-sort` of the sortable column header whose link reads `label`."""
    found = re.search(r'<th[^>]*aria-sort="(\w+)"[^>]*>\s*<a[^>]*>' + re.escape(label) + "<", html)
    assert found, f"no sortable header {label}"
    return found.group(1)


def assert_sorts_both_ways(client: Any, url: str, *, key: str, label: str, first: str, last: str) -> None:
    """`?sort=key` puts the row showing `first` above the one showing `last`, marks the header `label` ascending
    and links to the reverse; `?sort=-key` puts them the other way round and marks it descending."""
    page = client.get(url, {"sort": key}).content.decode()
    assert page.index(first) < page.index(last)
    assert aria_sort(page, label) == "ascending" and f"sort=-{key}" in page
    page = client.get(url, {"sort": f"-{key}"}).content.decode()
    assert page.index(last) < page.index(first)
    assert aria_sort(page, label) == "descending"


def assert_newest_first_unless_sorted(
    client: Any, url: str, *, unknown: tuple[str, ...], newest: str, oldest: str, by: str, other: str
) -> None:
    """With no sort, and with each `unknown` one, the row showing `newest` comes first: the header `by` is marked
    descending and the header `other` not sorted."""
    for params in ({}, *({"sort": sort} for sort in unknown)):
        page = client.get(url, params).content.decode()
        assert page.index(newest) < page.index(oldest), params
        assert aria_sort(page, by) == "descending" and aria_sort(page, other) == "none"


def assert_sort_links_keep_the_filter(
    client: Any, url: str, *, filters: dict[str, str], sort: str, shown: str, hidden: str
) -> None:
    """Filtered by `filters` and sorted by `sort`, the list shows the row `shown` but not `hidden`, and the header
    links keep the filter (the reverse sort's link carries it)."""
    page = client.get(url, {**filters, "sort": sort}).content.decode()
    kept = "&amp;".join(f"{name}={value}" for name, value in filters.items())
    assert f"{kept}&amp;sort=-{sort}" in page
    assert shown in page and hidden not in page


def assert_sorting_adds_no_queries_per_row(
    client: Any, url: str, sort: str, *, queries: int, row_text: str, rows: int, assert_max_queries: Any
) -> None:
    """Sorted by `sort`, the list takes at most `queries` queries however many rows it has (each showing
    `row_text`): called with a few rows and with more, the same limit holds."""
    with assert_max_queries(queries):
        response = client.get(url, {"sort": sort})
    assert response.status_code == 200 and response.content.decode().count(row_text) >= rows
