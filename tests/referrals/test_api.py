"""The referrals API: the exact shapes of the two calculators and their 400s, boundary ages, people and
referrals with their eligibility, transitions (409 with the allowed moves), history, waiting list, query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, AuditEvent
from referrals.models import Person, Referral, ReferralStatusChange
from referrals.rules.transitions import manual_transitions
from tests.factories import UserFactory
from tests.referrals.factories import (
    OGRS3,
    ConvictionFactory,
    PersonFactory,
    ReferralFactory,
    RoshFactory,
    SentenceFactory,
    eligible_person,
    referral_for,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

# --- POST rm2000/score/ -------------------------------------------------------------------------------------

RM2000 = {
    "sex": "male",
    "date_of_birth": "1980-05-01",
    "assessment_date": "2026-10-01",
    "commencement_of_risk_date": "2026-09-01",
    "sexual_appearances": 2,
    "criminal_appearances": 5,
    "violent_appearances": 1,
    "burglary": True,
    "male_victim": True,
    "stranger_victim": True,
    "non_contact_offence": False,
    "single": True,
    "sexual_offence_after_16": True,
}


def test_rm2000_score_shape_and_values(api, facilitator):
    response = api(facilitator).post(reverse("api-rm2000-score"), RM2000, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    # Age 46 at commencement: S step 1 = 0 + 1 (2 sexual) + 1 (5 criminal) = 2 Medium; 3 factors: up one -> High.
    assert body["s"] == {
        "step1_points": 2,
        "step1_category": "medium",
        "aggravating_factors": 3,
        "category": "high",
    }
    # V: age 46 (0) + 1 violent appearance (1) + burglary (2) = 3 Medium. C: High (2) + Medium (1) = 3 High.
    assert body["v"] == {"points": 3, "category": "medium"}
    assert body["c"] == {"category": "high"}
    assert body["table_version"] == "2003-commonly-cited-1" and body["source_note"]
    assert any("step 2" in line for line in body["working"])


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"sex": "female"}, "sex", "only valid for males"),
        (
            {"date_of_birth": "2009-01-01", "commencement_of_risk_date": "2026-09-01"},
            "date_of_birth",
            "from age 18",
        ),
        ({"sexual_appearances": 0}, "sexual_appearances", "at least one sexual appearance"),
        ({"violent_appearances": -1}, "violent_appearances", "cannot be negative"),
        ({"criminal_appearances": -2}, "criminal_appearances", "cannot be negative"),
    ],
)
def test_rm2000_refusals_are_400_on_the_field_with_a_plain_message(api, tm, changes, field, words):
    response = api(tm).post(reverse("api-rm2000-score"), RM2000 | changes, format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_rm2000_missing_field_is_400(api, tm):
    body = {k: v for k, v in RM2000.items() if k != "assessment_date"}
    response = api(tm).post(reverse("api-rm2000-score"), body, format="json")
    assert response.status_code == 400 and "assessment_date" in response.json()


# --- POST eligibility/check/ --------------------------------------------------------------------------------

START = dt.date(2027, 3, 1)


def _facts(**changes: Any) -> dict[str, Any]:
    facts = {
        "sex": "male",
        "date_of_birth": "1985-01-01",
        "planned_start": START.isoformat(),
        "iq": 100,
        "offences": ["iioc_take_make"],
        "rm2000_s": "medium",
        "deviance": "low",
        "rosh": "medium",
        "supervision_months": 36,
        "legal_basis": "community_order",
        "active_appeal": False,
        "maintains_innocence": False,
        "completed_prison_sotp": False,
    }
    return facts | changes


def _check(client, **changes: Any) -> dict[str, Any]:
    response = client.post(reverse("api-eligibility-check"), _facts(**changes), format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def _programme(body: dict[str, Any], programme: str, fmt: str) -> dict[str, Any]:
    return next(p for p in body["programmes"] if (p["programme"], p["format"]) == (programme, fmt))


def _codes(decision: dict[str, Any]) -> set[str]:
    return {r["code"] for r in decision["reasons"]}


def test_eligibility_check_shape(api, om):
    body = _check(api(om))
    assert set(body) == {"programmes", "recommendation"}
    group = _programme(body, "isotp", "group")
    assert set(group) == {"programme", "format", "eligible", "provisional", "route", "reasons", "warnings"}
    assert group["eligible"] is True and group["route"] == "adult_band" and group["reasons"] == []
    assert {p["programme"] for p in body["programmes"]} == {"isotp", "nsogp"}  # LI/HI off by default
    assert body["recommendation"]["programme"] == "isotp" and body["recommendation"]["format"] == "group"
    assert {"programme", "format", "route"} <= set(body["recommendation"])


def _born(age: int, birthday_offset: int = 0) -> str:
    """Born so that he is exactly `age` on START (or a day short of it with offset 1)."""
    born = START.replace(year=START.year - age) + dt.timedelta(days=birthday_offset)
    return born.isoformat()


@pytest.mark.parametrize(
    ("age", "group_ok", "one_to_one_ok"),
    [
        (16, False, False),
        (17, False, True),
        (20, False, True),
        (21, True, True),
    ],
)
def test_boundary_ages_on_the_start_date(api, om, age, group_ok, one_to_one_ok):
    body = _check(api(om), date_of_birth=_born(age))
    assert _programme(body, "isotp", "group")["eligible"] is group_ok
    assert _programme(body, "isotp", "one_to_one")["eligible"] is one_to_one_ok
    if not one_to_one_ok:
        assert "UNDER_AGE" in _codes(_programme(body, "isotp", "one_to_one"))


def test_the_day_before_the_21st_birthday_is_still_20(api, om):
    body = _check(api(om), date_of_birth=_born(21, birthday_offset=1))
    assert "UNDER_AGE" in _codes(_programme(body, "isotp", "group"))
    assert body["recommendation"] == {**body["recommendation"], "programme": "isotp", "format": "one_to_one"}


@pytest.mark.parametrize(
    ("changes", "code", "eligible"),
    [
        ({"iq": 79}, "IQ_BELOW_80", False),
        ({"iq": 80}, None, True),
        ({"supervision_months": 23}, "SUPERVISION_TOO_SHORT", False),
        ({"supervision_months": 24}, None, True),
        ({"rm2000_s": "very_high"}, "RM2000_VERY_HIGH", False),
        ({"deviance": "high"}, "HIGH_DEVIANCE", False),
        ({"rosh": "very_high"}, "VERY_HIGH_RISK_OF_HARM", False),
        ({"sex": "female"}, "NOT_MALE", False),
        ({"legal_basis": None}, "NO_LEGAL_BASIS", False),
        ({"offences": ["contact_sexual_child"]}, "CONTACT_OFFENCE", False),
        ({"offences": ["iioc_possess", "grooming_meeting_child"]}, "INTERNET_USED_TO_MEET_CHILDREN", False),
    ],
)
def test_rule_codes_through_the_api(api, om, changes, code, eligible):
    group = _programme(_check(api(om), **changes), "isotp", "group")
    assert group["eligible"] is eligible
    if code:
        assert code in _codes(group)
        assert all(r["message"] for r in group["reasons"])


def test_missing_assessments_make_the_decision_provisional(api, om):
    body = _check(api(om), rm2000_s=None, deviance=None)
    group = _programme(body, "isotp", "group")
    assert group["eligible"] and group["provisional"]
    assert {"RM2000_NOT_ASSESSED", "DEVIANCE_NOT_ASSESSED"} <= {w["code"] for w in group["warnings"]}


def test_nsogp_routes(api, om):
    low = _check(api(om), rm2000_s="low", deviance="high")
    assert _programme(low, "nsogp", "group")["route"] == "om_work_then_better_lives"
    assert low["recommendation"]["programme"] == "nsogp"
    high = _check(api(om), rm2000_s="very_high")
    assert high["recommendation"]["route"] == "core_and_better_lives"


def test_area_switches_on_li_hi(api, om, area):
    area.lihi_enabled = True
    area.save()
    programmes = {p["programme"] for p in _check(api(om))["programmes"]}
    assert programmes == {"isotp", "nsogp", "li", "hi"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"offences": ["shoplifting"]}, "offences"),
        ({"rm2000_s": "extreme"}, "rm2000_s"),
        ({"deviance": "medium"}, "deviance"),
        ({"supervision_months": -1}, "supervision_months"),
        ({"planned_start": "next week"}, "planned_start"),
        ({"legal_basis": "fine"}, "legal_basis"),
    ],
)
def test_eligibility_check_input_errors(api, om, changes, field):
    response = api(om).post(reverse("api-eligibility-check"), _facts(**changes), format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize(
    ("changes", "code", "where"),
    [
        # Issue 7 contract: the optional supervision_end and offence_date.
        (
            {"supervision_end": (START + dt.timedelta(weeks=20)).isoformat()},
            "SUPERVISION_ENDS_TOO_SOON",
            "reasons",
        ),
        ({"supervision_end": (START + dt.timedelta(weeks=80)).isoformat()}, None, None),
        ({"supervision_end": None}, "SUPERVISION_END_NOT_KNOWN", "warnings"),
        ({"offence_date": "2005-04-03"}, "NO_LEGAL_BASIS", "reasons"),
        ({"offence_date": "2005-04-04"}, None, None),
        (
            {"offence_date": "2005-04-04", "legal_basis": "community_rehabilitation_order"},
            "NO_LEGAL_BASIS",
            "reasons",
        ),
        ({"offence_date": None}, "OFFENCE_DATE_NOT_KNOWN", "warnings"),
        (
            {"supervision_months": 23, "rm2000_s": "very_high"},
            "SUPERVISION_TOO_SHORT",
            "reasons",
        ),  # N-SOGP too
    ],
)
def test_supervision_end_and_offence_date(api, om, changes, code, where):
    facts = {"supervision_end": (START + dt.timedelta(weeks=100)).isoformat(), "offence_date": "2024-01-01"}
    body = _check(api(om), **(facts | changes))
    for decision in body["programmes"]:
        found = {r["code"] for r in decision["reasons"]} | {w["code"] for w in decision["warnings"]}
        if code is None:
            assert not found & {"SUPERVISION_ENDS_TOO_SOON", "NO_LEGAL_BASIS", "SUPERVISION_END_NOT_KNOWN"}
        else:
            assert code in {r["code"] for r in decision[where]}, decision


def test_rm2000_not_applicable_under_18_makes_the_one_to_one_final(api, om):
    body = _check(api(om), date_of_birth=_born(17), rm2000_s=None)
    one = _programme(body, "isotp", "one_to_one")
    assert one["eligible"] and not one["provisional"]
    assert "RM2000_NOT_APPLICABLE" in {w["code"] for w in one["warnings"]}


def test_eligibility_ages_come_from_the_area_catalogue(api, om, area, area_admin):
    """domain.md §3 "One source for ages": an area's catalogue edit moves eligibility as it moves allocation."""
    from sessions.models import Programme as CatalogueVersion
    from sessions.services.catalogue import create_programme_version

    group = CatalogueVersion.objects.get(code="isotp_group", area__isnull=True)
    create_programme_version(
        actor=area_admin, programme=group, changes={"min_age": 25}, reason="Local pilot", valid_from=START
    )
    body = _check(api(om), date_of_birth=_born(24))
    assert "UNDER_AGE" in _codes(_programme(body, "isotp", "group"))
    assert "below 25" in " ".join(r["message"] for r in _programme(body, "isotp", "group")["reasons"])


# --- POST ogrs3/score/ ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "one_year", "two_year"), [(0, 0.121616, 0.221305), (1, 0.315812, 0.486518)]
)
def test_ogrs3_score_gives_the_published_check_values(api, om, previous, one_year, two_year):
    response = api(om).post(
        reverse("api-ogrs3-score"), OGRS3 | {"previous_sanctions": previous}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["one_year"], body["two_year"]) == (one_year, two_year)
    assert (body["one_year_percent"], body["two_year_percent"]) == (
        round(one_year * 100),
        round(two_year * 100),
    )
    assert body["band"] == "low"
    assert body["working"][0] == "Coefficient table ogrs3-2009-1"
    assert body["table_version"] == "ogrs3-2009-1" and "rsr-calculator" in body["source_note"]


def _in_words(text: str) -> bool:
    return "domain.md" not in text and "\u00a7" not in text


@pytest.mark.parametrize("tables", ["seeded", "built-in", "seeded before the notes were put in words"])
def test_the_calculators_answer_their_tables_notes_in_words(api, om, tables):
    """Issue 12: the note each calculator answers (and the copy inside each stored table, which the admin offers as
    the next version) has no design reference ("domain.md §4"): the migrated tables, the built-in defaults when no
    table is active, and a table stored by the original seed once the data migrations have run."""
    import importlib
    import json

    from referrals.models import Ogrs3CoefficientTable, Rm2000ScoringTable

    if tables == "built-in":
        Rm2000ScoringTable.objects.update(active=False)
        Ogrs3CoefficientTable.objects.update(active=False)
    if tables.startswith("seeded before"):
        seed = importlib.import_module(
            "referrals.migrations.0002_seed_offences_and_rm2000_table"
        ).SCORING_TABLE
        assert not _in_words(seed["source_note"])  # the seed as it was written
        Rm2000ScoringTable.objects.update(active=False)
        Rm2000ScoringTable.objects.create(
            version="seed-copy",
            table=seed | {"version": "seed-copy"},
            source_note=seed["source_note"],
            active=True,
        )
        from django.apps import apps

        for module, function in (
            ("0008_plain_table_notes", "plain_notes"),
            ("0011_plain_table_json_notes", "plain_table_notes"),
        ):
            getattr(importlib.import_module(f"referrals.migrations.{module}"), function)(apps, None)
    for name, body in (("api-rm2000-score", RM2000), ("api-ogrs3-score", OGRS3)):
        response = api(om).post(reverse(name), body, format="json")
        assert response.status_code == 200, response.json()
        answer = json.dumps(response.json(), ensure_ascii=False)
        assert _in_words(answer) and response.json()["source_note"], answer
    for model in (Rm2000ScoringTable, Ogrs3CoefficientTable):
        for row in model.objects.all():
            assert _in_words(row.source_note) and _in_words(json.dumps(row.table, ensure_ascii=False)), (
                row.version
            )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"age_at_first_sanction": 21, "previous_sanctions": 1},
            "age_at_first_sanction",
        ),  # after the conviction
        ({"age_at_first_sanction": 9, "previous_sanctions": 1}, "age_at_first_sanction"),  # under 10
        ({"previous_sanctions": -1}, "previous_sanctions"),
        ({"offence_group": "arson"}, "offence_group"),
        ({"sex": "other"}, "sex"),
        ({"conviction_date": "2020-06-02"}, "conviction_date"),
        ({"date_of_birth": "2005-01-01"}, "date_of_birth"),  # 15 at assessment
    ],
)
def test_ogrs3_impossible_input_is_400_naming_the_field(api, om, changes, field):
    response = api(om).post(reverse("api-ogrs3-score"), OGRS3 | changes, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_rm2000_asks_for_a_sexual_offence_after_16(api, om):
    url = reverse("api-rm2000-score")
    missing = {k: v for k, v in RM2000.items() if k != "sexual_offence_after_16"}
    assert "sexual_offence_after_16" in api(om).post(url, missing, format="json").json()
    refused = api(om).post(url, RM2000 | {"sexual_offence_after_16": False}, format="json")
    assert (
        refused.status_code == 400 and "after the age of 16" in refused.json()["sexual_offence_after_16"][0]
    )


def test_rm2000_pre_release_assessment_is_accepted_with_a_warning(api, om):
    body = (
        api(om)
        .post(
            reverse("api-rm2000-score"), RM2000 | {"commencement_of_risk_date": "2027-01-01"}, format="json"
        )
        .json()
    )
    assert "pre-release assessment" in body["warnings"][0]


# --- people -------------------------------------------------------------------------------------------------


def test_om_creates_a_person_and_reads_the_record(api, om):
    client = api(om)
    response = client.post(
        reverse("api-person-list"),
        {
            "crn": "n654321",
            "first_name": "Liam",
            "last_name": "Boyd",
            "date_of_birth": "1990-02-03",
            "sex": "male",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    person_id = response.json()["id"]
    assert response.json()["crn"] == "N654321" and response.json()["offender_manager"]["id"] == str(
        om.public_id
    )
    url = reverse("api-person-detail", kwargs={"public_id": person_id})
    for path, data in [
        ("convictions", {"offence_code": "pca1978_s1_1a", "conviction_date": "2026-06-01"}),
        (
            "sentences",
            {
                "legal_basis": "licence",
                "programme_requirement": True,
                "start_date": "2026-06-01",
                "supervision_end_date": "2029-05-31",
            },
        ),
        ("rosh", {"level": "medium", "assessed_on": "2026-06-10"}),
        ("rm2000", {"s": "low", "v": "low", "c": "low", "assessed_on": "2026-06-10", "assessor": "OASys"}),
    ]:
        created = client.post(f"{url}{path}/", data, format="json")
        assert created.status_code == 201, (path, created.json())
    body = client.get(url).json()
    assert body["convictions"][0]["offence"]["category"] == "iioc_take_make"
    assert body["current_sentence"]["legal_basis"] == "licence"
    assert body["risk"]["rm2000"]["s"] == "low" and body["risk"]["deviance"] is None
    # The POST answered with the whole record and so did the GET: two logged views (review of issue 7, no. 4).
    assert AccessLog.objects.filter(object_id=person_id, via="api").count() == 2


def test_completed_prison_sotp_is_read_from_his_referrals_and_read_only(api, om, area):
    """domain.md §3 "N-SOGP sequence": recorded on the person, asked on each referral; any referral recording it
    is enough (an older closed one too), and the field cannot be written through the person."""
    person = PersonFactory(area=area, offender_manager=om)
    ReferralFactory(person=person, status="awaiting_allocation")
    client = api(om)
    url = reverse("api-person-detail", kwargs={"public_id": person.public_id})
    assert client.get(url).json()["completed_prison_sotp"] is False
    ReferralFactory(person=person, status="withdrawn", completed_prison_sotp=True)
    assert client.get(url).json()["completed_prison_sotp"] is True
    listed = client.get(reverse("api-person-list")).json()["results"]
    assert [row["completed_prison_sotp"] for row in listed if row["id"] == str(person.public_id)] == [True]
    response = client.patch(url, {"completed_prison_sotp": False}, format="json")
    assert response.status_code == 200 and response.json()["completed_prison_sotp"] is True


def test_person_errors_are_field_errors(api, om):
    response = api(om).post(
        reverse("api-person-list"),
        {
            "crn": "1234567",
            "first_name": "A",
            "last_name": "B",
            "date_of_birth": "2090-01-01",
            "sex": "male",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) & {"crn", "date_of_birth"}


def test_calculate_rm2000_for_a_person(api, om, area):
    person = eligible_person(area, om, age=40)
    url = reverse("api-person-rm2000-calculate", kwargs={"public_id": person.public_id})
    factors = {k: v for k, v in RM2000.items() if k not in ("sex", "date_of_birth")}
    response = api(om).post(
        url,
        factors | {"assessment_date": TODAY.isoformat(), "commencement_of_risk_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source"] == "calculated" and response.json()["working"]


def test_remove_a_conviction(api, om, area):
    person = eligible_person(area, om)
    conviction = person.convictions.get()
    url = reverse(
        "api-person-conviction-detail",
        kwargs={"public_id": person.public_id, "conviction_id": conviction.public_id},
    )
    assert api(om).delete(url).status_code == 204
    assert not person.convictions.exists()
    assert AuditEvent.objects.filter(action="conviction.removed").exists()


def test_people_search_and_filters(api, tm, om, area):
    mine = eligible_person(area, om, first_name="Harold", last_name="Finch", crn="C000111")
    other = eligible_person(area, PersonFactory(area=area).offender_manager, last_name="Reese")
    ReferralFactory(person=other)
    client = api(tm)
    url = reverse("api-person-list")
    assert [p["id"] for p in client.get(url, {"search": "c000111"}).json()["results"]] == [
        str(mine.public_id)
    ]
    assert [p["id"] for p in client.get(url, {"search": "harold finch"}).json()["results"]] == [
        str(mine.public_id)
    ]
    assert [p["id"] for p in client.get(url, {"has_open_referral": "true"}).json()["results"]] == [
        str(other.public_id)
    ]
    assert [p["id"] for p in client.get(url, {"offender_manager": str(om.public_id)}).json()["results"]] == [
        str(mine.public_id)
    ]
    assert client.get(url, {"offender_manager": "not-a-uuid"}).status_code == 400
    # An OM sees only their caseload.
    assert [p["id"] for p in api(om).get(url).json()["results"]] == [str(mine.public_id)]


def test_an_om_gets_404_for_someone_elses_person_and_referral(api, om, area):
    referral = referral_for(area, PersonFactory(area=area).offender_manager)
    client = api(om)
    assert (
        client.get(reverse("api-person-detail", kwargs={"public_id": referral.person.public_id})).status_code
        == 404
    )
    assert (
        client.get(reverse("api-referral-detail", kwargs={"public_id": referral.public_id})).status_code
        == 404
    )


# --- referrals ----------------------------------------------------------------------------------------------


def test_referral_detail_embeds_the_same_decision_as_the_calculator(api, om, tm, area):
    start = TODAY + dt.timedelta(days=90)
    person = eligible_person(area, om, age=20)  # 20 now: one-to-one unless he turns 21 by the start
    referral = referral_for(area, om, status="submitted", planned_start=start)
    referral.person = person
    referral.save()
    body = api(tm).get(reverse("api-referral-detail", kwargs={"public_id": referral.public_id})).json()
    sentence = person.sentences.get()
    months = (sentence.supervision_end_date.year - sentence.start_date.year) * 12
    facts = {
        "sex": "male",
        "date_of_birth": person.date_of_birth.isoformat(),
        "planned_start": start.isoformat(),
        "iq": person.iq,
        "offences": ["iioc_take_make"],
        "rm2000_s": "medium",
        "deviance": "low",
        "rosh": "medium",
        "supervision_months": months,
        "legal_basis": "community_order",
        "supervision_end": sentence.supervision_end_date.isoformat(),
        "offence_date": person.convictions.get().offence_date.isoformat(),
    }
    direct = api(tm).post(reverse("api-eligibility-check"), facts, format="json").json()
    assert body["eligibility"] == direct
    assert body["allowed_transitions"] == ["assessment", "on_hold", "withdrawn"]
    assert AccessLog.objects.filter(object_id=str(referral.public_id), via="api").exists()


def test_om_creates_updates_and_submits_a_referral(api, om, area):
    person = eligible_person(area, om)
    client = api(om)
    created = client.post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "isotp", "format": "group"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["eligibility"]["recommendation"]["programme"] == "isotp"
    url = reverse("api-referral-detail", kwargs={"public_id": body["id"]})
    assert client.patch(url, {"notes": "Motivated"}, format="json").json()["notes"] == "Motivated"
    moved = client.post(
        reverse("api-referral-transitions", kwargs={"public_id": body["id"]}),
        {"to_status": "submitted"},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["status"] == "submitted"
    assert client.patch(url, {"notes": "Late"}, format="json").status_code == 409


def test_referral_for_a_person_not_on_the_caseload_is_a_field_error(api, om, area):
    person = eligible_person(area, PersonFactory(area=area).offender_manager)
    response = api(om).post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "isotp", "format": "group"},
        format="json",
    )
    assert response.status_code == 400 and "person" in response.json()


def test_incomplete_submission_is_409_with_what_is_missing(api, om, area):
    referral = referral_for(area, om, complete=False)
    response = api(om).post(
        reverse("api-referral-transitions", kwargs={"public_id": referral.public_id}),
        {"to_status": "submitted"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "REFERRAL_INCOMPLETE"
    assert response.json()["missing"] == ["convictions", "sentence"]


def test_illegal_transition_is_409_with_the_allowed_moves(api, tm, om, area):
    referral = referral_for(area, om, status="submitted")
    response = api(tm).post(
        reverse("api-referral-transitions", kwargs={"public_id": referral.public_id}),
        {"to_status": "completed"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ILLEGAL_TRANSITION" and body["allowed"] == ["assessment", "on_hold", "withdrawn"]
    assert "Submitted" in body["detail"]


def test_missing_reason_is_400_on_reason_code(api, tm, om, area):
    referral = referral_for(area, om, status="submitted")
    response = api(tm).post(
        reverse("api-referral-transitions", kwargs={"public_id": referral.public_id}),
        {"to_status": "on_hold"},
        format="json",
    )
    assert response.status_code == 400 and "reason_code" in response.json()


def test_assessment_accepts_on_hold_as_the_page_does(api, tm, om, area):
    """Issue 7: the page offered an `on_hold` outcome the API refused; both now go through the one service."""
    referral = referral_for(area, om, status="assessment")
    url = reverse("api-referral-assessment", kwargs={"public_id": referral.public_id})
    missing = api(tm).post(url, {"outcome": "on_hold"}, format="json")
    assert missing.status_code == 400 and "reason_code" in missing.json()
    response = api(tm).post(url, {"outcome": "on_hold", "reason_code": "in_hospital"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["outcome"] == "on_hold"
    referral.refresh_from_db()
    assert (referral.status, referral.returns_to) == ("on_hold", "assessment")


def test_assessment_and_history(api, tm, om, area):
    referral = referral_for(area, om, status="submitted")
    client = api(tm)
    response = client.post(
        reverse("api-referral-assessment", kwargs={"public_id": referral.public_id}),
        {"outcome": "suitable"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["computed"]["recommendation"]["programme"] == "isotp"
    history = client.get(reverse("api-referral-history", kwargs={"public_id": referral.public_id})).json()
    assert [h["to_status"] for h in history["results"]] == [
        "draft",
        "assessment",
        "suitable",
        "awaiting_allocation",
    ]
    assert history["results"][-1]["actor"]["id"] == str(tm.public_id)
    detail = client.get(reverse("api-referral-detail", kwargs={"public_id": referral.public_id})).json()
    assert detail["latest_assessment"]["outcome"] == "suitable"


def test_referral_filters_including_format(api, tm, om, area):
    group = referral_for(area, om, status="submitted")
    one = referral_for(area, om, status="awaiting_allocation", format="one_to_one")
    client = api(tm)
    url = reverse("api-referral-list")
    assert [r["id"] for r in client.get(url, {"format": "one_to_one"}).json()["results"]] == [
        str(one.public_id)
    ]
    ids = {
        r["id"] for r in client.get(url + "?status=submitted&status=awaiting_allocation").json()["results"]
    }
    assert ids == {str(group.public_id), str(one.public_id)}
    assert client.get(url, {"status": "lost"}).status_code == 400


# --- waiting list -------------------------------------------------------------------------------------------


def test_waiting_list_oldest_first_with_urgency(api, tm, om, area):
    late = referral_for(area, om, status="awaiting_allocation")
    early = referral_for(area, om, status="awaiting_allocation")
    Referral.objects.filter(pk=early.pk).update(awaiting_since=timezone.now() - dt.timedelta(days=40))
    # He must start soon: supervision ends in 40 weeks, the group takes 35.
    early.person.sentences.update(supervision_end_date=TODAY + dt.timedelta(weeks=40))
    referral_for(area, om, status="awaiting_allocation", format="one_to_one")  # another list
    response = api(tm).get(reverse("api-waiting-list"), {"programme": "isotp", "format": "group"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["referral"] for r in rows] == [str(early.public_id), str(late.public_id)]
    assert rows[0]["position"] == 1 and rows[0]["urgency"]["level"] == "start_soon"
    assert rows[1]["urgency"]["level"] == "ok" and rows[0]["age_at_start"] == 35


def test_waiting_list_needs_programme_and_format(api, tm):
    response = api(tm).get(reverse("api-waiting-list"), {"programme": "isotp"})
    assert response.status_code == 400 and "format" in response.json()


# --- query counts -------------------------------------------------------------------------------------------


def _people(area, om, n: int) -> None:
    for i in range(n):
        person = eligible_person(area, om)
        # Every other man completed a prison SOTP: the list shows it (an annotation, no query per row).
        ReferralFactory(person=person, status="awaiting_allocation", completed_prison_sotp=bool(i % 2))
        RoshFactory(person=person)
        SentenceFactory(person=person)


@pytest.mark.parametrize("rows", [3, 15])
def test_people_list_query_count_does_not_grow(api, tm, om, area, rows, django_assert_max_num_queries):
    _people(area, om, rows)
    client = api(tm)
    with django_assert_max_num_queries(5):  # token, the access-log row, count, page, referrals
        response = client.get(reverse("api-person-list"))
    assert response.json()["count"] == rows
    results = response.json()["results"]
    assert sum(row["completed_prison_sotp"] for row in results) == len(results) // 2


@pytest.mark.parametrize("rows", [3, 15])
def test_referral_list_query_count_does_not_grow(api, tm, om, area, rows, django_assert_max_num_queries):
    _people(area, om, rows)
    client = api(tm)
    with django_assert_max_num_queries(4):  # token, the access-log row, count, page
        response = client.get(reverse("api-referral-list"))
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [3, 15])
def test_waiting_list_query_count_does_not_grow(api, tm, om, area, rows, django_assert_max_num_queries):
    _people(area, om, rows)
    client = api(tm)
    with django_assert_max_num_queries(
        8
    ):  # token, area, the count, the page's referrals, sentences; the catalogue and closures once; the restarts
        response = client.get(reverse("api-waiting-list"), {"programme": "isotp", "format": "group"})
    assert response.json()["count"] == rows


def test_waiting_list_pages_keep_each_place_in_the_whole_list(
    api, tm, om, area, django_assert_max_num_queries
):
    """perf12: the API pages the list before building its rows; page 2 holds places 26-30, as the whole list has
    them, and costs what page 1 does."""
    from referrals import selectors

    _people(area, om, 30)
    whole = selectors.waiting_list(tm, programme="isotp", format="group", today=TODAY)
    client = api(tm)
    url = reverse("api-waiting-list")
    first = client.get(url, {"programme": "isotp", "format": "group"}).json()
    with django_assert_max_num_queries(8):
        second = client.get(url, {"programme": "isotp", "format": "group", "page": 2}).json()
    assert first["count"] == second["count"] == 30
    rows = first["results"] + second["results"]
    assert [(r["position"], r["referral"]) for r in rows] == [
        (row.position, str(row.referral.public_id)) for row in whole
    ]
    assert [r["urgency"]["level"] for r in rows] == [row.urgency.level for row in whole]
    assert selectors.WaitingPages(tm, programme="isotp", format="group", today=TODAY)[-1].position == 30


@pytest.mark.parametrize("history", [0, 8])
def test_referral_detail_query_count_is_fixed(api, tm, om, area, django_assert_max_num_queries, history):
    """The same queries for a referral with a short or a long history (status changes, convictions)."""
    referral = referral_for(area, om, status="submitted")
    for _ in range(history):
        ReferralStatusChange.objects.create(
            referral=referral, from_status="draft", to_status="submitted", actor=om
        )
        ConvictionFactory(person=referral.person)
    client = api(tm)
    # perf22: no status history (the answer does not show it); enforcement and restart read the places once, and
    # a referral that never had a place has no attendance or catch-up to look through: places, actions
    # (tests/sessions/test_attendance.py counts a referral with a place).
    with django_assert_max_num_queries(15):
        response = client.get(reverse("api-referral-detail", kwargs={"public_id": referral.public_id}))
    assert response.status_code == 200
    assert response.json()["id"] == str(referral.public_id)


def test_person_model_is_not_exposed_by_integer_id(api, tm, om, area):
    person = eligible_person(area, om)
    body = api(tm).get(reverse("api-person-detail", kwargs={"public_id": person.public_id})).json()
    assert body["id"] == str(person.public_id) and "pk" not in body
    assert Person.objects.filter(public_id=body["id"]).exists()


def test_an_om_cannot_move_a_person_to_another_caseload(api, om, area):
    person = eligible_person(area, om)
    other_om = UserFactory(role="offender_manager", area=area)
    response = api(om).patch(
        reverse("api-person-detail", kwargs={"public_id": person.public_id}),
        {"offender_manager": str(other_om.public_id)},
        format="json",
    )
    assert response.status_code == 400 and "offender_manager" in response.json()
    assert Person.objects.get(pk=person.pk).offender_manager_id == om.pk
    assert not AuditEvent.objects.filter(action="person.updated").exists()


def test_a_tm_moves_a_person_to_another_om(api, tm, om, area):
    person = eligible_person(area, om)
    other_om = UserFactory(role="offender_manager", area=area)
    response = api(tm).patch(
        reverse("api-person-detail", kwargs={"public_id": person.public_id}),
        {"offender_manager": str(other_om.public_id)},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Person.objects.get(pk=person.pk).offender_manager_id == other_om.pk


def test_a_person_with_no_recorded_creator_can_still_be_edited(api, om, area):
    person = PersonFactory(area=area, offender_manager=om, created_by=None)  # imported or seeded
    response = api(om).patch(
        reverse("api-person-detail", kwargs={"public_id": person.public_id}),
        {"first_name": "Edited"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Person.objects.get(pk=person.pk).first_name == "Edited"


def test_reading_a_conviction_or_a_referral_history_is_logged(api, tm, om, area):
    referral = referral_for(area, om, status="submitted")
    conviction = referral.person.convictions.get()
    client = api(tm)
    response = client.get(
        reverse(
            "api-person-conviction-detail",
            kwargs={"public_id": referral.person.public_id, "conviction_id": conviction.public_id},
        )
    )
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=tm, object_id=str(referral.person.public_id), via="api").exists()
    response = client.get(reverse("api-referral-history", kwargs={"public_id": referral.public_id}))
    assert response.status_code == 200
    assert AccessLog.objects.filter(actor=tm, object_id=str(referral.public_id), via="api").exists()


@pytest.mark.parametrize("to_status", ["suitable", "not_suitable"])
def test_suitability_cannot_skip_the_assessment_through_a_status_change(api, tm, om, area, to_status):
    referral = referral_for(area, om, status="assessment")
    response = api(tm).post(
        reverse("api-referral-transitions", kwargs={"public_id": referral.public_id}),
        {"to_status": to_status, "reason_code": "eligibility_rules"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "ASSESSMENT_REQUIRED"
    assert body["allowed"] == ["on_hold", "suitable_not_ready", "withdrawn"]
    referral.refresh_from_db()
    assert referral.status == "assessment"


def test_allocation_and_removal_are_not_bare_status_changes(api, tm, om, area):
    waiting = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    response = api(tm).post(
        reverse("api-referral-transitions", kwargs={"public_id": waiting.public_id}),
        {"to_status": "allocated"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "DELIVERY_REQUIRED"
    assert response.json()["allowed"] == ["on_hold", "suitable_not_ready", "withdrawn"]
    detail = api(tm).get(reverse("api-referral-detail", kwargs={"public_id": waiting.public_id})).json()
    assert detail["allowed_transitions"] == ["on_hold", "suitable_not_ready", "withdrawn"]
    placed = referral_for(area, om, status="allocated", awaiting_since=timezone.now())
    response = api(om).post(
        reverse("api-referral-transitions", kwargs={"public_id": placed.public_id}),
        {"to_status": "withdrawn", "reason_code": "moved_out_of_area"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "DELIVERY_REQUIRED"
    waiting.refresh_from_db()
    placed.refresh_from_db()
    assert (waiting.status, placed.status) == ("awaiting_allocation", "allocated")


def test_li_hi_referrals_only_where_the_area_switched_them_on(api, om, tm, area):
    assert not area.lihi_enabled
    person = eligible_person(area, om)
    client = api(om)
    response = client.post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "li", "format": "group"},
        format="json",
    )
    assert response.status_code == 400 and "programme" in response.json()
    draft = client.post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "isotp", "format": "group"},
        format="json",
    ).json()
    url = reverse("api-referral-detail", kwargs={"public_id": draft["id"]})
    assert client.patch(url, {"programme": "hi"}, format="json").status_code == 400
    submitted = referral_for(area, om, status="submitted")
    response = api(tm).post(
        reverse("api-referral-assessment", kwargs={"public_id": submitted.public_id}),
        {"outcome": "suitable", "override": {"programme": "hi", "format": "group"}, "rationale": "Pilot"},
        format="json",
    )
    assert response.status_code == 400 and "programme" in response.json()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    area.lihi_enabled = True
    area.save()
    another = eligible_person(
        area, om
    )  # issue 13: `person` has an open (draft) referral, so no new one for him
    response = client.post(
        reverse("api-referral-list"),
        {"person": str(another.public_id), "programme": "li", "format": "group"},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_conviction_audit_names_the_conviction_by_its_public_id(api, om, area):
    referral = referral_for(area, om, status="draft")
    conviction = referral.person.convictions.get()
    url = reverse(
        "api-person-conviction-detail",
        kwargs={"public_id": referral.person.public_id, "conviction_id": conviction.public_id},
    )
    assert api(om).delete(url).status_code == 204
    event = AuditEvent.objects.get(action="conviction.removed")
    assert event.changes["conviction"] == str(conviction.public_id)


# --- every answer carrying a person's record is logged (review of issue 7, no. 4) --------------------------


def test_a_patch_answering_with_the_record_logs_the_view_even_when_empty(api, om, area):
    person = eligible_person(area, om)
    url = reverse("api-person-detail", kwargs={"public_id": person.public_id})
    response = api(om).patch(url, {}, format="json")
    assert response.status_code == 200 and response.json()["crn"] == person.crn
    assert AccessLog.objects.filter(object_id=str(person.public_id), via="api").count() == 1


def test_a_referral_write_answering_with_the_record_logs_the_view(api, om, area):
    person = eligible_person(area, om)
    client = api(om)
    created = client.post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "isotp", "format": "group"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    referral_id = created.json()["id"]
    assert AccessLog.objects.filter(object_id=referral_id, via="api").count() == 1
    patched = client.patch(
        reverse("api-referral-detail", kwargs={"public_id": referral_id}), {}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert AccessLog.objects.filter(object_id=referral_id, via="api").count() == 2


# --- impossible dates are 400 naming the field, never a 500 (review of issue 7, nos. 3, 14) -----------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_start": "1984-12-31"}, "planned_start"),
        ({"offence_date": "1984-12-31"}, "offence_date"),
        ({"offence_date": "2027-03-02"}, "offence_date"),  # the day after the planned start
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
    ],
)
def test_eligibility_check_refuses_impossible_dates(api, om, changes, field):
    response = api(om).post(reverse("api-eligibility-check"), _facts(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_eligibility_check_takes_an_offence_on_the_planned_start(api, om):
    _check(api(om), offence_date=START.isoformat())


def _ogrs3_facts(**changes: Any) -> dict[str, Any]:
    facts = {
        "sex": "male",
        "date_of_birth": "1990-06-01",
        "conviction_date": "2026-06-01",
        "assessment_date": "2026-07-01",
        "age_at_first_sanction": 20,
        "previous_sanctions": 3,
        "offence_group": "violence",
    }
    return facts | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assessment_date": "1990-05-31"}, "assessment_date"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"previous_sanctions": 10**9}, "previous_sanctions"),
    ],
)
def test_ogrs3_score_refuses_impossible_input(api, om, changes, field):
    response = api(om).post(reverse("api-ogrs3-score"), _ogrs3_facts(**changes), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


def test_rm2000_score_refuses_an_assessment_before_birth(api, om):
    facts = {
        "sex": "male",
        "date_of_birth": "1990-06-01",
        "assessment_date": "1990-05-31",
        "commencement_of_risk_date": "2026-01-01",
        "sexual_appearances": 1,
        "criminal_appearances": 1,
        "violent_appearances": 0,
        "burglary": False,
        "male_victim": False,
        "stranger_victim": False,
        "non_contact_offence": False,
        "single": False,
        "sexual_offence_after_16": True,
    }
    response = api(om).post(reverse("api-rm2000-score"), facts, format="json")
    assert response.status_code == 400, response.json()
    assert "assessment_date" in response.json()


# --- contact is a fact of the conviction, within what the offence allows (review of issue 7, no. 2) ---------


@pytest.mark.parametrize(
    ("offence", "contact", "code"),
    [
        ("soa2003_s5", False, 400),  # rape of a child under 13: contact by what it is
        ("soa2003_s10", False, 201),  # inciting online: may be recorded as non-contact
        ("cja1988_s160", True, 201),  # any offence may be recorded as involving contact
    ],
)
def test_a_conviction_contact_answer_within_the_offence_table(api, om, area, offence, contact, code):
    person = eligible_person(area, om)
    response = api(om).post(
        reverse("api-person-detail", kwargs={"public_id": person.public_id}) + "convictions/",
        {"offence_code": offence, "conviction_date": "2026-06-01", "contact": contact},
        format="json",
    )
    assert response.status_code == code, response.json()
    if code == 400:
        assert "contact" in response.json()


# --- OGRS3 on the person record (issue 7) -----------------------------------------------------------------------


def test_ogrs3_is_recorded_through_the_api_audited_and_shown_on_the_person_record(api, om, area):
    person = eligible_person(area, om)
    client = api(om)
    url = reverse("api-person-ogrs3", kwargs={"public_id": person.public_id})
    response = client.post(url, {"one_year_percent": 20, "two_year_percent": 34, "assessed_on": "2026-01-05"})
    assert response.status_code == 201, response.content
    assert response.json()["one_year_percent"] == 20 and response.json()["two_year_percent"] == 34
    assert AuditEvent.objects.filter(action="ogrs3.recorded").count() == 1
    body = client.get(reverse("api-person-detail", kwargs={"public_id": person.public_id})).json()
    ogrs3 = body["risk"]["ogrs3"]
    assert (ogrs3["one_year"], ogrs3["two_year"], ogrs3["source"]) == (0.2, 0.34, "recorded")
    assert ogrs3["band"] and ogrs3["assessed_on"] == "2026-01-05"


@pytest.mark.parametrize(
    ("one_year", "two_year", "field"),
    [(-1, 30, "one_year_percent"), (20, 101, "two_year_percent"), (40, 30, "two_year_percent")],
)
def test_ogrs3_outside_0_to_100_or_2_year_below_1_year_is_a_400_naming_the_field(
    api, om, area, one_year, two_year, field
):
    person = eligible_person(area, om)
    url = reverse("api-person-ogrs3", kwargs={"public_id": person.public_id})
    response = api(om).post(
        url, {"one_year_percent": one_year, "two_year_percent": two_year, "assessed_on": "2026-01-05"}
    )
    assert response.status_code == 400 and field in response.json()
    assert not person.ogrs3_assessments.exists()


def test_a_person_with_no_ogrs3_shows_null(api, tm, om, area):
    person = eligible_person(area, om)
    body = api(tm).get(reverse("api-person-detail", kwargs={"public_id": person.public_id})).json()
    assert body["risk"]["ogrs3"] is None


def test_an_illegal_move_lists_only_the_moves_the_endpoint_accepts(api, tm, om, area):
    """Tester of issue 7, no. 5: from awaiting allocation the 409 offered `allocated` (Allocated, in the message),
    which the same endpoint refuses (DELIVERY_REQUIRED): only `manual_transitions` are listed."""
    referral = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    url = reverse("api-referral-transitions", kwargs={"public_id": referral.public_id})
    body = api(tm).post(url, {"to_status": "completed"}, format="json").json()
    assert body["code"] == "ILLEGAL_TRANSITION"
    assert "allocated" not in body["allowed"] and "Allocated" not in body["detail"]
    assert body["allowed"]
    for status in body["allowed"]:
        assert status in manual_transitions("awaiting_allocation")


# --- impossible dates (tester of issue 7) ---------------------------------------------------------------------


def test_ogrs3_recorded_before_the_tenth_birthday_is_a_400_on_assessed_on(api, om, area):
    person = eligible_person(area, om)
    nine = person.date_of_birth.replace(year=person.date_of_birth.year + 9)
    url = reverse("api-person-ogrs3", kwargs={"public_id": person.public_id})
    response = api(om).post(
        url, {"one_year_percent": 20, "two_year_percent": 34, "assessed_on": nine.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "assessed_on" in response.json()
    assert not AuditEvent.objects.filter(action="ogrs3.recorded").exists()


@pytest.mark.parametrize("field", ["conviction_date", "assessment_date"])
def test_ogrs3_score_refuses_a_date_in_the_future_on_its_field(api, om, field):
    body = OGRS3 | {"conviction_date": "2999-01-01", "assessment_date": "2999-01-01"}
    if field == "assessment_date":
        body = OGRS3 | {"assessment_date": "2999-01-01"}
    response = api(om).post(reverse("api-ogrs3-score"), body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())


def test_rm2000_score_refuses_a_commencement_of_risk_five_years_or_more_ahead(api, facilitator):
    client = api(facilitator)
    response = client.post(
        reverse("api-rm2000-score"), RM2000 | {"commencement_of_risk_date": "2090-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "commencement_of_risk_date" in str(response.json())
    ahead = RM2000 | {"commencement_of_risk_date": "2030-09-30"}  # a release within 5 years: pre-release
    assert client.post(reverse("api-rm2000-score"), ahead, format="json").status_code == 200
