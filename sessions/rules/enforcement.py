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
from dataclasses import dataclass, field
from datetime import date, timedelta

from isotp.dates import long_date

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
    """The enforcement state of one referral, with what is due and why. `answers` is the failure that opened the
    current step (the one a warning or breach action recorded now answers)."""

    status: str
    warning_issued_on: date | None
    breach_due_by: date | None
    breach_actioned_on: date | None
    failures: tuple[date, ...]
    code: str
    reason: str
    answers: date | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def _fmt(day: date) -> str:
    return long_date(day)


@dataclass
class _Step:
    kind: str  # "warning" or "breach"
    opened_by: date  # the failure that made it due
    warning: date | None  # breach steps: the warning whose 12 months it fell within
    answered_on: date | None = None
    further: int = 0  # later failures folded into this step while it was due


def _first_unused(actions: list[date], used: set[int], on_or_after: date) -> int | None:
    return next((i for i, a in enumerate(actions) if i not in used and a >= on_or_after), None)


@dataclass
class _Actions:
    """The warnings and breach actions recorded, each answering at most one step; the warnings issued so far."""

    warned: list[date]
    breached: list[date]
    used_w: set[int] = field(default_factory=set)
    used_b: set[int] = field(default_factory=set)
    issued: list[date] = field(default_factory=list)

    def settle(self, step: _Step) -> None:
        """Answer `step` with the first unused action of its kind on or after the failure that opened it."""
        if step.answered_on is not None:
            return
        actions, used = (self.warned, self.used_w) if step.kind == "warning" else (self.breached, self.used_b)
        i = _first_unused(actions, used, step.opened_by)
        if i is not None:
            used.add(i)
            step.answered_on = actions[i]
            if step.kind == "warning":
                self.issued.append(actions[i])


def _folds_into(current: _Step, failure: date) -> bool:
    """A failure is the same step when the step is still due, on or before the day its warning was issued, or
    before the breach action that answered it was recorded: the deadline does not move."""
    if current.answered_on is None:
        return True
    if current.kind == "warning":
        return failure <= current.answered_on
    return failure < current.answered_on


def _walk(failed: tuple[date, ...], actions: _Actions) -> list[_Step]:
    """The steps the failures open, in date order, each answered by the actions recorded."""
    steps: list[_Step] = []
    for f in failed:
        current = steps[-1] if steps else None
        if current is not None:
            actions.settle(current)
            if _folds_into(current, f):
                current.further += 1
                continue
        window = next((w for w in reversed(actions.issued) if within_warning_window(f, w)), None)
        steps.append(_Step("breach" if window else "warning", f, window))
    return steps


def _breach_state(
    step: _Step, failed: tuple[date, ...], more: str, is_holiday: Callable[[date], bool]
) -> Enforcement:
    assert step.warning is not None
    if step.answered_on is not None:
        return Enforcement(
            BREACH_ACTIONED,
            step.warning,
            None,
            step.answered_on,
            failed,
            "ENF_BREACH_ACTIONED",
            f"Breach action was recorded on {_fmt(step.answered_on)} for the unacceptable absence on "
            f"{_fmt(step.opened_by)}{more}.",
            step.opened_by,
        )
    due = working_day_after(step.opened_by, BREACH_WORKING_DAYS, is_holiday=is_holiday)
    return Enforcement(
        BREACH_DUE,
        step.warning,
        due,
        None,
        failed,
        "ENF_BREACH_DUE",
        f"A further unacceptable absence on {_fmt(step.opened_by)}{more} within 12 months of the warning "
        f"issued on {_fmt(step.warning)}: breach action is due by {_fmt(due)}, the 10th working day after "
        "that absence (CJA 2003 Sch. 8; National Standards).",
        step.opened_by,
    )


def _warning_state(step: _Step, failed: tuple[date, ...], more: str, issued: list[date]) -> Enforcement:
    if step.answered_on is not None:
        return Enforcement(
            WARNING_ISSUED,
            step.answered_on,
            None,
            None,
            failed,
            "ENF_WARNING_ISSUED",
            f"A warning was issued on {_fmt(step.answered_on)} for the unacceptable absence on "
            f"{_fmt(step.opened_by)}{more}; a further one within 12 months makes breach action due.",
            step.opened_by,
        )
    return Enforcement(
        WARNING_DUE,
        issued[-1] if issued else None,
        None,
        None,
        failed,
        "ENF_WARNING_DUE",
        f"An unacceptable absence on {_fmt(step.opened_by)}{more} is a failure to comply: a warning is due "
        "(National Standards).",
        step.opened_by,
    )


def enforcement_state(
    *,
    failures: Iterable[date],
    warnings: Iterable[date],
    breaches: Iterable[date],
    is_holiday: Callable[[date], bool],
) -> Enforcement:
    """The state from the referral's failures to comply and the warnings and breach actions recorded.

    The failures are walked in date order, each step answered by the first action of its kind recorded on or after
    the failure that opened it (domain.md §6):
    - a failure with no issued warning in the 12 months before it opens a warning step (failures while a warning
      is due are the same step; a failure on the day a warning is issued is the one it answers);
    - the first further failure within 12 months of an issued warning opens a breach step, due by the 10th working
      day after THAT absence: later failures while it is due do not move the deadline (review of issue 8, no. 8);
    - after breach action, a further failure within the warning's 12 months opens a new breach step, including one
      on the day the action was recorded (it is not the failure the action answered).
    """
    failed = tuple(sorted(failures))
    actions = _Actions(warned=sorted(set(warnings)), breached=sorted(set(breaches)))
    steps = _walk(failed, actions)
    if not steps:
        last_warning = actions.warned[-1] if actions.warned else None
        return Enforcement(
            NONE, last_warning, None, None, (), "ENF_NONE", "No unacceptable absence has been recorded."
        )
    step = steps[-1]
    actions.settle(step)
    more = f" ({step.further} further since)" if step.further else ""
    if step.kind == "breach":
        return _breach_state(step, failed, more, is_holiday)
    return _warning_state(step, failed, more, actions.issued)
