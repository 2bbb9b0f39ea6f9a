"""Waiting-list urgency: how soon a referral must start to finish within its supervision period.

Pure rules: no Django, "today" is passed in. The 2-year minimum supervision exists "in order to ensure that
the relevant programme can be completed" (003; domain.md §3 SUPERVISION_ENDS_TOO_SOON): this module turns the
latest start date into an urgency for the waiting list. The latest start itself comes from the catalogue: the
programme's sessions at its cadence with the area's bank holidays and closures (sessions.rules.pathways, the same
calculation as SUPERVISION_ENDS_TOO_SOON), so the list and the eligibility decision cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from isotp.dates import long_date

OVERDUE, START_SOON, OK, UNKNOWN = "overdue", "start_soon", "ok", "unknown"
LEVELS: tuple[str, ...] = (OVERDUE, START_SOON, OK, UNKNOWN)  # most urgent first, for sorting
DEFAULT_WARNING_WEEKS = 8


@dataclass(frozen=True)
class Urgency:
    level: str  # overdue | start_soon | ok | unknown
    message: str
    latest_start: date | None
    days_left: int | None  # days from today to the latest start; negative when overdue

    def as_dict(self) -> dict[str, str | int | None]:
        latest = self.latest_start.isoformat() if self.latest_start else None
        return {
            "level": self.level,
            "message": self.message,
            "latest_start": latest,
            "days_left": self.days_left,
        }


def urgency(
    today: date,
    supervision_end: date | None,
    latest: date | None,
    warning_weeks: int = DEFAULT_WARNING_WEEKS,
) -> Urgency:
    """How urgent a waiting referral is: overdue, start_soon (within `warning_weeks`), ok, or unknown.

    `latest` is the last start date from which the programme ends by `supervision_end` (None when that is unknown).
    """
    if warning_weeks < 0:
        raise ValueError(f"warning_weeks cannot be negative ({warning_weeks})")
    if supervision_end is None or latest is None:
        message = "No supervision end date is recorded: add it to see how soon the programme must start"
        return Urgency(UNKNOWN, message, None, None)
    days_left = (latest - today).days
    by = f"by {long_date(latest)} to finish before supervision ends on {long_date(supervision_end)}"
    if days_left < 0:  # 003: the programme can no longer be completed within supervision
        return Urgency(OVERDUE, f"Can no longer finish in time: had to start {by}", latest, days_left)
    if days_left <= warning_weeks * 7:
        when = "today" if days_left == 0 else f"within {days_left} day{'' if days_left == 1 else 's'}"
        return Urgency(START_SOON, f"Must start {by} (that is {when})", latest, days_left)
    return Urgency(OK, f"Must start {by}", latest, days_left)
