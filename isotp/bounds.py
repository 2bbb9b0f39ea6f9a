"""The bounds every date and every piece of free text must keep: one helper, for the models, forms, serializers
and services (issue 12: a date of birth `0001-01-01` was stored and a 1 MB rationale filled a person's page).

Pure Python (no Django): the rules and the services import it; `isotp/fields.py` turns it into model, form and
serializer fields.
"""

from __future__ import annotations

from datetime import date

from isotp.dates import long_date

# 012: no record this service holds is dated before 1900 (its oldest people were born after it) or after 2100
# (the furthest planned date, a supervision end, is decades away at most). Year 1 and 9999 are typing slips or
# attacks; they also break the `YYYY-MM-DD` format the API promises (year 1 is written "1-01-01").
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# 012: the age of criminal responsibility in England and Wales (Children and Young Persons Act 1933 s.50): nobody
# under supervision was born less than ten years ago.
MIN_AGE = 10

# 012: the longest free text (a rationale, notes, a report's comments) a field may hold: about four pages. Short
# fields (names, codes) have their own, smaller max_length.
TEXT_MAX_LENGTH = 10_000

# 012: the longest search a list page takes (a name or a CRN with room to spare); longer is cut to it.
SEARCH_MAX_LENGTH = 100


# 012: characters refused in every text field: C0 and C1 control characters (a terminal escape, a bell; a NUL the
# database refuses anyway) and the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make a
# name or a note display other than it reads (Unicode TR #9 and CVE-2021-42574, "Trojan Source"). Tab, line feed
# and carriage return are allowed in multi-line free text only.
LINE_BREAKS = frozenset("\t\n\r")
# The refused code points as (first, last) ranges: isotp/schema.py writes them as the schema's `pattern`.
REFUSED_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0x202A, 0x202E), (0x2066, 0x2069))
_REFUSED = frozenset(chr(c) for first, last in REFUSED_RANGES for c in range(first, last + 1))


def text_character_problem(value: str, *, multiline: bool) -> str | None:
    """Why `value` cannot be stored as text (a control or text-direction character), or None."""
    for char in value:
        if char in _REFUSED and not (multiline and char in LINE_BREAKS):
            return f"Remove the hidden control or text-direction character (U+{ord(char):04X})"
    return None


def date_out_of_range(day: date) -> str | None:
    """Why `day` cannot be a date this service records (before 1900, after 2100), or None."""
    if day < EARLIEST_DATE:
        return f"Enter a date on or after {long_date(EARLIEST_DATE)}"
    if day > LATEST_DATE:
        return f"Enter a date on or before {long_date(LATEST_DATE)}"
    return None


def date_of_birth_problem(date_of_birth: date, today: date) -> str | None:
    """Why `date_of_birth` cannot be right on `today`: before 1900, or less than MIN_AGE years ago; or None."""
    if date_of_birth < EARLIEST_DATE:
        return f"Enter a date of birth on or after {long_date(EARLIEST_DATE)}"
    if date_of_birth >= today:
        return "Enter a date of birth in the past"
    latest = _years_before(today, MIN_AGE)
    if date_of_birth > latest:
        return f"Enter a date of birth at least {MIN_AGE} years ago (on or before {long_date(latest)})"
    return None


def past_date_problem(day: date, today: date, what: str = "date") -> str | None:
    """Why `day`, the date something happened, cannot be right on `today` (out of range, or in the future)."""
    if day > today:
        return f"The {what} must be today or in the past"
    return date_out_of_range(day)


def text_too_long(value: str, limit: int = TEXT_MAX_LENGTH) -> str | None:
    """Why `value` is too long for a free-text field of `limit` characters, or None."""
    if len(value) > limit:
        return f"Enter no more than {limit:,} characters"
    return None


def _years_before(day: date, years: int) -> date:
    """The same day `years` years earlier; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
