"""The statistics and outcomes read from the tables: a hand-made 2025 with known answers, the completion rule
applied to what the tables hold, an area seeing only its own figures, the national grant, and query counts that do
not grow with the number of people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from accounts.models import User
from quality import selectors
from quality.rules.programme import Period
from tests.assessments.factories import demo_battery
from tests.quality.factories import (
    TODAY,
    attend,
    group_2025,
    issued_report,
    ogrs3,
    place,
    psychometrics,
    reoffence,
)

D = dt.date
YEAR = Period(D(2025, 1, 1), D(2025, 12, 31))


@pytest.fixture
def world(area, tm, om, facilitator, time_machine):
    """Five places in one 2025 group, plus a referral outside the period and one to another programme."""
    group = group_2025(area, tm=tm, facilitator=facilitator, time_machine=time_machine)
    last = group.sessions.order_by("-number").first().date  # session 35
    version = demo_battery(area)
    a = place(
        group,
        om=om,
        tm=tm,
        submitted=D(2025, 1, 2),
        joined=D(2025, 2, 1),
        left=D(2025, 10, 1),
        status="completed",
    )
    attend(a, {33: "attended", 34: "late", 35: "attended"}, tm=tm)
    issued_report(a, tm=tm, issued=last + dt.timedelta(days=10), completion=last + dt.timedelta(days=10))
    psychometrics(a, version, tm=tm, kinds=("pre", "post"), improve=True)
    b = place(
        group,
        om=om,
        tm=tm,
        submitted=D(2025, 1, 11),
        joined=D(2025, 2, 1),
        left=D(2025, 5, 1),
        status="removed",
        next_status="deselected",
        reason_code="disruptive_behaviour",
    )
    attend(b, {1: "attended", 2: "unacceptable_absence"}, tm=tm)
    c = place(
        group,
        om=om,
        tm=tm,
        submitted=D(2025, 1, 30),
        joined=D(2025, 3, 1),
        left=D(2025, 6, 1),
        status="removed",
        next_status="withdrawn",
        reason_code="other",
    )
    # Issue 8's enforcement: the OM actioned a breach, so this withdrawal is counted as a breach
    from sessions.models import EnforcementAction

    EnforcementAction.objects.create(referral=c.referral, kind="breach", on=D(2025, 5, 20), recorded_by=om)
    place(
        group,
        om=om,
        tm=tm,
        submitted=D(2025, 2, 8),
        joined=D(2025, 3, 1),
        left=D(2025, 4, 1),
        status="restart_required",
    )
    # Sessions over and the report issued, but no post-programme psychometrics: PC 09/2007 says not a completion
    e = place(
        group,
        om=om,
        tm=tm,
        submitted=D(2025, 1, 1),
        joined=D(2025, 2, 1),
        left=D(2025, 10, 1),
        status="completed",
    )
    attend(e, {35: "attended"}, tm=tm)
    issued_report(e, tm=tm, issued=last + dt.timedelta(days=60), completion=last + dt.timedelta(days=60))
    psychometrics(e, version, tm=tm, kinds=("pre",), improve=False)
    from tests.referrals.factories import ReferralFactory

    ReferralFactory(person__area=area, person__offender_manager=om, status="submitted", programme="nsogp")
    return {"group": group, "a": a, "e": e, "last": last}


def test_every_statistic_of_a_hand_made_year(world, tm):
    data = selectors.statistics_for(
        selectors.statistics_scope(tm, national=False), programme="isotp", period=YEAR, today=TODAY.date()
    )
    s = data.statistics
    assert s.referrals == 5  # the N-SOGP referral (submitted now, 2026) is neither this programme nor period
    assert s.starts == 5
    assert s.completions == 1  # E's completion was recorded without post psychometrics: it does not count
    assert s.non_completions == {"restart": 1, "deselected": 1, "breach": 1, "withdrawn": 0}
    assert (s.attended, s.attendance_recorded) == (5, 6)
    assert s.attendance_rate == pytest.approx(5 / 6)
    assert s.median_days_to_start == 30  # waits 30, 21, 30, 21, 31
    # Shares of 1 or 2 people are suppressed, but their numbers are known
    assert s.completers_with_psychometrics.suppressed and s.completers_with_psychometrics.n == 1
    assert s.reports_on_time.suppressed and s.reports_on_time.n == 2
    assert set(s.reliable_improvement) == set(data.scale_names) and data.scale_names
    a_row = next(p for p in data.places if p.completion_counts)
    assert a_row.last_session_on == world["last"]
    assert "recovered" in set(a_row.scale_classifications.values())  # scales with an offender mean moved


def test_every_programme_counts_the_other_referral_when_it_falls_in_the_period(world, tm):
    scope = selectors.statistics_scope(tm, national=False)
    now = Period(D(2026, 1, 1), D(2026, 12, 31))
    assert (
        selectors.statistics_for(scope, programme="", period=now, today=TODAY.date()).statistics.referrals
        == 1
    )
    assert (
        selectors.statistics_for(
            scope, programme="isotp", period=now, today=TODAY.date()
        ).statistics.referrals
        == 0
    )


def test_an_area_sees_only_its_own_figures(world, other_tm):
    data = selectors.statistics_for(
        selectors.statistics_scope(other_tm, national=False), programme="", period=YEAR, today=TODAY.date()
    )
    assert (data.statistics.referrals, data.statistics.starts, data.statistics.completions) == (0, 0, 0)
    assert data.statistics.attendance_recorded == 0


def test_national_figures_need_the_grant(world, other_tm, facilitator, om):
    with pytest.raises(PermissionDenied):
        selectors.statistics_scope(other_tm, national=True)
    for user in (facilitator, om):  # neither role reads statistics at all
        with pytest.raises(PermissionDenied):
            selectors.statistics_scope(user, national=False)
    other_tm.user_permissions.add(Permission.objects.get(codename="view_national_statistics"))
    granted = User.objects.get(pk=other_tm.pk)  # a fresh instance: permissions are cached per object
    scope = selectors.statistics_scope(granted, national=True)
    assert scope.national
    data = selectors.statistics_for(scope, programme="isotp", period=YEAR, today=TODAY.date())
    assert data.statistics.starts == 5 and data.statistics.completions == 1


def _places(world, area, tm, om, n):
    for i in range(n):
        m = place(
            world["group"],
            om=om,
            tm=tm,
            submitted=D(2025, 1, 1),
            joined=D(2025, 2, 1) + dt.timedelta(days=i),
            left=D(2025, 10, 1),
            status="completed",
        )
        attend(m, {35: "attended"}, tm=tm)
        issued_report(m, tm=tm, issued=D(2025, 10, 2), completion=D(2025, 10, 2))


@pytest.mark.parametrize("extra", [0, 25])
@pytest.mark.parametrize("programme", ["", "isotp"])
def test_statistics_and_outcomes_read_each_table_once_whatever_the_number_of_people(
    world, area, tm, om, extra, programme, django_assert_max_num_queries
):
    _places(world, area, tm, om, extra)
    scope = selectors.statistics_scope(tm, national=False)
    # referrals, attendance, places with their last session (in a savepoint with JIT off: 3), reports,
    # administrations, battery versions, scale scores, catch-ups, breach actions, QA settings
    with django_assert_max_num_queries(13):
        selectors.statistics_for(scope, programme=programme, period=YEAR, today=TODAY.date())
    # places with their last session (3, as above), reports, administrations (no scale scores: the outcomes do not
    # classify), catch-ups, breach actions, OGRS3, RM2000, reoffences; a programme's subset is no further query
    with django_assert_max_num_queries(11):
        selectors.outcomes_for(scope, programme=programme, period=YEAR, today=TODAY.date())


@pytest.mark.parametrize("programme", ["", "isotp", "nsogp"])
def test_an_areas_places_are_the_national_places_of_that_area(world, area, tm, om, programme):
    """An area's places are found by a lookup per place (their report's completion and first issue, their last
    session), national ones by a join and an aggregate (issue 11): the same rows either way."""
    _places(world, area, tm, om, 3)
    mine, names = selectors.place_rows(selectors.Scope(area.pk, ""), programme, YEAR.start, YEAR.end)
    everyone, _ = selectors.place_rows(selectors.Scope(None, ""), programme, YEAR.start, YEAR.end)
    assert len(mine) == (0 if programme == "nsogp" else 8)
    assert mine == [row for row in everyone if row[0] in {m[0] for m in mine}]
    assert all(row[3].last_session_on for row in mine if row[3].status == "completed")
    assert (names != {}) == any(row[3].scale_classifications for row in mine)


def test_outcomes_observed_beside_predicted(world, area, tm, om, time_machine):
    version = demo_battery(area)
    completers = []
    for _ in range(12):
        m = place(
            world["group"],
            om=om,
            tm=tm,
            submitted=D(2025, 1, 1),
            joined=D(2025, 2, 1),
            left=D(2025, 10, 1),
            status="completed",
        )
        issued_report(m, tm=tm, issued=D(2025, 10, 2), completion=D(2025, 10, 2))
        psychometrics(m, version, tm=tm, kinds=("pre", "post"), improve=True)
        ogrs3(m.referral.person, one=0.1, two=0.2, on=D(2024, 12, 1), tm=tm)
        completers.append(m)
    reoffence(completers[0].referral.person, on=D(2026, 1, 5), sexual=True, om=om)
    reoffence(completers[1].referral.person, on=D(2026, 5, 5), sexual=False, om=om)
    reoffence(completers[2].referral.person, on=D(2027, 5, 5), sexual=False, om=om)  # in year 2 only
    reoffence(
        completers[3].referral.person, on=D(2025, 9, 1), sexual=False, om=om
    )  # before the end: not counted
    time_machine.move_to(dt.datetime(2027, 12, 1, 10, tzinfo=TODAY.tzinfo), tick=False)
    data = selectors.outcomes_for(
        selectors.statistics_scope(tm, national=False), programme="isotp", period=YEAR, today=D(2027, 12, 1)
    )
    by = {(o.cohort, o.years): o for o in data.outcomes}
    one, two = by[("completers", 1)], by[("completers", 2)]
    assert one.at_risk == 13  # the 12 and A (E's completion does not count)
    assert one.observed.count == 2 and one.sexual.count == 1
    assert two.observed.count == 3
    # A has no OGRS3 score: the prediction is the mean of the 12 who do
    assert one.scored == 12 and one.predicted == pytest.approx(0.1)
    assert two.predicted == pytest.approx(0.2)
    assert one.rm2000_mix == {"medium": pytest.approx(12 / 13), "unknown": pytest.approx(1 / 13)}
    # three non-completers: suppressed, their number at risk shown
    non = by[("non_completers", 1)]
    assert non.at_risk == 3 and non.suppressed and non.predicted is None


def test_amending_an_issued_report_keeps_the_completion(world, tm):
    """Review of issue 14: PC 09/2007 counts a completion once a report has been issued; an amendment (which reopens
    the report) never removes it from the statistics."""
    from reports.models import PostProgrammeReport

    scope = selectors.statistics_scope(tm, national=False)
    before = selectors.statistics_for(scope, programme="isotp", period=YEAR, today=TODAY.date())
    assert before.statistics.completions == 1
    # "amend" moves the issued report back to draft (reports.rules.statuses)
    PostProgrammeReport.objects.filter(membership=world["a"]).update(status="draft")
    after = selectors.statistics_for(scope, programme="isotp", period=YEAR, today=TODAY.date())
    assert after.statistics.completions == 1
    a_row = next(p for p in after.places if p.completion_counts)
    assert a_row.completion_on == next(p for p in before.places if p.completion_counts).completion_on


def _completers(world, tm, om, n, *, programme="isotp", ended=None, step=0):
    out = []
    for i in range(n):
        day = (ended or D(2025, 10, 2)) + dt.timedelta(days=i * step)
        m = place(
            world["group"],
            om=om,
            tm=tm,
            submitted=D(2025, 1, 1),
            joined=D(2025, 2, 1),
            left=day,
            status="completed",
            programme=programme,
        )
        issued_report(m, tm=tm, issued=day, completion=day)
        out.append(m)
    return out


def _with_post_psychometrics(area, tm, places):
    version = demo_battery(area)
    for m in places:
        psychometrics(m, version, tm=tm, kinds=("pre", "post"), improve=True)


def test_moving_the_start_a_day_at_a_time_cannot_single_out_a_person(world, area, tm, om, time_machine):
    """Review of issue 14 (privacy): the reviewer moved the start one day at a time (19 at risk/3 → 17/2 → 16/2).
    Outcomes are for whole calendar-year cohorts, so every start gives the same figures."""
    people = _completers(world, tm, om, 19, ended=D(2025, 10, 1), step=1)
    _with_post_psychometrics(area, tm, people)
    reoffence(people[0].referral.person, on=D(2026, 1, 5), sexual=False, om=om)
    reoffence(people[2].referral.person, on=D(2026, 2, 5), sexual=False, om=om)
    reoffence(people[5].referral.person, on=D(2026, 3, 5), sexual=True, om=om)
    scope = selectors.statistics_scope(tm, national=False)
    figures = set()
    for shift in range(0, 8):
        data = selectors.outcomes_for(
            scope,
            programme="",
            period=Period(D(2025, 10, 1) + dt.timedelta(days=shift), D(2025, 12, 31)),
            today=D(2027, 12, 1),
        )
        assert data.period == Period(D(2025, 1, 1), D(2025, 12, 31))
        figures.add(tuple((o.at_risk, o.observed.count, o.sexual.count) for o in data.outcomes))
    assert len(figures) == 1


def test_subtracting_two_ranges_ending_at_different_quarters_reveals_no_one(
    world, area, tm, om, time_machine
):
    """Second review of issue 14 (privacy): start=2020-01-01 with end at two quarter ends gave 11 at risk/4 and 12/4,
    so one man's outcome was their difference. Outcomes are for whole calendar-year cohorts: both answers are the
    same cohort, and the difference is nobody."""
    from quality.tables import outcomes_tables

    early = _completers(world, tm, om, 11, ended=D(2025, 3, 1), step=3)
    [late] = _completers(world, tm, om, 1, ended=D(2025, 11, 3))
    _with_post_psychometrics(area, tm, [*early, late])
    reoffence(late.referral.person, on=D(2026, 1, 5), sexual=False, om=om)
    scope = selectors.statistics_scope(tm, national=False)

    def answer(end):
        data = selectors.outcomes_for(
            scope, programme="", period=Period(D(2020, 1, 1), end), today=D(2027, 12, 1)
        )
        return data, [
            (o.cohort, o.years, o.people, o.at_risk, o.observed.count, o.sexual.count) for o in data.outcomes
        ]

    q3, q3_figures = answer(D(2025, 9, 30))
    q4, q4_figures = answer(D(2025, 12, 31))
    assert q3.period == q4.period == YEAR
    assert q3_figures == q4_figures
    assert [r[1:] for r in outcomes_tables(q3)[0].csv_rows] == [
        r[1:] for r in outcomes_tables(q4)[0].csv_rows
    ]


def test_a_suppressed_outcome_blanks_its_counts_of_people_too(world, area, tm, om, time_machine):
    """Second review of issue 14: suppressed rows still showed "People" and "At risk" beside them."""
    from quality.tables import outcomes_tables

    _completers(world, tm, om, 3)
    scope = selectors.statistics_scope(tm, national=False)
    data = selectors.outcomes_for(scope, programme="", period=YEAR, today=D(2027, 12, 1))
    [table] = outcomes_tables(data)
    for outcome, row, csv_row in zip(data.outcomes, table.rows, table.csv_rows, strict=True):
        assert outcome.suppressed
        assert row[1:3] == ("Suppressed", "Suppressed")
        assert csv_row[1:3] == ("", "")


def test_a_programme_is_suppressed_when_the_rest_could_be_worked_out_by_subtraction(
    world, area, tm, om, time_machine
):
    """Review of issue 14 (privacy): 13 i-SOTP completers and 3 N-SOGP completers; every programme (16) is shown,
    so i-SOTP alone (13) must be suppressed, else 16 − 13 gives the 3 N-SOGP men's outcomes."""
    isotp = _completers(world, tm, om, 12)
    nsogp = _completers(world, tm, om, 3, programme="nsogp")
    _with_post_psychometrics(area, tm, isotp + nsogp)
    scope = selectors.statistics_scope(tm, national=False)

    def completers(programme):
        data = selectors.outcomes_for(scope, programme=programme, period=YEAR, today=D(2027, 12, 1))
        return next(o for o in data.outcomes if (o.cohort, o.years) == ("completers", 1))

    everyone, one = completers(""), completers("isotp")
    assert everyone.at_risk == 16 and not everyone.suppressed
    assert one.at_risk == 13 and one.suppressed and one.observed.count is None and one.predicted is None


def test_a_man_who_restarted_and_later_completed_is_counted_once(world, area, tm, om):
    """Review of issue 14: each person once, in the cohort of his latest ending in the period."""
    from sessions.models import Membership

    [later] = _completers(world, tm, om, 1, ended=D(2025, 11, 1))
    _with_post_psychometrics(area, tm, [later])
    restart = Membership.objects.get(pk=world["a"].pk)
    Membership.objects.create(
        group=world["group"],
        referral=later.referral,
        joined_on=D(2025, 2, 1),
        left_on=D(2025, 4, 1),
        status="restart_required",
        allocated_by=tm,
    )
    assert restart  # the world's own places are unchanged
    data = selectors.outcomes_for(
        selectors.statistics_scope(tm, national=False), programme="", period=YEAR, today=D(2027, 12, 1)
    )
    by = {(o.cohort, o.years): o for o in data.outcomes}
    # The world: A completes; B, C and D are non-completers. The new man: a restart, then a completion.
    assert by[("completers", 1)].people == 2
    assert by[("non_completers", 1)].people == 3


def test_monitoring_shares_count_only_the_forms_whose_session_is_in_the_window(
    area, personas, tm, facilitator
):
    """Issue 11 (perf15): the forms' sessions are checked by a correlated EXISTS, not a join of every recording
    in the country; a form counts when its session falls between `since` and `today`, inclusive, and only for
    its own facilitator."""
    from quality import services
    from quality.rules.monitoring import AREAS_OF_PRACTICE
    from tests.reports.factories import quick_membership

    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number")[:3])
    for session in sessions:
        recording = services.mark_recorded(actor=facilitator, session=session)
        services.record_monitoring(
            actor=tm,
            recording=recording,
            facilitator=facilitator,
            viewed_on=session.date,
            ratings=dict.fromkeys(AREAS_OF_PRACTICE, "3"),
        )
    shares = {
        s.facilitator.pk: s.share
        for s in selectors.monitoring_shares(tm, since=sessions[1].date, today=sessions[2].date)
    }
    assert shares[facilitator.pk].monitored == 2
    assert shares[facilitator.pk].recorded == 2
    everything = selectors.monitoring_shares(tm, since=sessions[0].date, today=sessions[2].date)
    assert {s.facilitator.pk: s.share.monitored for s in everything}[facilitator.pk] == 3
    assert all(s.share.monitored == 0 for s in everything if s.facilitator.pk != facilitator.pk)


def test_monitoring_shares_read_facilitators_counts_and_target_in_one_query(
    area, personas, tm, facilitator, django_assert_num_queries
):
    """Issue 11: the facilitators, their delivered, recorded and monitored counts and the area's target are one
    query (they were four). The counts match the links and forms counted one by one, a cancelled link is not
    delivered, and the target is the area's QA setting, or the default where the area has none."""
    from decimal import Decimal

    from quality import services
    from quality.rules.monitoring import AREAS_OF_PRACTICE, DEFAULT_MONITORING_TARGET
    from sessions.models import ScheduledSession, SessionFacilitator, SessionStatus
    from tests.reports.factories import quick_membership

    sessions = list(quick_membership(area, personas, finished=True).group.sessions.order_by("number")[:4])
    since, today = sessions[0].date, sessions[-1].date
    for session in sessions[:2]:
        recording = services.mark_recorded(actor=facilitator, session=session)
    services.record_monitoring(
        actor=tm,
        recording=recording,
        facilitator=facilitator,
        viewed_on=sessions[1].date,
        ratings=dict.fromkeys(AREAS_OF_PRACTICE, "3"),
    )
    # The provider cancels the last (the database copies that to its links: `cancelled`).
    ScheduledSession.objects.filter(pk=sessions[3].pk).update(status=SessionStatus.CANCELLED_BY_PROVIDER)
    links = SessionFacilitator.objects.filter(user=facilitator, date__range=(since, today), cancelled=False)

    with django_assert_num_queries(1):
        shares = {
            s.facilitator.pk: s.share for s in selectors.monitoring_shares(tm, since=since, today=today)
        }
    mine = shares[facilitator.pk]
    assert mine.delivered == links.count() == 3
    assert (mine.recorded, mine.monitored) == (2, 1)
    assert mine.target == DEFAULT_MONITORING_TARGET

    services.update_qa_settings(actor=tm, monitoring_target=Decimal("0.25"), report_days=15)
    again = {s.facilitator.pk: s.share for s in selectors.monitoring_shares(tm, since=since, today=today)}
    assert again[facilitator.pk].target == 0.25
