"""Enforcement of attendance (domain.md §6): warnings and breach action, as pure functions over dates.

Sources: Criminal Justice Act 2003 Sch. 8 and Sentencing Act 2020 Sch. 10 (a failure to comply with a requirement
of the order or licence without reasonable excuse), the Probation Service's National Standards (003: "unacceptable
absences are dealt with in accordance with the Probation Service's National Standards"), as domain.md §6 states
them:

- an unacceptable absence (or being sent home for an unacceptable reason) is a failure to comply;
- the first -> a warning is due; the OM (or a TM) records it as issued, with its date;
- a further failure within 12 months of an issued warning -> breach action is due by the 10th working day after
  the absence (weekends and the area's bank holidays excluded); the OM records the date it was actioned.

"Within 12 months" ends the day before the warning's anniversary (a warning of 29 February runs to the last day of
the next February). A failure on the day a warning is issued is the one that warning answers, not a further one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

NONE = "none"
WARNING_DUE = "warning_due"
WARNING_ISSUED = "warning_issued"
BREACH_DUE = "breach_due"
BREACH_ACTIONED = "breach_actioned"
STATUSES = (NONE, WARNING_DUE, WARNING_ISSUED, BREACH_DUE, BREACH_ACTIONED)

BREACH_WORKING_DAYS = 10  # domain.md §6: breach action by the 10th working day after the absence
WARNING_WINDOW_MONTHS = 12  # domain.md §6: a further failure within 12 months of an issued warning

STATUS_LABELS = {
    NONE: "No enforcement action",
    WARNING_DUE: "Warning due",
    WARNING_ISSUED: "Warning issued",
    BREACH_DUE: "Breach action due",
    BREACH_ACTIONED: "Breach actioned",
}


def anniversary(day: date) -> date:
    """The same day a year later; 29 February's anniversary is 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 3, 1)


def within_warning_window(failure: date, warning: date) -> bool:
    """domain.md §6: a failure after an issued warning and before the warning's first anniversary."""
    return warning < failure < anniversary(warning)


def working_day_after(start: date, n: int, *, is_holiday: Callable[[date], bool]) -> date:
    """The n-th working day after `start` (Monday to Friday, not a bank holiday of the area's jurisdiction)."""
    if n < 1:
        raise ValueError("Count at least one working day.")
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() < 5 and not is_holiday(day):
            counted += 1
    return day


@dataclass(frozen=True)
class Enforcement:
    """The enforcement state of one referral, with what is due and why."""

    status: str
    warning_issued_on: date | None
    breach_due_by: date | None
    breach_actioned_on: date | None
    failures: tuple[date, ...]
    code: str
    reason: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _fmt(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def enforcement_state(
    *,
    failures: Iterable[date],
    warnings: Iterable[date],
    breaches: Iterable[date],
    is_holiday: Callable[[date], bool],
) -> Enforcement:
    """The state from the referral's failures to comply and the warnings and breach actions recorded.

    The latest failure decides: if it follows an issued warning within 12 months, breach action is due (or
    actioned, when one was recorded on or after it); otherwise a warning is due (or issued, when one was recorded
    on or after it).
    """
    failed = tuple(sorted(set(failures)))
    warned = sorted(set(warnings))
    breached = sorted(set(breaches))
    last_warning = warned[-1] if warned else None
    if not failed:
        return Enforcement(
            NONE, last_warning, None, None, (), "ENF_NONE", "No unacceptable absence has been recorded."
        )
    latest = failed[-1]
    prior = [w for w in warned if within_warning_window(latest, w)]
    if prior:
        actioned = [b for b in breached if b >= latest]
        if actioned:
            return Enforcement(
                BREACH_ACTIONED,
                prior[-1],
                None,
                actioned[0],
                failed,
                "ENF_BREACH_ACTIONED",
                f"Breach action was recorded on {_fmt(actioned[0])} for the unacceptable absence on "
                f"{_fmt(latest)}.",
            )
        due = working_day_after(latest, BREACH_WORKING_DAYS, is_holiday=is_holiday)
        return Enforcement(
            BREACH_DUE,
            prior[-1],
            due,
            None,
            failed,
            "ENF_BREACH_DUE",
            f"A further unacceptable absence on {_fmt(latest)} within 12 months of the warning issued on "
            f"{_fmt(prior[-1])}: breach action is due by {_fmt(due)}, the 10th working day after the absence "
            "(CJA 2003 Sch. 8; National Standards).",
        )
    issued = [w for w in warned if w >= latest]
    if issued:
        return Enforcement(
            WARNING_ISSUED,
            issued[0],
            None,
            None,
            failed,
            "ENF_WARNING_ISSUED",
            f"A warning was issued on {_fmt(issued[0])} for the unacceptable absence on {_fmt(latest)}; a "
            "further one within 12 months makes breach action due.",
        )
    return Enforcement(
        WARNING_DUE,
        last_warning,
        None,
        None,
        failed,
        "ENF_WARNING_DUE",
        f"An unacceptable absence on {_fmt(latest)} is a failure to comply: a warning is due (National "
        "Standards).",
    )
