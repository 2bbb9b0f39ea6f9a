"""Dates as people write them, and ages: one of each, for the rules, the services and the pages.

Pure Python (no Django, no locale): the rules of every app import it, and a server whose locale is not English still
writes "Monday 3 March 2027".
"""

from __future__ import annotations

from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date) -> str:
    """GOV.UK style, whatever the server's locale: "3 March 2027"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: date) -> str:
    """GOV.UK style with the weekday, whatever the server's locale: "Wednesday 3 March 2027"."""
    return f"{WEEKDAYS[day.weekday()]} {long_date(day)}"


def month_year(day: date) -> str:
    """ "March 2027", whatever the server's locale."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a date; the birthday itself counts as the new age. A 29 February birthday is reached
    on 1 March in a non-leap year (Family Law Reform Act 1969 s.9). A date before the birth is refused."""
    if on < date_of_birth:
        raise ValueError("The date is before the date of birth.")
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
