"""Referrals under attack (issue 12): an OM's stale status change is the same 409 a TM gets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.referrals.factories import referral_for

pytestmark = pytest.mark.django_db


def _post(client, referral, to_status):
    return client.post(
        reverse("api-referral-transitions", kwargs={"public_id": referral.public_id}),
        {"to_status": to_status, "reason_code": "other", "reason": "Changed circumstances"},
        format="json",
    )


def test_an_om_resubmitting_gets_the_same_409_as_a_tm(api, tm, om, area):
    referral = referral_for(area, om, status="submitted")
    as_om, as_tm = _post(api(om), referral, "submitted"), _post(api(tm), referral, "submitted")
    assert as_om.status_code == as_tm.status_code == 409
    assert as_om.json()["code"] == as_tm.json()["code"] == "ILLEGAL_TRANSITION"
    assert as_om.json()["allowed"] == ["withdrawn"]  # the OM's own moves from here


def test_an_om_withdrawing_a_closed_referral_gets_409(api, om, area):
    referral = referral_for(area, om, status="withdrawn")
    response = _post(api(om), referral, "withdrawn")
    assert response.status_code == 409 and response.json()["allowed"] == []


def test_an_om_still_may_not_make_a_tms_move(api, om, area):
    referral = referral_for(area, om, status="submitted")
    assert _post(api(om), referral, "assessment").status_code == 403


def test_another_oms_person_is_not_found(api, area, om, other_om):
    referral = referral_for(area, om, status="submitted")
    assert _post(api(other_om), referral, "submitted").status_code == 404


# --- searches and lists of people are in the access log ---------------------------------------------------


def test_a_people_search_is_logged_with_its_query(login, om):
    from audit.models import AccessLog

    login(om).get(reverse("referrals:person_list") + "?q=Smith")
    entry = AccessLog.objects.get(actor=om, object_type="search")
    assert entry.object_id == "people" and entry.object_label == "q=Smith" and entry.via == "page"
    assert entry.area_id == om.area_id


def test_list_pages_and_list_endpoints_are_logged(login, api, tm):
    from audit.models import AccessLog

    login(tm).get(reverse("referrals:referral_list") + "?status=submitted")
    login(tm).get(reverse("referrals:waiting_list"))
    api(tm).get(reverse("api-person-list") + "?search=C123456")
    api(tm).get(reverse("api-referral-list"))
    logged = {
        (e.object_id, e.via, e.object_label) for e in AccessLog.objects.filter(actor=tm, object_type="search")
    }
    assert logged == {
        ("referrals", "page", "status=submitted"),
        ("waiting_list", "page", ""),
        ("people", "api", "search=C123456"),
        ("referrals", "api", ""),
    }


@pytest.mark.parametrize(
    "url_name, term",
    [
        ("referrals:person_list", "q"),
        ("referrals:referral_list", "q"),
        ("api-person-list", "search"),
    ],
)
def test_a_long_unknown_parameter_cannot_push_the_search_term_out_of_the_log(login, api, tm, url_name, term):
    # Parameters sorted by name and cut at 200 characters let `?a=<250 x>&q=Ashworth` log only `a=xxx...`.
    from audit.models import AccessLog

    client = api(tm) if url_name.startswith("api-") else login(tm)
    client.get(reverse(url_name), {"a": "x" * 250, "zz": "y" * 600, term: "Ashworth"})
    entry = AccessLog.objects.get(actor=tm, object_type="search")
    assert entry.object_label == f"{term}=Ashworth"


def test_every_search_term_is_logged_bounded_with_its_filters(login, tm):
    from audit.models import AccessLog

    login(tm).get(
        reverse("referrals:referral_list"),
        {"page": "9" * 600, "status": ["submitted", "assessment"], "q": "A&B=" + "z" * 300},
    )
    label = AccessLog.objects.get(actor=tm, object_type="search").object_label
    assert label.startswith("q=A%26B%3D" + "z" * 96 + "&status=submitted&status=assessment")
    assert len(label) <= 500


# --- a CRN held by another area -------------------------------------------------------------------------------


def test_another_areas_crn_gets_a_plain_message_and_an_audited_attempt(api, om, other_om, area, other_area):
    from audit.models import AuditEvent
    from tests.referrals.factories import PersonFactory

    held = PersonFactory(area=other_area, offender_manager=other_om, crn="X654321")
    response = api(om).post(
        reverse("api-person-list"),
        {
            "crn": "x654321",
            "first_name": "Sam",
            "last_name": "Example",
            "date_of_birth": "1980-01-01",
            "sex": "male",
            "offender_manager": str(om.public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["crn"][0]
    assert "held by another probation area" in message and "transfer" in message
    assert other_area.name not in message  # which area holds them is not said
    events = AuditEvent.objects.filter(
        action="person.crn_held_by_another_area", object_id=str(held.public_id)
    )
    assert {e.area_id for e in events} == {area.id, other_area.id}
    assert all(e.actor_id == om.id for e in events)


def test_a_crn_already_in_your_area_says_so(api, om, area):
    from tests.referrals.factories import PersonFactory

    PersonFactory(area=area, offender_manager=om, crn="X111111")
    response = api(om).post(
        reverse("api-person-list"),
        {
            "crn": "X111111",
            "first_name": "Sam",
            "last_name": "Example",
            "date_of_birth": "1980-01-01",
            "sex": "male",
            "offender_manager": str(om.public_id),
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["crn"] == ["A person with this CRN already exists in your area"]
