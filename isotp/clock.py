"""Today's date, in one place: the product's local date (settings.TIME_ZONE).

Services never take "today" from their caller. Tests move the clock with time-machine; the demo, which enters a
past term's history through the services, dates its writes with `as_of` (the clock's own override).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_as_of: ContextVar[dt.date | None] = ContextVar("isotp_clock_as_of", default=None)


def today() -> dt.date:
    """The local date now (or the date set by `as_of`); rules take it as an argument, services and pages ask here."""
    fixed = _as_of.get()
    return fixed if fixed is not None else timezone.localdate()


@contextmanager
def as_of(day: dt.date) -> Iterator[None]:
    """Back-dated entry (the demo's history, tests): within the block, `today()` is `day`."""
    token = _as_of.set(day)
    try:
        yield
    finally:
        _as_of.reset(token)
