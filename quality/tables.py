"""The statistics as tables (title, headings, rows of text) and charts: one source for the page, the CSV export
and the audit-pack PDF, so the three always agree."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from accounts.models import ProbationArea
from isotp.csv_export import FORMULA_STARTS, csv_text, safe_cell  # noqa: F401 (the statistics tests use them)
from isotp.dates import long_date
from quality.charts import Bar, bar_chart
from quality.rules.figures import Proportion, count_suppressed, derived_suppressed, percent
from quality.rules.outcomes import COHORTS
from quality.rules.programme import NON_COMPLETION_REASONS, Period, default_period
from quality.selectors import OutcomesData, Scope, StatisticsData, outcomes_for, statistics_for
from referrals.models import Programme

RM2000_LABELS = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "very_high": "Very high",
    "unknown": "Unknown",
}


@dataclass(frozen=True)
class Table:
    slug: str
    title: str
    headings: Sequence[str]
    rows: Sequence[Sequence[str]]
    chart: str = ""
    notes: Sequence[str] = field(default_factory=tuple)
    # The CSV's own columns when a cell holds a rate with its interval: rate, CI low, CI high, count and n each
    # in a column of their own (empty: the CSV is the table as shown).
    csv_headings: Sequence[str] = field(default_factory=tuple)
    csv_rows: Sequence[Sequence[str]] = field(default_factory=tuple)


SUPPRESSED_TEXT = "Suppressed (fewer than 10)"
# Tester of issue 14, finding A: counts of 1 to 9 people, and medians and rates worked out from fewer than 10
# people, are suppressed like the shares: the page and the API say SUPPRESSED_TEXT, the CSV leaves the cell empty.
COUNT_NOTE = (
    "Counts of 1 to 9 people, and medians and rates worked out from fewer than 10 people, are suppressed, as in "
    "Ministry of Justice statistics (blank in the CSV); 0 is shown."
)


def _count(n: int, hide: bool = False) -> str:
    return SUPPRESSED_TEXT if hide or count_suppressed(n) else str(n)


def _count_csv(n: int, hide: bool = False) -> str:
    return "" if hide or count_suppressed(n) else str(n)


def _count_bar(label: str, n: int, series: int = 0, hide: bool = False) -> Bar:
    if hide or count_suppressed(n):
        return Bar(label=label, value=None, text=SUPPRESSED_TEXT, series=series)
    return Bar(label=label, value=float(n), text=str(n), series=series)


RATE_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)  # the rate charts' axis (tester of issue 14, finding C)
PROPORTION_CSV = ("rate (%)", "95% CI low (%)", "95% CI high (%)", "count", "n")


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _proportion_csv(p: Proportion) -> list[str]:
    """A share as CSV columns: rate, CI low, CI high, count, n (all empty but the first when suppressed)."""
    if p.suppressed:
        return [SUPPRESSED_TEXT, "", "", "", ""]
    low = p.interval.low if p.interval else None
    high = p.interval.high if p.interval else None
    return [_pct(p.value), _pct(low), _pct(high), "" if p.count is None else str(p.count), str(p.n)]


def _proportion_headings(prefix: str) -> list[str]:
    return [f"{prefix} {h}".strip() for h in PROPORTION_CSV]


def _share(p: Proportion) -> str:
    if p.suppressed:
        return SUPPRESSED_TEXT
    if p.value is None:
        return "—"
    text = f"{percent(p.value)} ({p.count} of {p.n})"
    if p.interval is not None:
        text += f", 95% CI {percent(p.interval.low)} to {percent(p.interval.high)}"
    return text


def _bar(label: str, p: Proportion, series: int = 0) -> Bar:
    if p.suppressed or p.value is None:
        return Bar(label=label, value=None, text=SUPPRESSED_TEXT if p.suppressed else "None measured")
    return Bar(
        label=label,
        value=p.value,
        text=percent(p.value),
        low=p.interval.low if p.interval else None,
        high=p.interval.high if p.interval else None,
        series=series,
    )


def statistics_tables(data: StatisticsData) -> list[Table]:
    s = data.statistics
    reasons = s.non_completions
    hidden_reasons = [k for k, v in reasons.items() if count_suppressed(v)]
    # Secondary suppression: with exactly one reason hidden, the total would give it away by subtraction.
    hide_total = len(hidden_reasons) == 1
    flow = [
        ("Referrals", s.referrals, False),
        ("Starts", s.starts, False),
        ("Completions (PC 09/2007)", s.completions, False),
        ("Non-completions", s.non_completions_total, hide_total),
    ]
    attendance_hidden = s.attendance_recorded > 0 and derived_suppressed(s.attendance_people)
    median_hidden = s.waits_counted > 0 and derived_suppressed(s.waits_counted)
    catch_ups_hidden = count_suppressed(s.catch_ups_delivered) or (
        s.catch_ups_delivered > 0 and derived_suppressed(s.starts)
    )
    if s.attendance_rate is None:
        attendance_text, attendance_bar = "—", Bar(label="Attendance rate", value=None, text="None recorded")
    elif attendance_hidden:
        attendance_text = SUPPRESSED_TEXT
        attendance_bar = Bar(label="Attendance rate", value=None, text=SUPPRESSED_TEXT)
    else:
        attendance_text = (
            f"{percent(s.attendance_rate)} ({s.attended} of {s.attendance_recorded} outcomes recorded)"
        )
        attendance_bar = Bar(
            label="Attendance rate", value=s.attendance_rate, text=percent(s.attendance_rate), series=0
        )
    if s.median_days_to_start is None:
        median_text, median_csv = "—", ""
    elif median_hidden:
        median_text, median_csv = SUPPRESSED_TEXT, ""
    else:
        median_text = median_csv = f"{s.median_days_to_start:g}"
    tables = [
        Table(
            slug="flow",
            title="Referrals, starts and completions",
            headings=("Measure", "Number"),
            rows=[(label, _count(n, hide)) for label, n, hide in flow],
            chart=bar_chart(
                "Referrals, starts, completions and non-completions",
                [_count_bar(label, n, 0, hide) for label, n, hide in flow],
            ),
            notes=(
                "A completion counts only when the Post-Programme Report is issued to the offender manager and the "
                "post-programme psychometrics are recorded (Probation Circular 09/2007).",
                COUNT_NOTE,
            ),
            csv_headings=("Measure", "Number"),
            csv_rows=[(label, _count_csv(n, hide)) for label, n, hide in flow],
        ),
        Table(
            slug="non-completions",
            title="Non-completions by reason",
            headings=("Reason", "Number"),
            rows=[(NON_COMPLETION_REASONS[k], _count(v)) for k, v in reasons.items()],
            chart=bar_chart(
                "Non-completions by reason",
                [_count_bar(NON_COMPLETION_REASONS[k].split(" (")[0], v, 1) for k, v in reasons.items()],
            ),
            notes=(COUNT_NOTE,),
            csv_headings=("Reason", "Number"),
            csv_rows=[(NON_COMPLETION_REASONS[k], _count_csv(v)) for k, v in reasons.items()],
        ),
        Table(
            slug="delivery",
            title="Attendance, catch-ups and time to start",
            headings=("Measure", "Value"),
            rows=[
                ("Attendance rate", attendance_text),
                (
                    "Catch-ups delivered to the period's starts",
                    _count(s.catch_ups_delivered, catch_ups_hidden),
                ),
                ("Starts who needed a catch-up", _share(s.places_with_catch_ups)),
                ("Median days from referral to start", median_text),
            ],
            chart=bar_chart(
                "Attendance rate and share of starts who needed a catch-up",
                [attendance_bar, _bar("Starts needing a catch-up", s.places_with_catch_ups, 1)],
                maximum=1.0,
                ticks=RATE_TICKS,
            ),
            notes=(
                "The chart shows the two rates; the number of catch-ups and the median days to start are in the "
                "table.",
                COUNT_NOTE,
            ),
            csv_headings=("Measure", "Value", "95% CI low (%)", "95% CI high (%)", "count", "n"),
            csv_rows=[
                (
                    "Attendance rate (%)",
                    *(
                        ("", "", "", "", "")
                        if attendance_hidden
                        else (_pct(s.attendance_rate), "", "", str(s.attended), str(s.attendance_recorded))
                    ),
                ),
                (
                    "Catch-ups delivered to the period's starts",
                    _count_csv(s.catch_ups_delivered, catch_ups_hidden),
                    "",
                    "",
                    "",
                    "",
                ),
                ("Starts who needed a catch-up (%)", *_proportion_csv(s.places_with_catch_ups)),
                ("Median days from referral to start", median_csv, "", "", "", ""),
            ],
        ),
        Table(
            slug="psychometrics",
            title="Psychometrics of completers",
            headings=("Measure", "Share of completers"),
            rows=[("Completers with pre and post psychometrics", _share(s.completers_with_psychometrics))]
            + [
                (f"Reliable improvement: {data.scale_names.get(code, code)}", _share(p))
                for code, p in s.reliable_improvement.items()
            ],
            chart=bar_chart(
                "Share of completers showing reliable improvement, per scale, with 95% intervals",
                [_bar(data.scale_names.get(code, code), p, 2) for code, p in s.reliable_improvement.items()]
                or [Bar(label="No scales measured", value=None, text="None measured")],
                maximum=1.0,
                ticks=RATE_TICKS,
            ),
            notes=(
                "Reliable improvement: the change was reliable (RCI) and towards the functional range "
                "(classified recovered or improved).",
            ),
            csv_headings=("Measure", *_proportion_headings("")),
            csv_rows=[
                (
                    "Completers with pre and post psychometrics",
                    *_proportion_csv(s.completers_with_psychometrics),
                )
            ]
            + [
                (f"Reliable improvement: {data.scale_names.get(code, code)}", *_proportion_csv(p))
                for code, p in s.reliable_improvement.items()
            ],
        ),
        Table(
            slug="reports",
            title="Reports issued on time",
            headings=("Measure", "Share"),
            rows=[
                (f"Reports issued within {s.report_days} days of the last session", _share(s.reports_on_time))
            ],
            chart=bar_chart(
                f"Share of reports issued within {s.report_days} days of the last session, with 95% interval",
                [_bar(f"Within {s.report_days} days", s.reports_on_time, 2)],
                maximum=1.0,
                ticks=RATE_TICKS,
            ),
            csv_headings=("Measure", *_proportion_headings("")),
            csv_rows=[
                (
                    f"Reports issued within {s.report_days} days of the last session",
                    *_proportion_csv(s.reports_on_time),
                )
            ],
        ),
    ]
    return tables


def outcomes_tables(data: OutcomesData) -> list[Table]:
    rows = []
    csv_rows = []
    bars = []
    for o in data.outcomes:
        label = f"{COHORTS[o.cohort]}, {o.years} year{'s' if o.years > 1 else ''}"
        mix = (
            "; ".join(f"{RM2000_LABELS.get(k, k)} {percent(v, 0)}" for k, v in o.rm2000_mix.items())
            if o.rm2000_mix
            else ("Suppressed" if o.suppressed else "—")
        )
        # Reviews of issue 14: a suppressed cell blanks its counts of people too, not only its rates.
        people, at_risk = ("Suppressed", "Suppressed") if o.suppressed else (str(o.people), str(o.at_risk))
        rows.append(
            (
                label,
                people,
                at_risk,
                _share(o.observed),
                "Suppressed"
                if o.suppressed
                else (
                    percent(o.predicted) + f" ({o.scored} scored)"
                    if o.predicted is not None
                    else "No OGRS3 scores"
                ),
                _share(o.sexual),
                mix,
            )
        )
        csv_rows.append(
            (
                label,
                "" if o.suppressed else str(o.people),
                "" if o.suppressed else str(o.at_risk),
                *_proportion_csv(o.observed),
                "" if o.suppressed or o.predicted is None else _pct(o.predicted),
                "" if o.suppressed else str(o.scored),
                *_proportion_csv(o.sexual),
                mix,
            )
        )
        bar = _bar(label, o.observed, 0 if o.cohort == "completers" else 1)
        if o.predicted is not None and bar.value is not None:
            bar = Bar(
                label=bar.label,
                value=bar.value,
                text=f"{bar.text} (predicted {percent(o.predicted)})",
                low=bar.low,
                high=bar.high,
                marker=o.predicted,
                series=bar.series,
            )
        bars.append(bar)
    return [
        Table(
            slug="outcomes",
            title="Proven reoffending: observed beside the OGRS3 prediction",
            headings=(
                "Cohort and follow-up",
                "People",
                "At risk (followed up in full)",
                "Observed proven reoffending",
                "Predicted (mean OGRS3)",
                "Observed sexual reoffending",
                "RM2000/S mix",
            ),
            rows=rows,
            chart=bar_chart(
                "Observed proven reoffending with 95% intervals; the diamond is the rate OGRS3 predicted",
                bars,
                maximum=1.0,
                ticks=RATE_TICKS,
            ),
            notes=(
                "At risk: people whose place ended at least the follow-up period before today. Observed: a proven "
                "reoffence with its offence date inside the follow-up, with a Wilson 95% confidence interval. "
                "Predicted: the mean of their 1- or 2-year OGRS3 scores assessed by the end of the place.",
                "Cells about fewer than 10 people at risk are suppressed, as in Ministry of Justice statistics: "
                "the numbers of people are blanked with the rates. With a programme chosen, a cell is also "
                "suppressed when the other programmes have fewer than 10 people at risk, so that no one's outcome "
                "can be worked out by subtraction.",
                f"Cohort: people whose place ended in the calendar year {data.period.end:%Y} "
                f"({long_date(data.period.start)} to {long_date(data.period.end)}), the year of the end date asked "
                "for. Like Ministry of Justice proven reoffending statistics, outcomes are published for fixed "
                "annual cohorts only, never for other ranges of dates, so that no two answers overlap and no one's "
                "outcome can be found by comparing them.",
                "Each person is counted once, in the cohort of his latest ending in the period.",
            ),
            csv_headings=(
                "Cohort and follow-up",
                "People",
                "At risk (followed up in full)",
                *_proportion_headings("Observed proven reoffending"),
                "Predicted (mean OGRS3) (%)",
                "OGRS3 scored",
                *_proportion_headings("Observed sexual reoffending"),
                "RM2000/S mix",
            ),
            csv_rows=csv_rows,
        )
    ]


def table_csv(table: Table, *, as_at: str = "") -> str:
    """The table as CSV through the shared writer (formula injection neutralised in every cell); `as_at` (when
    the figures were computed: `Figures.as_at`) is the first note."""
    headings, rows = (
        (table.csv_headings, table.csv_rows) if table.csv_headings else (table.headings, table.rows)
    )
    return csv_text(headings, rows, ((as_at,) if as_at else ()) + tuple(table.notes))


@dataclass(frozen=True)
class Figures:
    """The statistics and outcomes tables of one answer, and when they were computed (issue 11: they may come
    from the cache, up to `STATISTICS_CACHE_SECONDS` old, and the reader is told so)."""

    statistics: list[Table]
    outcomes: list[Table]
    computed_at: dt.datetime
    refresh_seconds: int

    @property
    def as_at(self) -> str:
        """ "Figures as at 22:15 on 30 November 2026; they are refreshed every 10 minutes." (local time)"""
        local = timezone.localtime(self.computed_at)
        text = f"Figures as at {local:%H:%M} on {long_date(local.date())}"
        if self.refresh_seconds <= 0:
            return text + "."
        minutes, seconds = divmod(self.refresh_seconds, 60)
        every = (
            f"{minutes} minute{'s' if minutes != 1 else ''}"
            if minutes and not seconds
            else f"{self.refresh_seconds} seconds"
        )
        return f"{text}; they are refreshed every {every}."


def statistics_figures(scope: Scope, *, programme: str, period: Period, today: dt.date) -> Figures:
    """The statistics and outcomes tables for a scope, programme and period (what the page, its CSVs and the API
    show), from the cache when the same question was answered less than `STATISTICS_CACHE_SECONDS` ago (issue 11:
    0.5-0.9 s of aggregates over the national history at national scale).

    The key is the question, not the data's version: the scope (an area's id, or national: the permission check
    that chose it has already run, so one area's figures, with their small cells, are never served for another
    or for national), the programme, the period, today and the database. A write does not make the next answer
    fresh (an area writes all day: a key holding the latest write never hit under load); the TTL is the bound on
    how stale the figures can be, and every answer says when it was computed (`Figures.as_at`). 0 computes every
    time. Audit packs do not come from here: they are computed afresh."""
    seconds = settings.STATISTICS_CACHE_SECONDS

    def compute() -> Figures:
        return _computed(scope, programme=programme, period=period, today=today, seconds=seconds)

    if seconds <= 0:
        return compute()
    key = statistics_cache_key(scope, programme=programme, period=period, today=today)
    found = cache.get(key)
    if isinstance(found, Figures):
        return found
    # The first request to miss computes; those that miss while it does wait a little for its answer instead of
    # computing the same figures beside it (issue 11: several users of an area missed at once). The lock expires
    # on its own (a computer that died), and a waiter that has not seen the answer in time computes it itself.
    lock = f"{key}:computing"
    if not cache.add(lock, 1, STATISTICS_LOCK_SECONDS):
        for _ in range(STATISTICS_WAIT_POLLS):
            _pause(STATISTICS_WAIT_INTERVAL)
            found = cache.get(key)
            if isinstance(found, Figures):
                return found
        return compute()
    try:
        answer = compute()
        cache.set(key, answer, seconds)
    finally:
        cache.delete(lock)
    return answer


def _computed(scope: Scope, *, programme: str, period: Period, today: dt.date, seconds: int) -> Figures:
    stats = statistics_for(scope, programme=programme, period=period, today=today)
    outcomes = outcomes_for(scope, programme=programme, period=period, today=today)
    return Figures(statistics_tables(stats), outcomes_tables(outcomes), timezone.now(), seconds)


def refresh_statistics(today: dt.date) -> int:
    """Compute and cache, ahead of their expiry, the figures the statistics page and API show when no period is
    asked for (`default_period`): every area's and the national ones, for every programme and for each one
    (issue 11: the first readers after an expiry then find them; about 0.15 s an area and programme at national
    scale). Run by Celery beat every half TTL (`refresh-statistics`) and by `manage.py refresh_statistics`.
    Nothing is done with the cache off. Returns the number of answers cached."""
    seconds = settings.STATISTICS_CACHE_SECONDS
    if seconds <= 0:
        return 0
    period = default_period(today)
    scopes = [Scope(area.pk, str(area)) for area in ProbationArea.objects.order_by("pk")]
    scopes.append(Scope(None, "All areas"))
    cached = 0
    for scope in scopes:
        for programme in ["", *Programme.values]:
            key = statistics_cache_key(scope, programme=programme, period=period, today=today)
            figures = _computed(scope, programme=programme, period=period, today=today, seconds=seconds)
            cache.set(key, figures, seconds)
            cached += 1
    return cached


# The dogpile guard of `statistics_figures`: how long a computation holds its lock at most, and how long (polls x
# interval) a request that missed while another computes waits for its answer before computing the figures itself.
STATISTICS_LOCK_SECONDS = 30
STATISTICS_WAIT_POLLS = 20
STATISTICS_WAIT_INTERVAL = 0.1


def _pause(seconds: float) -> None:
    """A waiter's pause between looks at the cache (replaced in the tests, which never sleep)."""
    time.sleep(seconds)


def statistics_cache_key(scope: Scope, *, programme: str, period: Period, today: dt.date) -> str:
    """The cache key of one question (see `statistics_figures`)."""
    return ":".join(
        [
            "statistics",
            "v2",
            connection.settings_dict["NAME"],
            "national" if scope.national else f"area-{scope.area_id}",
            programme or "all",
            period.start.isoformat(),
            period.end.isoformat(),
            today.isoformat(),
        ]
    )
