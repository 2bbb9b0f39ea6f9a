"""Fixtures shared by the delivery tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.sessions.factories import make_group, trained_facilitator


@pytest.fixture
def on_24_november_2026(time_machine):
    """A Tuesday morning in London, for tests whose dates are written out."""
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)


@pytest.fixture
def group(area, tm, facilitator):
    """A group of the area with two trained facilitators, meeting on Mondays from 4 January 2027."""
    return make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
