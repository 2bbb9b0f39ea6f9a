"""Which dates a proven reoffence and a supervision session may carry (tester of issue 14, finding B).

Pure: plain dates in, field problems (plain English) out. Sources:
- Age of criminal responsibility in England and Wales: 10 (Children and Young Persons Act 1933, s.50), so no one
  can be proven to have offended before his 10th birthday.
- A conviction or caution proves an offence already committed: it cannot come before the offence date.
- Supervision records (seeds 000/002, "examining the supervisor's records") are kept by this system, which no
  programme delivered before 2000 predates (the product's floor); a facilitator cannot have been supervised
  here before his account existed, nor in the future.
"""

from __future__ import annotations

import datetime as dt

AGE_OF_CRIMINAL_RESPONSIBILITY = 10  # Children and Young Persons Act 1933, s.50 (England and Wales)
SUPERVISION_FLOOR = dt.date(2000, 1, 1)  # the product's earliest supervision date


def tenth_birthday(date_of_birth: dt.date) -> dt.date:
    """The day a person turns 10 (a 29 February birthday turns 10 on 1 March)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + AGE_OF_CRIMINAL_RESPONSIBILITY)
    except ValueError:
        return dt.date(date_of_birth.year + AGE_OF_CRIMINAL_RESPONSIBILITY, 3, 1)


def reoffence_date_problems(
    *, offence_on: dt.date, proven_on: dt.date, date_of_birth: dt.date | None, today: dt.date
) -> dict[str, str]:
    """Field problems with a proven reoffence's dates (empty: the dates are possible)."""
    problems: dict[str, str] = {}
    if offence_on > today:
        problems["offence_on"] = "The date of the offence must be today or in the past"
    elif date_of_birth is not None and offence_on < tenth_birthday(date_of_birth):
        # Age of criminal responsibility in England and Wales: 10.
        problems["offence_on"] = (
            "The date of the offence must be on or after the person's 10th birthday "
            f"({tenth_birthday(date_of_birth):%-d %B %Y}), the age of criminal responsibility"
        )
    if proven_on > today:
        problems["proven_on"] = "The date it was proven must be today or in the past"
    elif proven_on < offence_on:
        problems["proven_on"] = "The date it was proven must be on or after the date of the offence"
    return problems


def supervision_date_problem(
    *, held_on: dt.date, account_created_on: dt.date | None, today: dt.date
) -> str | None:
    """What is wrong with a supervision session's date, or None."""
    if held_on > today:
        return "The date must be today or in the past"
    if held_on < SUPERVISION_FLOOR:
        return f"The date must be on or after {SUPERVISION_FLOOR:%-d %B %Y}"
    if account_created_on is not None and held_on < account_created_on:
        return (
            "The date must be on or after the facilitator's account was created "
            f"({account_created_on:%-d %B %Y})"
        )
    return None
