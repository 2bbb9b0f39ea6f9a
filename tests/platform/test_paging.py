"""isotp.paging.LazyPages: what the attention lists and the waiting list share (issue 11)."""

from __future__ import annotations

import pytest

from isotp.paging import LazyPages


def _pages(n: int) -> tuple[LazyPages[int], list[str]]:
    calls: list[str] = []

    def count() -> int:
        calls.append("count")
        return n

    def window(start: int, stop: int) -> list[int]:
        calls.append(f"window {start}-{stop}")
        return list(range(start, min(stop, n)))

    return LazyPages(count, window), calls


def test_the_length_is_counted_once_and_a_slice_builds_only_its_window():
    pages, calls = _pages(30)
    assert len(pages) == 30 and len(pages) == 30
    assert pages[25:50] == [25, 26, 27, 28, 29]
    assert pages[40:50] == []  # past the end: nothing built
    assert calls == ["count", "window 25-30"]


def test_single_places_negative_places_and_the_end():
    pages, _ = _pages(30)
    assert pages[0] == 0 and pages[-1] == 29
    with pytest.raises(IndexError):
        pages[30]
    with pytest.raises(ValueError, match="a run of places"):
        pages[::2]


def test_iterating_reads_every_row_in_one_window():
    pages, calls = _pages(3)
    assert list(pages) == [0, 1, 2]
    assert calls == ["count", "window 0-3"]
