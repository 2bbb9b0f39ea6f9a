"""The demo's archive cohorts (quality/demo_cohorts.py): after seed_demo the statistics and outcomes show real
figures, not only suppressed cells, and the data keeps the models' rules (every completion counts the PC 09/2007
way, every non-completion has its reason)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import ProbationArea
from isotp import clock
from quality import selectors
from quality.rules.programme import Period
from sessions.models import ProgrammeGroup

pytestmark = pytest.mark.django_db


def test_the_demo_statistics_and_outcomes_show_figures():
    call_command("seed_demo", stdout=StringIO())
    cheshire = ProbationArea.objects.get(code="cheshire")
    assert ProgrammeGroup.objects.filter(area=cheshire, name__startswith="Archive cohort").count() == 5
    scope = selectors.Scope(area_id=cheshire.pk, label=cheshire.name)
    today = clock.today()
    year = Period(today - dt.timedelta(days=365), today)  # the page's default period
    stats = selectors.statistics_for(scope, programme="", period=year, today=today).statistics
    assert stats.completions >= 10
    assert not stats.completers_with_psychometrics.suppressed
    assert stats.completers_with_psychometrics.value == 1.0  # a completion needs the post psychometrics
    assert any(not p.suppressed and p.count for p in stats.reliable_improvement.values())
    assert stats.non_completions_total > 0 and stats.attendance_rate
    # outcomes are per calendar-year cohort: the demo's two January groups of three years ago finish that year
    archive = Period(dt.date(today.year - 3, 1, 1), dt.date(today.year - 3, 12, 31))
    outcomes = selectors.outcomes_for(scope, programme="", period=archive, today=today).outcomes
    shown = [o for o in outcomes if not o.suppressed]
    assert {(o.cohort, o.years) for o in shown} >= {("completers", 1), ("completers", 2)}
    assert all(o.predicted is not None and o.observed.interval is not None for o in shown)
