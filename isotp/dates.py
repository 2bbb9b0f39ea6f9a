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


# Review of issue 7, no. 14: nobody under supervision is older than this; a date of birth that makes someone older
# is a typing slip (1800 for 1980), refused on its field rather than scored.
MAX_AGE = 110


def too_old(date_of_birth: date, on: date) -> str | None:
    """Why `date_of_birth` cannot be right on `on` (more than MAX_AGE years before it), or None."""
    if on >= date_of_birth and age_on(date_of_birth, on) > MAX_AGE:
        return f"The date of birth ({long_date(date_of_birth)}) would make the person older than {MAX_AGE}: check it"
    return None
