"""The psychometrics API: the stateless change calculator (issue 9 contract), batteries, recording and results."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.assessments.factories import (
    BEFORE_START,
    WORKED,
    battery_of,
    demo_battery,
    demo_definition,
    member,
    several_batteries,
    sheet,
)

pytestmark = pytest.mark.django_db

CHANGE = "/api/v1/psychometrics/change/"


def test_change_answers_each_scale_in_order(api, om):
    body = {
        "scales": [
            {"pre": 40, "post": 55, **WORKED},  # reliable, crosses c = 50
            {"pre": 40, "post": 49, **WORKED},  # 9 points < 9.30: not reliable
            {
                "pre": 30,
                "post": 44,
                **WORKED,
                "offender_mean": None,
                "offender_sd": None,
            },  # b = 45, not crossed
            {
                "pre": 50,
                "post": 70,
                **WORKED,
                "direction": "higher_is_worse",
            },  # a reliable rise where higher is worse
        ]
    }
    response = api(om).post(CHANGE, body, format="json")
    assert response.status_code == 200, response.content
    scales = response.json()["scales"]
    assert [s["classification"] for s in scales] == ["recovered", "unchanged", "improved", "deteriorated"]
    assert [s["reliable"] for s in scales] == [True, False, True, True]
    assert [(s["cutoff"], s["cutoff_used"]) for s in scales[:3]] == [(50, "c"), (50, "c"), (45, "b")]
    assert scales[0]["rci"] == pytest.approx(15 / 4.7434, abs=1e-3)
    assert scales[0]["cutoffs"] == {"a": 55, "b": 45, "c": 50}
    assert round(scales[1]["reliable_threshold"], 2) == 9.30
    assert set(scales[0]) >= {"rci", "reliable", "cutoff", "classification"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reliability": 1.2}, "reliability"),
        ({"reliability": -0.1}, "reliability"),
        # review: a perfectly reliable scale made the RCI infinite and the answer a 500
        ({"reliability": 1}, "reliability"),
        ({"norm_sd": 1e-300}, "norm_sd"),
        ({"pre": 1e308}, "pre"),
        ({"post": -1e308}, "post"),
        ({"norm_sd": 0}, "norm_sd"),
        ({"offender_sd": -2}, "offender_sd"),
        ({"direction": "up"}, "direction"),
    ],
)
def test_change_refuses_out_of_range_input_naming_the_scale_and_field(api, tm, change, field):
    body = {"scales": [{"pre": 40, "post": 50, **WORKED}, {"pre": 40, "post": 50, **WORKED, **change}]}
    response = api(tm).post(CHANGE, body, format="json")
    assert response.status_code == 400
    errors = response.json()["scales"]
    # DRF names the scale by its position: {"1": {"reliability": [...]}} (the first scale, "0", is fine)
    assert list(errors) == ["1"] and list(errors["1"]) == [field], errors


def test_battery_import_and_export(api, area_admin, tm):
    definition = demo_definition()
    response = api(area_admin).post("/api/v1/batteries/", {"definition": definition}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    exported = api(tm).get(f"/api/v1/batteries/{definition['code']}/versions/1/").json()
    assert exported["definition"] == definition and exported["illustrative"] is True
    definition["scales"][2]["norm_sd"] = -1
    refused = api(area_admin).post("/api/v1/batteries/", {"definition": definition}, format="json")
    assert refused.status_code == 400
    assert refused.json()["definition"] == ["Scale 3 (VED), norm_sd: enter a non-offender SD greater than 0"]


@pytest.mark.parametrize("batteries", [2, 12])
def test_battery_list_query_count_does_not_grow(
    api, area, other_area, tm, facilitator, area_admin, batteries, django_assert_max_num_queries
):
    """Review of issue 11: the area's batteries at two sizes, two versions each by different administrators (the
    versions and their authors are listed), the same bound for every reader; another area's are not listed."""
    newest = several_batteries(area, batteries)
    several_batteries(other_area, 3, name="Elsewhere")
    # 4 whatever the number: the token, the count, the page, its versions with their authors joined.
    for reader in (tm, facilitator, area_admin):
        client = api(reader)
        with django_assert_max_num_queries(4):
            response = client.get("/api/v1/batteries/", {"page_size": 100})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == batteries
        assert [row["code"] for row in body["results"]] == [v.battery.code for v in newest]
        for row, version in zip(body["results"], newest, strict=True):
            assert [v["version"] for v in row["versions"]] == [2, 1]
            assert row["versions"][0]["created_by"] == version.created_by.full_name
            assert row["versions"][0]["illustrative"] is version.illustrative
        assert len({v["created_by"] for row in body["results"] for v in row["versions"]}) == 2


def test_recording_and_reading_through_the_api(api, area, facilitator, om, time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    version = demo_battery(area)
    membership = member(area, facilitator=facilitator, om=om)
    url = f"/api/v1/memberships/{membership.public_id}/psychometrics/"
    scores = sheet(battery_of(version), CDS={"score": 99})
    body = {"kind": "pre", "administered_on": "2026-12-10", "scores": scores}
    refused = api(facilitator).post(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "scores.CDS": ["Enter a score for Cognitive distortions (children and sex) from 15 to 75"]
    }
    body["scores"]["CDS"] = {"score": 30}
    created = api(facilitator).post(url, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "pre" and len(created.json()["scores"]) == 18
    again = api(facilitator).post(url, body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "ADMINISTRATION_EXISTS"
    post = api(facilitator).post(
        url, {**body, "kind": "post", "administered_on": "2026-12-14"}, format="json"
    )
    assert post.status_code == 409 and post.json()["code"] == "SESSIONS_NOT_COMPLETE"
    results = api(om).get(url)
    assert results.status_code == 200
    data = results.json()
    assert data["battery"]["illustrative_note"] == "illustrative — replace with your area's values"
    assert next(s for s in data["scales"] if s["code"] == "CDS")["pre"] == 30
    assert data["deviance"]["computed"]["level"] == "low"


def test_administration_list_query_count_does_not_grow(
    api, area, facilitator, tm, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(BEFORE_START, tick=False)
    version = demo_battery(area)
    client = api(tm)

    def add(n):
        from assessments import services

        for _ in range(n):
            membership = member(area, facilitator=facilitator)
            services.record_administration(
                actor=facilitator,
                membership=membership,
                kind="pre",
                administered_on=dt.date(2026, 12, 10),
                scores=sheet(battery_of(version)),
            )

    add(1)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/psychometric-administrations/").json()["count"] == 1
    add(4)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/psychometric-administrations/").json()["count"] == 5


def _record_several(area, facilitator, version, n):
    """`n` members, each with a pre-programme administration; the first with one item missing (prorated)."""
    from assessments import services

    battery = battery_of(version)
    items_scale = next(scale for scale in battery.scales if scale.items is not None)
    recorded = []
    for k in range(n):
        scores = sheet(battery)
        if k == 0:
            items = list(scores[items_scale.code]["items"])
            items[0] = None  # one item missing: prorated, with a null item in the list
            scores[items_scale.code] = {"items": items}
        recorded.append(
            services.record_administration(
                actor=facilitator,
                membership=member(area, facilitator=facilitator),
                kind="pre",
                administered_on=dt.date(2026, 12, 10),
                scores=scores,
            )
        )
    return recorded


@pytest.mark.parametrize("rows", [2, 6])  # six groups at most: the facilitator's slots run out after six
def test_administration_list_costs_the_same_queries_for_any_page(
    api, area, facilitator, tm, time_machine, django_assert_max_num_queries, rows
):
    """perf22: token, count, the page (membership and staff names joined), its battery versions, its scores and
    the access-log row, whatever the number of rows; a facilitator's scope adds the list of their groups."""
    time_machine.move_to(BEFORE_START, tick=False)
    _record_several(area, facilitator, demo_battery(area), rows)
    manager, delivering = api(tm), api(facilitator)
    with django_assert_max_num_queries(6):
        body = manager.get("/api/v1/psychometric-administrations/", {"page_size": 100}).json()
    assert body["count"] == rows and len(body["results"]) == rows
    with django_assert_max_num_queries(7):
        assert delivering.get("/api/v1/psychometric-administrations/").json()["count"] == rows


def test_administration_list_answers_as_the_detail_does(api, area, facilitator, tm, time_machine):
    """perf22: the list's lean page (scores as plain rows, no serializer a score) answers each administration
    exactly as its detail does (the model's scores through the serializer), a prorated score and a missing
    item included."""
    from assessments.models import Administration, ScaleScore
    from assessments.serializers import ScaleScoreOutput

    time_machine.move_to(BEFORE_START, tick=False)
    recorded = _record_several(area, facilitator, demo_battery(area), 3)
    assert ScaleScore.objects.filter(administration=recorded[0], prorated=True).exists()
    client = api(tm)
    rows = client.get("/api/v1/psychometric-administrations/").json()["results"]
    assert [row["id"] for row in rows] == [str(a.public_id) for a in recorded]
    for row in rows:
        detail = client.get(f"/api/v1/psychometric-administrations/{row['id']}/")
        assert detail.json() == row
    # The fast list of scores gives what one serializer per score gives, field for field.
    administration = Administration.objects.get(pk=recorded[0].pk)
    one_by_one = [dict(ScaleScoreOutput(score).data) for score in administration.scores.order_by("id")]
    assert ScaleScoreOutput(administration.scores.order_by("id"), many=True).data == one_by_one
    assert rows[0]["scores"] == one_by_one
    assert any(score["items"] and None in score["items"] and score["prorated"] for score in one_by_one)


# --- review of issue 9: bad input refused with a 400 naming the field -----------------------------------------------


@pytest.fixture
def recording(api, area, facilitator, om, time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    version = demo_battery(area)
    membership = member(area, facilitator=facilitator, om=om)
    url = f"/api/v1/memberships/{membership.public_id}/psychometrics/"
    return api(facilitator), url, battery_of(version), membership


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("1900-01-01", "on or after the referral (8 July 2026)"),  # review: 1900 was accepted
        ("2026-07-07", "on or after the referral (8 July 2026)"),  # the day before the referral
        ("9999-12-31", "must be today or in the past"),
        ("2026-12-15", "must be today or in the past"),  # tomorrow
    ],
)
def test_an_administration_date_outside_its_bounds_is_a_400_on_the_date(recording, day, message):
    client, url, battery, _ = recording
    refused = client.post(
        url, {"kind": "pre", "administered_on": day, "scores": sheet(battery)}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["administered_on"] and message in refused.json()["administered_on"][0]


def test_the_referral_day_and_today_are_within_the_bounds(recording):
    client, url, battery, _ = recording
    accepted = client.post(
        url, {"kind": "pre", "administered_on": "2026-07-08", "scores": sheet(battery)}, format="json"
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize(
    ("scores", "field", "message"),
    [
        ({"CDS": {"score": True}}, "scores.CDS", "as a number"),  # review: true was read as 1
        ({"CDS": {"score": "31"}}, "scores.CDS", "as a number"),
        (
            {"IRI_PT": {"items": [2, 2.5, 2, 2, 2, 2, 2]}},
            "scores.IRI_PT",
            "whole numbers",
        ),  # was truncated to 2
        ({"IRI_PT": {"items": [2, True, 2, 2, 2, 2, 2]}}, "scores.IRI_PT", "whole numbers"),
    ],
)
def test_booleans_strings_and_fractional_items_are_refused(recording, scores, field, message):
    client, url, battery, membership = recording
    body = {"kind": "pre", "administered_on": "2026-12-10", "scores": sheet(battery, **scores)}
    refused = client.post(url, body, format="json")
    assert refused.status_code == 400
    assert list(refused.json()) == [field] and message in refused.json()[field][0]
    assert not membership.psychometric_administrations.exists()


def test_every_problem_is_reported_at_once(recording):
    client, url, battery, _ = recording
    scores = sheet(battery, CDS={"score": 99}, SE={"score": False}, IRI_EC={"items": [1.5] * 7})
    refused = client.post(
        url, {"kind": "pre", "administered_on": "1900-01-01", "scores": scores}, format="json"
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"administered_on", "scores.CDS", "scores.SE", "scores.IRI_EC"}


def test_administered_by_is_chosen_from_the_area_staff(recording, area, tm, om):
    client, url, battery, _ = recording
    body = {"kind": "pre", "administered_on": "2026-12-10", "scores": sheet(battery)}
    refused = client.post(url, {**body, "administered_by": str(om.public_id)}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["administered_by"]
    created = client.post(url, {**body, "administered_by": str(tm.public_id)}, format="json")
    assert created.status_code == 201 and created.json()["administered_by"] == tm.full_name


def test_the_change_calculator_reports_every_norm_problem_of_a_scale(api, tm):
    body = {
        "scales": [{"pre": 40, "post": 50, **WORKED, "reliability": 1.2, "norm_sd": 0, "offender_sd": -1}]
    }
    response = api(tm).post(CHANGE, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["scales"]["0"]) == {"reliability", "norm_sd", "offender_sd"}


def test_the_change_serializer_asks_the_rule_not_a_copy():
    """One copy of each rule (review): the serializer's checks are the rules module's `norm_problems`."""
    import inspect

    from assessments import serializers

    source = inspect.getsource(serializers.ChangeScaleInput)
    assert "norm_problems(" in source
    assert not any(name.startswith("validate_") for name in vars(serializers.ChangeScaleInput))
