"""Weekly slots as the services take them: parsed from pages and the API, checked against the programme."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from sessions.rules import WEEKDAYS, Slot, parse_weekday

if TYPE_CHECKING:
    pass


def _parse_time(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a time: use HH:MM on the 24-hour clock, e.g. 18:00.") from None


def parse_slots(raw: Iterable[Slot | Mapping[str, Any]], *, max_slots: int) -> list[Slot]:
    """Slots from `Slot`s or `{"weekday": "monday" | 0, "start_time": "18:00" | time}`; ValidationError on `slots`."""
    slots: list[Slot] = []
    try:
        for item in raw:
            if isinstance(item, Slot):
                slots.append(item)
                continue
            weekday = item["weekday"]
            number = weekday if isinstance(weekday, int) else parse_weekday(str(weekday))
            slots.append(Slot(weekday=number, start_time=_parse_time(item["start_time"])))
    except (KeyError, TypeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else "Give each slot a weekday and a start time."
        raise ValidationError({"slots": [message]}) from None
    if not slots:
        raise ValidationError({"slots": ["Choose at least one weekly slot (a weekday and a start time)."]})
    if len(slots) > max_slots:
        times = "once a week" if max_slots == 1 else f"at most {max_slots} times a week"
        raise ValidationError(
            {"slots": [f"This programme meets {times}: choose {max_slots} slot(s) or fewer."]}
        )
    if len({s.weekday for s in slots}) != len(slots):
        raise ValidationError({"slots": ["Choose a different weekday for each slot."]})
    return sorted(slots, key=lambda s: (s.weekday, s.start_time))


def slot_label(slot: Slot) -> str:
    return f"{WEEKDAYS[slot.weekday].capitalize()} at {slot.start_time:%H:%M}"
