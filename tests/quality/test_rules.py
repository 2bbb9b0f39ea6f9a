"""The statistics rules on small hand-made data with known answers: the Wilson interval (published values),
suppression under 10, medians, every programme statistic, cohort outcomes, the monitored share."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quality.rules.figures import median, percent, proportion, rate, suppressed, wilson_interval
from quality.rules.monitoring import average_rating, monitored_share
from quality.rules.outcomes import CohortMember, Reoffence, cohort_outcome, outcomes, window_end
from quality.rules.programme import Period, PlaceRow, non_completion_reason, programme_statistics

D = dt.date


# --- Wilson -----------------------------------------------------------------------------------------------------


# Published check values (Newcombe 1998, Table I, method 3 "Wilson score"; and the usual textbook cases).
@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe 1998 example: 81/263
        (15, 148, 0.0624, 0.1605),  # Newcombe 1998 example: 15/148
        (0, 20, 0.0, 0.1611),  # Newcombe 1998 example: 0/20
        (1, 29, 0.0061, 0.1718),  # Newcombe 1998 example: 1/29
        (10, 10, 0.7225, 1.0),  # all successes
        (5, 10, 0.2366, 0.7634),  # symmetric about one half
    ],
)
def test_wilson_interval_matches_published_values(successes, n, low, high):
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


def test_wilson_interval_of_nobody_is_none_and_nonsense_is_refused():
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(3, 2)
    with pytest.raises(ValueError):
        wilson_interval(-1, 2)


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_always_holds_the_observed_rate_within_0_and_1(pair):
    successes, n = pair
    interval = wilson_interval(successes, n)
    assert interval is not None
    assert 0.0 <= interval.low <= successes / n <= interval.high <= 1.0


# --- suppression, rates, medians ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "hidden"), [(0, True), (1, True), (9, True), (10, False), (11, False), (500, False)]
)
def test_cells_under_10_people_are_suppressed(n, hidden):
    assert suppressed(n) is hidden
    p = proportion(min(3, n), n)
    assert p.suppressed is hidden
    if hidden:
        assert p.value is None and p.interval is None and p.count is None and p.note
    else:
        assert p.value == pytest.approx(min(3, n) / n)


def test_an_unsuppressed_proportion_can_be_asked_for():
    p = proportion(2, 4, suppress=False)
    assert p.value == 0.5 and p.interval is not None and not p.suppressed


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([7], 7), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([10, 10, 40, 40], 25)],
)
def test_median(values, expected):
    assert median(values) == expected


def test_rate_and_percent():
    assert rate(1, 4) == 0.25
    assert rate(1, 0) is None
    assert percent(0.1234) == "12.3%"
    assert percent(None) == "—"


# --- programme statistics -----------------------------------------------------------------------------------------

PERIOD = Period(D(2025, 1, 1), D(2025, 12, 31))
TODAY = D(2026, 6, 1)


def place(**fields) -> PlaceRow:
    base = {
        "referral_submitted_on": D(2025, 1, 1),
        "joined_on": D(2025, 2, 1),
        "left_on": None,
        "status": "active",
    }
    base.update(fields)
    return PlaceRow(**base)


def completer(**fields) -> PlaceRow:
    base = {
        "left_on": D(2025, 10, 1),
        "status": "completed",
        "completion_on": D(2025, 10, 10),
        "completion_counts": True,
        "pre_done": True,
        "post_done": True,
        "last_session_on": D(2025, 9, 29),
        "report_issued_on": D(2025, 10, 10),
    }
    base.update(fields)
    return place(**base)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "restart_required", "left_on": D(2025, 5, 1)}, "restart"),
        ({"status": "removed", "next_status": "restart_required", "left_on": D(2025, 5, 1)}, "restart"),
        ({"status": "removed", "next_status": "deselected", "left_on": D(2025, 5, 1)}, "deselected"),
        (
            {
                "status": "removed",
                "next_status": "deselected",
                "removal_reason_code": "further_offending",
                "left_on": D(2025, 5, 1),
            },
            "breach",
        ),
        (
            {
                "status": "removed",
                "next_status": "withdrawn",
                "removal_reason_code": "recalled_or_in_custody",
                "left_on": D(2025, 5, 1),
            },
            "breach",
        ),
        (
            {
                "status": "removed",
                "next_status": "withdrawn",
                "removal_reason_code": "moved_out_of_area",
                "left_on": D(2025, 5, 1),
            },
            "withdrawn",
        ),
        (
            {"status": "removed", "next_status": "awaiting_allocation", "left_on": D(2025, 5, 1)},
            None,
        ),  # moved group
        (
            {
                "status": "removed",
                "next_status": "withdrawn",
                "breach_actioned": True,
                "left_on": D(2025, 5, 1),
            },
            "breach",
        ),
        ({"status": "active"}, None),  # still on the programme
        ({"status": "completed", "completion_counts": True, "left_on": D(2025, 5, 1)}, None),
    ],
)
def test_non_completion_reasons(fields, reason):
    assert non_completion_reason(place(**fields)) == reason


def test_every_statistic_on_a_hand_made_period():
    places = [
        # 12 completers, 11 of them with both psychometrics; 10 reports on time (within 20 days), 2 late.
        *[
            completer(
                referral_submitted_on=D(2025, 1, 1) - dt.timedelta(days=10 + i),
                catch_ups=1 if i < 3 else 0,
                scale_classifications={"empathy": "improved" if i < 6 else "unchanged"},
            )
            for i in range(10)
        ],
        completer(report_issued_on=D(2025, 11, 1), pre_done=False, scale_classifications={}),
        completer(report_issued_on=D(2025, 12, 1), scale_classifications={"empathy": "recovered"}),
        # sessions complete, report issued, post psychometrics missing: PC 09/2007 says not a completion
        completer(completion_counts=False, post_done=False, completion_on=None, next_status=""),
        # a completion recorded before the period: not this period's
        completer(
            joined_on=D(2024, 1, 1),
            completion_on=D(2024, 12, 30),
            left_on=D(2024, 12, 30),
            report_issued_on=D(2024, 12, 30),
        ),
        place(status="restart_required", left_on=D(2025, 4, 1)),
        place(status="removed", next_status="deselected", left_on=D(2025, 5, 1)),
        place(
            status="removed",
            next_status="withdrawn",
            removal_reason_code="order_revoked",
            left_on=D(2025, 6, 1),
        ),
        place(status="removed", next_status="withdrawn", left_on=D(2026, 1, 2)),  # after the period
        place(joined_on=D(2026, 1, 5)),  # starts after the period
    ]
    stats = programme_statistics(
        period=PERIOD,
        today=TODAY,
        referrals_submitted=[D(2025, 3, 1), D(2025, 12, 31), D(2024, 12, 31), None, D(2026, 1, 1)],
        places=places,
        attended=45,
        attendance_recorded=50,
        report_days=20,
        scales=["empathy"],
    )
    assert stats.referrals == 2
    # 10 + 2 + 1 (no post) + 3 removed + 1 left after the period = 17 starts in 2025; not the 2024 or 2026 ones
    assert stats.starts == 17
    assert stats.completions == 12
    assert stats.non_completions == {"restart": 1, "deselected": 1, "breach": 1, "withdrawn": 0}
    assert stats.non_completions_total == 3
    assert stats.attendance_rate == pytest.approx(0.9)
    assert stats.catch_ups_delivered == 3
    assert stats.places_with_catch_ups.count == 3 and stats.places_with_catch_ups.n == 17
    # waits: 41..50 days for the first ten (submitted 10-19 days before 1 Jan, joined 1 Feb), 31 for the other
    # seven: sorted, the 9th of 17 is 42
    assert stats.median_days_to_start == 42
    assert (stats.completers_with_psychometrics.count, stats.completers_with_psychometrics.n) == (11, 12)
    empathy = stats.reliable_improvement["empathy"]
    assert (empathy.count, empathy.n) == (7, 11)  # 6 improved + 1 recovered, of 11 measured
    assert empathy.interval is not None and empathy.interval.low < 7 / 11 < empathy.interval.high
    # issued in 2025: 12 completers + the one without post psychometrics (issued 10 Oct: on time) = 13; late: 2
    assert (stats.reports_on_time.count, stats.reports_on_time.n) == (11, 13)


def test_small_periods_suppress_their_shares_but_not_their_counts():
    stats = programme_statistics(
        period=PERIOD,
        today=TODAY,
        referrals_submitted=[],
        places=[completer()],
        attended=0,
        attendance_recorded=0,
        report_days=20,
        scales=["empathy"],
    )
    assert stats.completions == 1
    assert stats.completers_with_psychometrics.suppressed
    assert stats.reliable_improvement["empathy"].suppressed
    assert stats.attendance_rate is None
    assert stats.median_days_to_start == 31


# --- outcomes ---------------------------------------------------------------------------------------------------


def test_window_end_handles_29_february():
    assert window_end(D(2024, 2, 29), 1) == D(2025, 2, 28)
    assert window_end(D(2024, 3, 1), 2) == D(2026, 3, 1)


ENDED = D(2023, 6, 1)


def _cohort(n: int, *, reoffend: int, sexual: int = 0, ended=ENDED, cohort="completers", ogrs=(0.2, 0.3)):
    members = []
    for i in range(n):
        offences = []
        if i < reoffend:
            offences.append(Reoffence(offence_on=ended + dt.timedelta(days=100), sexual=i < sexual))
        members.append(
            CohortMember(
                cohort=cohort,
                ended_on=ended,
                ogrs3_one_year=ogrs[0],
                ogrs3_two_year=ogrs[1],
                rm2000_s="medium" if i % 2 else "low",
                reoffences=tuple(offences),
            )
        )
    return members


def test_observed_beside_predicted_with_the_wilson_interval():
    members = _cohort(20, reoffend=3, sexual=1)
    one = cohort_outcome(members, cohort="completers", years=1, today=D(2025, 1, 1))
    assert (one.people, one.at_risk) == (20, 20)
    assert (one.observed.count, one.observed.n) == (3, 20)
    assert one.observed.value == pytest.approx(0.15)
    assert one.observed.interval is not None
    assert one.observed.interval.low == pytest.approx(0.0524, abs=5e-4)
    assert one.observed.interval.high == pytest.approx(0.3604, abs=5e-4)
    assert one.sexual.count == 1
    assert one.predicted == pytest.approx(0.2)
    assert one.scored == 20
    assert one.rm2000_mix == {"low": 0.5, "medium": 0.5}
    two = cohort_outcome(members, cohort="completers", years=2, today=D(2025, 1, 1))
    assert (
        two.at_risk == 0 and two.suppressed and two.predicted is None and two.rm2000_mix is None
    )  # not yet 2 years


def test_only_people_followed_up_for_the_whole_window_are_at_risk_and_offences_outside_it_do_not_count():
    members = [
        *_cohort(10, reoffend=0),
        # ended too recently for a 1-year follow-up
        *_cohort(5, reoffend=5, ended=D(2024, 6, 1)),
        # an offence before the end of the place, and one after the window: neither counts
        CohortMember(
            cohort="completers",
            ended_on=D(2023, 6, 1),
            reoffences=(
                Reoffence(offence_on=D(2023, 5, 1), sexual=False),
                Reoffence(offence_on=D(2024, 6, 2), sexual=True),
            ),
        ),
    ]
    one = cohort_outcome(members, cohort="completers", years=1, today=D(2025, 1, 1))
    assert one.people == 16 and one.at_risk == 11
    assert one.observed.count == 0 and one.sexual.count == 0
    assert one.scored == 10  # the last member has no OGRS3 score


def test_a_cohort_of_fewer_than_10_at_risk_is_suppressed():
    o = cohort_outcome(_cohort(9, reoffend=2), cohort="completers", years=1, today=D(2025, 1, 1))
    assert o.suppressed and o.observed.value is None and o.predicted is None and o.rm2000_mix is None
    assert o.at_risk == 9  # the number at risk is still shown


def test_outcomes_cover_both_cohorts_and_both_windows():
    rows = outcomes(
        _cohort(12, reoffend=1) + _cohort(12, reoffend=6, cohort="non_completers"), today=D(2026, 1, 1)
    )
    assert [(o.cohort, o.years) for o in rows] == [
        ("completers", 1),
        ("completers", 2),
        ("non_completers", 1),
        ("non_completers", 2),
    ]
    assert rows[2].observed.count == 6


# --- monitoring -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delivered", "monitored", "target", "meets", "code"),
    [
        (0, 0, 0.1, True, "QA_NOTHING_DELIVERED"),
        (10, 1, 0.1, True, "QA_TARGET_MET"),
        (10, 0, 0.1, False, "QA_BELOW_TARGET"),
        (30, 2, 0.1, False, "QA_BELOW_TARGET"),
        (30, 3, 0.1, True, "QA_TARGET_MET"),
        (7, 1, 0.15, False, "QA_BELOW_TARGET"),  # 14.3% is under 15%
        (7, 2, 0.15, True, "QA_TARGET_MET"),
        (20, 0, 0.0, True, "QA_TARGET_MET"),
    ],
)
def test_monitored_share_against_the_target(delivered, monitored, target, meets, code):
    share = monitored_share(delivered=delivered, recorded=monitored, monitored=monitored, target=target)
    assert share.meets_target is meets
    assert share.code == code
    assert share.reason


def test_below_target_says_how_many_more():
    assert "1 more" in monitored_share(delivered=30, recorded=5, monitored=2, target=0.1).reason


def test_average_rating_skips_unrated_areas():
    assert average_rating({"a": "4", "b": "2", "c": ""}) == 3
    assert average_rating({}) is None


def test_chart_labels_wrap_over_lines_so_the_full_text_shows():
    from quality.charts import LABEL_CHARS, Bar, bar_chart, wrap_label

    assert wrap_label("Denial and minimisation") == ["Denial and minimisation"]
    long = "Impulsiveness: non-planning (BIS-11)"
    lines = wrap_label(long)
    assert len(lines) == 2 and " ".join(lines) == long and all(len(line) <= LABEL_CHARS for line in lines)
    svg = bar_chart("Psychometrics", [Bar(label=long, value=0.5, text="50%")], maximum=1)
    assert f"<title>{long}</title>" in svg  # the full name stays for screen readers and on hover
    assert "\u2026" not in svg


def test_the_text_beside_the_longest_bar_stays_inside_the_chart():
    import re

    from quality.charts import WIDTH, Bar, bar_chart

    text = "54.5% (predicted 29.4%)"
    svg = bar_chart(
        "Outcomes", [Bar(label="Non-completers, 2 years", value=0.9, text=text, high=1.0)], maximum=1
    )
    x = float(re.findall(r'<text x="([0-9.]+)"[^>]*>' + re.escape(text), svg)[0])
    assert x + len(text) * 8 <= WIDTH


@pytest.mark.parametrize(
    "start, end, year",
    [
        (dt.date(2025, 1, 1), dt.date(2025, 3, 31), 2025),
        (dt.date(2020, 1, 1), dt.date(2025, 6, 30), 2025),
        (dt.date(2025, 3, 31), dt.date(2026, 4, 1), 2026),
        (dt.date(2025, 12, 31), dt.date(2025, 12, 31), 2025),
        (dt.date(2024, 2, 29), dt.date(2024, 8, 15), 2024),
    ],
)
def test_outcomes_are_for_one_fixed_calendar_year_cohort(start, end, year):
    """Reviews of issue 14: fixed annual cohorts (MoJ style), the year of the end date asked for."""
    from quality.rules.outcomes import cohort_year
    from quality.rules.programme import Period

    assert cohort_year(Period(start, end)) == Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def test_any_two_outcome_cohorts_are_identical_or_disjoint():
    """Reviews of issue 14: no two requested ranges give overlapping cohorts, so no difference isolates anyone."""
    from quality.rules.outcomes import cohort_year
    from quality.rules.programme import Period

    days = [dt.date(2019, 12, 31) + dt.timedelta(days=d) for d in range(0, 800, 37)]
    cohorts = {cohort_year(Period(a, b)) for a in days for b in days if a <= b}
    for x in cohorts:
        for y in cohorts:
            assert x == y or x.end < y.start or y.end < x.start


@pytest.mark.parametrize("complement, hidden", [(0, False), (1, True), (9, True), (10, False), (25, False)])
def test_secondary_suppression_by_the_complementary_subset(complement, hidden):
    from quality.rules.outcomes import CohortMember, cohort_outcome

    members = [CohortMember(cohort="completers", ended_on=dt.date(2024, 1, 1))] * 12
    o = cohort_outcome(
        members, cohort="completers", years=1, today=dt.date(2026, 1, 1), complement_at_risk=complement
    )
    assert o.at_risk == 12 and o.suppressed is hidden and (o.observed.count is None) is hidden
