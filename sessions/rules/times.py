"""Times of day as people type them (issue 13: "Times accept '6pm' and '18:00'"). Pure: no Django.

GOV.UK's advice for times is to accept the forms people use: the 24-hour clock ("18:00", "18.00", "1800") and the
12-hour clock with am or pm ("6pm", "6:30pm", "6.30 p.m."), plus "midday", "noon" and "midnight". A bare hour from 1
to 12 ("6") is ambiguous and refused with a message saying so; a bare hour from 13 to 23 or "0" is read on the
24-hour clock.
"""

from __future__ import annotations

import re
from datetime import time

_WORDS = {"midday": time(12, 0), "noon": time(12, 0), "12 noon": time(12, 0), "midnight": time(0, 0)}
_TWELVE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s*m\.?$")
_TWENTY_FOUR = re.compile(r"^(\d{1,2})[:.](\d{2})$|^(\d{2})(\d{2})$")
_BARE = re.compile(r"^(\d{1,2})$")


class TimeOfDayError(ValueError):
    """Why a typed time was refused: `ambiguous` (a bare 1 to 12) or `invalid`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_time_of_day(text: str) -> time:
    """The time of day `text` means, or TimeOfDayError."""
    value = " ".join(text.strip().lower().split())
    if value in _WORDS:
        return _WORDS[value]
    twelve = _TWELVE.match(value)
    if twelve:
        hour, minute = int(twelve[1]), int(twelve[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise TimeOfDayError("invalid")
        hour = hour % 12 + (12 if twelve[3] == "p" else 0)
        return time(hour, minute)
    full = _TWENTY_FOUR.match(value)
    if full:
        hour, minute = (int(full[1]), int(full[2])) if full[1] else (int(full[3]), int(full[4]))
        if hour > 23 or minute > 59:
            raise TimeOfDayError("invalid")
        return time(hour, minute)
    bare = _BARE.match(value)
    if bare:
        hour = int(bare[1])
        if 1 <= hour <= 12:
            raise TimeOfDayError("ambiguous")
        if hour > 23:
            raise TimeOfDayError("invalid")
        return time(hour, 0)
    raise TimeOfDayError("invalid")
