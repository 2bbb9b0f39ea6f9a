"""The one date and age module (isotp.dates): GOV.UK style whatever the server's locale."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

from isotp import dates


@pytest.mark.parametrize(
    ("day", "long", "with_weekday"),
    [
        (date(2027, 3, 3), "3 March 2027", "Wednesday 3 March 2027"),
        (date(2027, 1, 1), "1 January 2027", "Friday 1 January 2027"),
        (date(2026, 12, 31), "31 December 2026", "Thursday 31 December 2026"),
        (date(2028, 2, 29), "29 February 2028", "Tuesday 29 February 2028"),
    ],
)
def test_dates_as_people_write_them(day, long, with_weekday):
    assert dates.long_date(day) == long
    assert dates.weekday_date(day) == with_weekday
    assert dates.month_year(day) == long.split(" ", 1)[1]


def test_no_locale_is_consulted():
    """strftime's %A and %B follow the server's locale; the names are spelled out instead."""
    source = inspect.getsource(dates)
    assert "strftime" not in source and "%B" not in source and "%A" not in source


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 6, 15), date(2018, 6, 14), 17),
        (date(2000, 6, 15), date(2018, 6, 15), 18),  # the birthday itself counts
        (date(2000, 2, 29), date(2021, 2, 28), 20),
        (date(2000, 2, 29), date(2021, 3, 1), 21),  # Family Law Reform Act 1969 s.9
        (date(2000, 1, 1), date(2000, 1, 1), 0),
    ],
)
def test_age_on(born, on, age):
    assert dates.age_on(born, on) == age


def test_a_date_before_the_birth_is_refused():
    with pytest.raises(ValueError, match="before the date of birth"):
        dates.age_on(date(2000, 1, 2), date(2000, 1, 1))
