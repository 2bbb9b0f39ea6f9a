"""The psychometric pages: results with the chart and the figures, entering scores with GOV.UK errors, the TM's
override, the group's needs profile and the battery pages (norms marked illustrative wherever they are shown)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from assessments import services
from assessments.models import Administration
from tests.assessments.factories import (
    AFTER_END,
    BEFORE_START,
    battery_of,
    complete_sessions,
    demo_battery,
    member,
    problem_score,
    sheet,
)
from tests.pages import error_summary, page_text

pytestmark = pytest.mark.django_db
ILLUSTRATIVE = "illustrative — replace with your area's values"


@pytest.fixture
def setup(area, facilitator, om, tm, time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    version = demo_battery(area)
    membership = member(area, facilitator=facilitator, om=om, tm=tm)
    return version, membership


def _text(response):
    """The page's text without tags (the chart's title and desc stay as text)."""
    return re.sub(r"<[^>]+>", "", page_text(response))


def _form_data(version, **overrides):
    data = {"administered_on_0": "10", "administered_on_1": "12", "administered_on_2": "2026"}
    for code, entry in sheet(battery_of(version)).items():
        value = entry.get("score", None)
        data[f"scale_{code}"] = str(value) if value is not None else ",".join(str(i) for i in entry["items"])
    data.update(overrides)
    return data


def test_entering_pre_scores_with_errors_then_success(login, facilitator, setup):
    version, membership = setup
    client = login(facilitator)
    url = f"/psychometrics/members/{membership.public_id}/pre/"
    page = client.get(url)
    assert page.status_code == 200 and "Enter pre-programme scores" in page_text(page)
    unreadable = client.post(url, _form_data(version, scale_SE="lots", scale_EL=""))
    assert unreadable.status_code == 200
    summary = error_summary(unreadable)
    assert (
        "Enter the score for Self-esteem as a number" in summary
        and "Enter a score for Emotional loneliness" in summary
    )
    bad = client.post(url, _form_data(version, scale_CDS="80", scale_IRI_PT="2,,2,,2,2,2"))
    summary = error_summary(bad)
    assert "Enter a score for Cognitive distortions (children and sex) from 15 to 75" in summary
    assert "at most 1 may be prorated" in summary
    assert 'href="#id_scale_CDS"' in summary and 'id="id_scale_CDS-error"' in bad.content.decode()
    assert not Administration.objects.exists()
    good = client.post(url, _form_data(version), follow=True)
    assert "Pre-programme scores recorded" in page_text(good)
    assert Administration.objects.filter(membership=membership, kind="pre").exists()


def test_a_date_after_the_first_session_is_a_field_error(login, facilitator, setup, time_machine):
    version, membership = setup
    time_machine.move_to(dt.datetime(2027, 1, 20, 10, tzinfo=BEFORE_START.tzinfo), tick=False)
    response = login(facilitator).post(
        f"/psychometrics/members/{membership.public_id}/pre/",
        _form_data(version, administered_on_0="5", administered_on_1="1", administered_on_2="2027"),
    )
    assert "on or before the first session (4 January 2027)" in error_summary(response)


def test_results_show_norms_chart_change_and_needs(login, facilitator, om, tm, setup, time_machine):
    version, membership = setup
    b = battery_of(version)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(b, CDS={"score": 50}, DENIAL=problem_score(b, "DENIAL"), SDS={"score": 30}),
    )
    time_machine.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="post",
        administered_on=dt.date(2027, 11, 20),
        scores=sheet(b, CDS={"score": 20}),
    )
    for user in (facilitator, om, tm):
        text = _text(login(user).get(f"/psychometrics/members/{membership.public_id}/"))
        assert ILLUSTRATIVE in text
        assert "Interpret with caution" in text
        assert "Psychometric results: pre, post and the normal range per scale" in text  # the chart's title
        assert "Cognitive distortions (children and sex)" in text and "Recovered" in text
        assert "c = 27.38" in text  # the cut-off used and which one: (10 · 24 + 6 · 33) / 16
        assert "Treated profile" in text
        assert "1. Motivation and denial" in text  # the treatment needs
        assert "This is the configured rule" in text


def test_the_tm_overrides_deviance_and_both_show(login, facilitator, tm, setup):
    version, membership = setup
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(battery_of(version)),
    )
    client = login(tm)
    url = f"/psychometrics/members/{membership.public_id}/deviance/"
    refused = client.post(url, {"level": "high"})
    assert "Enter the rationale for the deviance level" in error_summary(refused)
    done = client.post(url, {"level": "high", "rationale": "Offence pattern and interview"}, follow=True)
    text = _text(done)
    assert "Computed from the pre-programme scores: Low" in text
    assert "Treatment manager's assessment: High" in text and "Offence pattern and interview" in text


def test_the_group_page_shows_the_needs_profile(login, facilitator, tm, setup):
    version, membership = setup
    b = battery_of(version)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(b, DENIAL=problem_score(b, "DENIAL")),
    )
    text = page_text(login(tm).get(f"/groups/{membership.group.public_id}/"))
    assert "Treatment needs" in text and "1 of 1 assessed" in text
    assert f"/psychometrics/members/{membership.public_id}/" in text


def test_battery_pages_mark_the_norms_illustrative(login, area, area_admin, tm):
    version = demo_battery(area)
    detail = page_text(login(tm).get(f"/psychometrics/batteries/{version.battery.code}/"))
    assert ILLUSTRATIVE in detail and "Perspective taking (IRI)" in detail
    export = login(tm).get(f"/psychometrics/batteries/{version.battery.code}/v1.json")
    assert export["Content-Disposition"].startswith("attachment") and export.json() == version.definition
    client = login(area_admin)
    bad = client.post(
        "/psychometrics/batteries/import/", {"definition": '{"code": "x", "name": "X", "scales": []}'}
    )
    assert "Battery, scales: list at least one scale" in error_summary(bad)
    edit = client.get(f"/psychometrics/batteries/import/?from={version.battery.code}")
    assert "norm_mean" in page_text(edit)
