"""Programme statistics for one area (or all areas), programme and period, from plain rows (issue 14).

Pure: the selector reads one query per table into these rows; every figure is computed here, so each can be tested
on a small hand-made data set with a known answer. Definitions (where the sources are silent, the product's
decision is written here and shown on the page):

- Referrals: referrals submitted in the period.
- Starts: places (memberships) whose first day falls in the period and has passed. A restart is a new start.
- Completions, the PC 09/2007 way (domain.md §8): the Post-Programme Report is issued to the OM AND the
  post-programme psychometrics are recorded; counted on the day the completion was recorded
  (`reports.rules.completion_decision` decides; an exit report never counts).
- Non-completions by reason: places that ended in the period without a completion, by what happened next:
  restart, deselected, breach (a breach actioned on the referral, or the place ended because the order was revoked,
  a recall or custody, or a further offence), withdrawn. A move to another group (back to the waiting list) is not a non-completion.
- Catch-up use: catch-ups delivered to places that started in the period, and the share of those places that
  needed at least one.
- Attendance rate: attended (on time or late) out of every outcome recorded for sessions in the period.
- Median days from referral to start, over the period's starts.
- Psychometrics: the share of the period's completers with both pre and post scores; per scale, the share of
  completers with both scores whose change was reliable improvement (recovered or improved, RCI, domain.md §7).
- Reports on time: of the reports first issued in the period, the share issued within N days (configurable per
  area) of the member's last attended session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from quality.rules.figures import Proportion, median, proportion, rate

NON_COMPLETION_REASONS: dict[str, str] = {
    "restart": "Restart required",
    "deselected": "Deselected",
    "breach": "Breach (order revoked, recall, custody or a further offence)",
    "withdrawn": "Withdrawn",
}
# The referral reason codes (referrals.rules.transitions.REASON_CHOICES) that mean enforcement ended the place.
BREACH_REASON_CODES = frozenset({"order_revoked", "recalled_or_in_custody", "further_offending", "breach"})
IMPROVED_CLASSIFICATIONS = frozenset({"recovered", "improved"})  # domain.md §7: reliable improvement


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


DEFAULT_PERIOD_DAYS = 365


def default_period(today: dt.date) -> Period:
    """The period the statistics show when none is asked for: the last year, to today."""
    return Period(today - dt.timedelta(days=DEFAULT_PERIOD_DAYS), today)


@dataclass(frozen=True)
class PlaceRow:
    """One membership (a place in a group or on a one-to-one plan) with what the other tables say about it."""

    referral_submitted_on: dt.date | None
    joined_on: dt.date
    left_on: dt.date | None
    status: str  # sessions.MembershipStatus
    next_status: str = ""  # the referral's status after removal
    removal_reason_code: str = ""
    breach_actioned: bool = False  # the OM actioned a breach on the referral (issue 8's enforcement)
    completion_on: dt.date | None = None  # the day the completion was recorded
    completion_counts: bool = False  # reports.rules.completion_decision(...).counts
    catch_ups: int = 0
    last_session_on: dt.date | None = None
    report_issued_on: dt.date | None = None  # the first issued version
    pre_done: bool = False
    post_done: bool = False
    scale_classifications: Mapping[str, str] = field(default_factory=dict)  # scale code -> classification


def non_completion_reason(row: PlaceRow) -> str | None:
    """Why a place ended without a completion (a key of NON_COMPLETION_REASONS), or None if it did not."""
    if row.completion_counts or row.left_on is None:
        return None
    if row.status == "restart_required" or row.next_status == "restart_required":
        return "restart"
    breach = row.breach_actioned or row.removal_reason_code in BREACH_REASON_CODES
    if breach and row.next_status in ("deselected", "withdrawn"):
        return "breach"
    if row.next_status == "deselected":
        return "deselected"
    if row.next_status == "withdrawn":
        return "withdrawn"
    return None  # moved to another group, or still to be decided


@dataclass(frozen=True)
class ProgrammeStatistics:
    referrals: int
    starts: int
    completions: int
    non_completions: dict[str, int]
    catch_ups_delivered: int
    places_with_catch_ups: Proportion
    attendance_rate: float | None
    attended: int
    attendance_recorded: int
    median_days_to_start: float | None
    completers_with_psychometrics: Proportion
    reliable_improvement: dict[str, Proportion]
    reports_on_time: Proportion
    report_days: int
    waits_counted: int = 0  # the starts behind the median days to start
    attendance_people: int = 0  # the people behind the attendance rate

    @property
    def non_completions_total(self) -> int:
        return sum(self.non_completions.values())


def programme_statistics(
    *,
    period: Period,
    today: dt.date,
    referrals_submitted: Iterable[dt.date | None],
    places: Sequence[PlaceRow],
    attended: int,
    attendance_recorded: int,
    report_days: int,
    scales: Sequence[str] = (),
    attendance_people: int = 0,
) -> ProgrammeStatistics:
    """Every programme statistic of issue 14 for one period, from plain rows (see the module docstring)."""
    starts = [p for p in places if p.joined_on in period and p.joined_on <= today]
    completers = [p for p in places if p.completion_counts and p.completion_on in period]
    reasons = dict.fromkeys(NON_COMPLETION_REASONS, 0)
    for p in places:
        reason = non_completion_reason(p)
        if reason is not None and p.left_on in period:
            reasons[reason] += 1
    waits = [
        float((p.joined_on - p.referral_submitted_on).days)
        for p in starts
        if p.referral_submitted_on is not None
    ]
    issued = [p for p in places if p.report_issued_on in period]
    on_time = sum(
        1
        for p in issued
        if p.last_session_on is not None
        and p.report_issued_on is not None
        and (p.report_issued_on - p.last_session_on).days <= report_days
    )
    improvement: dict[str, Proportion] = {}
    for scale in scales:
        measured = [p.scale_classifications[scale] for p in completers if scale in p.scale_classifications]
        improvement[scale] = proportion(sum(c in IMPROVED_CLASSIFICATIONS for c in measured), len(measured))
    return ProgrammeStatistics(
        referrals=sum(1 for day in referrals_submitted if day in period),
        starts=len(starts),
        completions=len(completers),
        non_completions=reasons,
        catch_ups_delivered=sum(p.catch_ups for p in starts),
        places_with_catch_ups=proportion(sum(1 for p in starts if p.catch_ups), len(starts)),
        attendance_rate=rate(attended, attendance_recorded),
        attended=attended,
        attendance_recorded=attendance_recorded,
        median_days_to_start=median(waits),
        completers_with_psychometrics=proportion(
            sum(1 for p in completers if p.pre_done and p.post_done), len(completers)
        ),
        reliable_improvement=improvement,
        reports_on_time=proportion(on_time, len(issued)),
        report_days=report_days,
        waits_counted=len(waits),
        attendance_people=attendance_people,
    )
