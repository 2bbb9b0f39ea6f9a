"""Regression tests for the independent tester's findings on issue 14: small counts shown in full (A), impossible
dates accepted (B) and chart labels cut off (C)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from quality.rules.figures import count_suppressed, derived_suppressed
from quality.rules.programme import Period, PlaceRow, programme_statistics
from quality.selectors import Scope, StatisticsData
from quality.tables import SUPPRESSED_TEXT, statistics_tables, table_csv

# --- A. small counts are suppressed like the shares ------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "count_hidden", "derived_hidden"),
    [(0, False, True), (1, True, True), (9, True, True), (10, False, False), (250, False, False)],
)
def test_the_small_cell_rule(n, count_hidden, derived_hidden):
    assert count_suppressed(n) is count_hidden
    assert derived_suppressed(n) is derived_hidden


def _one_man() -> StatisticsData:
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    place = PlaceRow(
        referral_submitted_on=dt.date(2026, 2, 1),
        joined_on=dt.date(2026, 3, 25),
        left_on=dt.date(2026, 6, 1),
        status="removed",
        next_status="deselected",
        catch_ups=2,
    )
    stats = programme_statistics(
        period=period,
        today=dt.date(2026, 11, 30),
        referrals_submitted=[dt.date(2026, 2, 1)],
        places=[place],
        attended=3,
        attendance_recorded=3,
        report_days=20,
        attendance_people=1,
    )
    return StatisticsData(
        scope=Scope(1, "Area"),
        programme="nsogp",
        period=period,
        statistics=stats,
        scale_names={},
        places=[place],
    )


def test_one_mans_figures_are_suppressed_on_the_page_api_and_pdf_tables():
    tables = {t.slug: t for t in statistics_tables(_one_man())}
    flow = dict(tables["flow"].rows)
    assert flow["Starts"] == SUPPRESSED_TEXT and flow["Referrals"] == SUPPRESSED_TEXT
    assert flow["Completions (PC 09/2007)"] == "0"  # 0 singles no one out
    reasons = dict(tables["non-completions"].rows)
    assert reasons["Deselected"] == SUPPRESSED_TEXT and reasons["Withdrawn"] == "0"
    delivery = dict(tables["delivery"].rows)
    assert delivery["Attendance rate"] == SUPPRESSED_TEXT
    assert delivery["Median days from referral to start"] == SUPPRESSED_TEXT
    assert delivery["Catch-ups delivered to the period's starts"] == SUPPRESSED_TEXT
    shown = " ".join(cell for t in tables.values() for row in t.rows for cell in row)
    assert "100.0%" not in shown and "52" not in shown and "3 of 3" not in shown
    for t in tables.values():  # the charts draw no bar for a hidden figure
        assert ">1</text>" not in t.chart and ">52<" not in t.chart


def test_one_mans_figures_are_empty_in_the_csv():
    tables = {t.slug: t for t in statistics_tables(_one_man())}
    flow = list(csv.reader(io.StringIO(table_csv(tables["flow"]))))
    assert ["Starts", ""] in flow and ["Completions (PC 09/2007)", "0"] in flow
    delivery = list(csv.reader(io.StringIO(table_csv(tables["delivery"]))))
    attendance = next(r for r in delivery if r and r[0] == "Attendance rate (%)")
    assert attendance[1:] == ["", "", "", "", ""]
    median = next(r for r in delivery if r and r[0] == "Median days from referral to start")
    assert median[1] == ""


def test_the_total_is_hidden_when_it_would_give_away_the_one_hidden_reason():
    data = _one_man()
    stats = data.statistics
    bigger = type(stats)(**{**stats.__dict__, "non_completions": {**stats.non_completions, "withdrawn": 12}})
    tables = {t.slug: t for t in statistics_tables(type(data)(**{**data.__dict__, "statistics": bigger}))}
    assert dict(tables["non-completions"].rows)["Withdrawn"] == "12"
    assert dict(tables["flow"].rows)["Non-completions"] == SUPPRESSED_TEXT


@pytest.mark.django_db
def test_the_api_suppresses_a_programme_with_one_start(api, tm):
    from django.urls import reverse

    response = api(tm).get(reverse("api-statistics") + "?programme=nsogp")
    assert response.status_code == 200
    for table in response.json()["tables"]:
        for row in table["rows"]:
            for cell in row[1:]:
                # A count is 0, 10 or more, or suppressed: never 1 to 9.
                assert not cell.isdigit() or not 0 < int(cell) < 10, (table["slug"], row)


# --- B. impossible dates are refused ----------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("offence_on", "proven_on", "dob", "fields"),
    [
        (dt.date(1950, 1, 1), dt.date(1951, 1, 1), dt.date(1970, 1, 1), {"offence_on"}),  # before birth
        (dt.date(1979, 12, 31), dt.date(2000, 1, 1), dt.date(1970, 1, 1), {"offence_on"}),  # aged 9
        (dt.date(1980, 1, 1), dt.date(2000, 1, 1), dt.date(1970, 1, 1), set()),  # 10th birthday
        (dt.date(1982, 3, 1), dt.date(1990, 1, 1), dt.date(1972, 2, 29), set()),  # 29 February: 1 March
        (dt.date(1982, 2, 28), dt.date(1990, 1, 1), dt.date(1972, 2, 29), {"offence_on"}),
        (dt.date(2025, 5, 1), dt.date(2025, 4, 1), dt.date(1970, 1, 1), {"proven_on"}),  # proven before
        (dt.date(2025, 5, 1), dt.date(2025, 5, 1), dt.date(1970, 1, 1), set()),
        (dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(1970, 1, 1), {"offence_on", "proven_on"}),
        (dt.date(1950, 1, 1), dt.date(1951, 1, 1), None, set()),  # no date of birth known
    ],
)
def test_reoffence_date_rule(offence_on, proven_on, dob, fields):
    from quality.rules.dates import reoffence_date_problems

    problems = reoffence_date_problems(
        offence_on=offence_on, proven_on=proven_on, date_of_birth=dob, today=TODAY
    )
    assert set(problems) == fields


@pytest.mark.parametrize(
    ("held_on", "created", "refused"),
    [
        (dt.date(1900, 1, 1), None, True),
        (dt.date(1999, 12, 31), None, True),
        (dt.date(2000, 1, 1), None, False),
        (dt.date(2019, 12, 31), dt.date(2020, 1, 1), True),  # before the account existed
        (dt.date(2020, 1, 1), dt.date(2020, 1, 1), False),
        (TODAY, dt.date(2020, 1, 1), False),
        (TODAY + dt.timedelta(days=1), dt.date(2020, 1, 1), True),  # in the future
    ],
)
def test_supervision_date_rule(held_on, created, refused):
    from quality.rules.dates import supervision_date_problem

    problem = supervision_date_problem(held_on=held_on, account_created_on=created, today=TODAY)
    assert (problem is not None) is refused


def _post_date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


@pytest.mark.django_db
def test_a_reoffence_before_the_mans_10th_birthday_is_a_field_error(login, area, om):
    from django.urls import reverse

    from quality.models import Reoffence
    from tests.pages import error_summary, page_text
    from tests.referrals.factories import PersonFactory

    person = PersonFactory(area=area, offender_manager=om, date_of_birth=dt.date(1970, 1, 1))
    client = login(om)
    url = reverse("quality:reoffence_new", args=[person.public_id])
    data = {
        **_post_date("offence_on", dt.date(1950, 1, 1)),
        **_post_date("proven_on", dt.date(1951, 1, 1)),
        "offence_type": "other",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "10th birthday" in page_text(response) and "10th birthday" in error_summary(response)
    assert not Reoffence.objects.exists()


@pytest.mark.django_db
def test_a_supervision_session_in_1900_or_before_the_account_is_a_field_error(login, tm, facilitator):
    from django.core.exceptions import ValidationError
    from django.urls import reverse
    from django.utils import timezone

    from quality import services
    from quality.models import SupervisionRecord
    from tests.pages import error_summary

    facilitator.date_joined = timezone.make_aware(dt.datetime(2021, 6, 1))
    facilitator.save(update_fields=["date_joined"])
    url = reverse("quality:supervision_new", args=[facilitator.public_id])
    response = login(tm).post(url, {**_post_date("held_on", dt.date(1900, 1, 1)), "notes": "x"})
    assert response.status_code == 200 and "2000" in error_summary(response)
    with pytest.raises(ValidationError) as exc:
        services.record_supervision(
            actor=tm, facilitator=facilitator, held_on=dt.date(2021, 5, 31), notes="x"
        )
    assert "account was created" in exc.value.message_dict["held_on"][0]
    assert not SupervisionRecord.objects.exists()


# --- C. chart labels show in full; the rate charts have an axis -------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "Impulsiveness: attentional (BIS-11)",
        "Starts needing a catch-up",
        "Non-completers, 2 years",
        "Breach (order revoked, recall, custody or a further offence)",
    ],
)
def test_a_long_chart_label_is_wrapped_not_cut(label):
    import re

    from quality.charts import LABEL_CHARS, Bar, bar_chart

    svg = bar_chart(
        "Chart", [Bar(label=label, value=0.4, text="40%"), Bar(label="Short", value=0.2, text="20%")]
    )
    shown = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(shown[:-1]) == label and shown[-1] == "Short"
    assert all(len(line) <= LABEL_CHARS for line in shown) and "\u2026" not in svg
    # The second bar sits below every line of the first label.
    first_rect, second_rect = (float(y) for y in re.findall(r'<rect x="\d+" y="(\d+)"', svg))
    assert second_rect - first_rect >= 28 + 17 * (len(shown) - 2)


def test_the_outcomes_chart_has_an_axis_with_a_percentage_scale():
    from quality.tables import outcomes_tables

    data = _one_man()
    from quality.selectors import OutcomesData

    svg = outcomes_tables(OutcomesData(scope=data.scope, programme="", period=data.period, outcomes=[]))[
        0
    ].chart
    for tick in ("0%", "50%", "100%"):
        assert f">{tick}</text>" in svg
    delivery = next(t for t in statistics_tables(data) if t.slug == "delivery")
    assert ">100%</text>" in delivery.chart
