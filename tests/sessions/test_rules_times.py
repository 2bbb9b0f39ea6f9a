"""Issue 13: times accept "6pm" and "18:00" (sessions.rules.times), with the boundaries of each form."""

from __future__ import annotations

from datetime import time

import pytest

from sessions.rules.times import TimeOfDayError, parse_time_of_day


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("18:00", time(18, 0)),
        ("18.00", time(18, 0)),
        ("1800", time(18, 0)),
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("6pm", time(18, 0)),
        ("6 PM", time(18, 0)),
        ("6p.m.", time(18, 0)),
        ("6.30 p.m.", time(18, 30)),
        ("6:30pm", time(18, 30)),
        ("10am", time(10, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("12:30am", time(0, 30)),
        ("1am", time(1, 0)),
        ("11:59pm", time(23, 59)),
        ("midday", time(12, 0)),
        ("Noon", time(12, 0)),
        ("midnight", time(0, 0)),
        ("18", time(18, 0)),
        ("13", time(13, 0)),
        ("0", time(0, 0)),
        ("  18:00  ", time(18, 0)),
    ],
)
def test_accepted(typed, meant):
    assert parse_time_of_day(typed) == meant


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("6", "ambiguous"),
        ("1", "ambiguous"),
        ("12", "ambiguous"),
        ("24", "invalid"),
        ("24:00", "invalid"),
        ("18:60", "invalid"),
        ("13pm", "invalid"),
        ("0am", "invalid"),
        ("6:60pm", "invalid"),
        ("six", "invalid"),
        ("", "invalid"),
        ("18:0", "invalid"),
        ("1.5pm", "invalid"),
    ],
)
def test_refused(typed, code):
    with pytest.raises(TimeOfDayError) as refused:
        parse_time_of_day(typed)
    assert refused.value.code == code
