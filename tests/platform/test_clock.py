"""The one clock (isotp/clock.py): services ask it for today; no caller chooses "today" (issue 7)."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest

from isotp import clock
from sessions import services


def test_as_of_sets_today_within_the_block_only(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC), tick=False)
    with clock.as_of(dt.date(2025, 1, 6)):
        assert clock.today() == dt.date(2025, 1, 6)
    assert clock.today() == dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    "service",
    [
        services.create_group,
        services.allocate,
        services.record_attendance,
        services.take_register,
        services.book_catch_up,
        services.record_catch_up_outcome,
    ],
    ids=lambda f: f.__name__,
)
def test_no_delivery_service_lets_its_caller_choose_today(service):
    assert "today" not in inspect.signature(service).parameters


def test_progress_is_applied_only_inside_the_attendance_services():
    from sessions.services import attendance

    assert not hasattr(attendance, "apply_progress") and not hasattr(services, "apply_progress")
