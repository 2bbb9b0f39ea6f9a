"""A list that a paginator reads a page at a time, built only where it is read (issue 11): its length is one
count and a slice builds only the rows at those places. The attention lists (`isotp.home.QueryRows`) and the
waiting list (`referrals.selectors.WaitingPages`) are both this, with their own count and window."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, overload

T = TypeVar("T")


class LazyPages(Sequence[T]):
    """`count()` gives the length (asked once); `window(start, stop)` builds the rows at places start to stop
    (0-based, stop excluded). Django's and DRF's paginators ask the length, then slice one page."""

    def __init__(self, count: Callable[[], int], window: Callable[[int, int], list[T]]) -> None:
        self._count_rows = count
        self._window = window
        self._count: int | None = None

    def __len__(self) -> int:  # the paginator's count (Sequence.count takes a value, so it uses len)
        if self._count is None:
            self._count = self._count_rows()
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("A lazily built list is read a run of places at a time")
            return self._window(start, stop) if stop > start else []
        place = index + len(self) if index < 0 else index
        rows = self._window(place, place + 1) if 0 <= place < len(self) else []
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[T]:  # one read of every row, not one per place
        return iter(self[:])
