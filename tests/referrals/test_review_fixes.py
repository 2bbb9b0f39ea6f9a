"""Regression tests for defects found in review of the referrals app."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, AuditEvent
from referrals.models import Person
from tests.factories import UserFactory
from tests.referrals.factories import PersonFactory, eligible_person, referral_for

pytestmark = pytest.mark.django_db


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


def test_the_status_page_refuses_a_crafted_suitable_or_allocated(login, tm, om, area):
    client = login(tm)
    assessing = referral_for(area, om, status="assessment")
    url = reverse("referrals:referral_status", args=[assessing.public_id])
    assert 'value="suitable"' not in client.get(url).content.decode()
    response = client.post(url, {"to_status": "suitable"})
    assert response.status_code == 409
    assessing.refresh_from_db()
    assert assessing.status == "assessment"
    waiting = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    url = reverse("referrals:referral_status", args=[waiting.public_id])
    assert 'value="allocated"' not in client.get(url).content.decode()
    assert client.post(url, {"to_status": "allocated"}).status_code == 409
    waiting.refresh_from_db()
    assert waiting.status == "awaiting_allocation"


def test_answering_other_information_with_the_defaults_is_audited(area, om):
    from referrals.services.referrals import answer_other_information

    referral = referral_for(area, om, status="draft")
    answer_other_information(
        actor=om,
        referral=referral,
        active_appeal=False,
        maintains_innocence=False,
        completed_prison_sotp=False,
        notes="",
    )
    referral.refresh_from_db()
    assert referral.other_information_answered_at is not None
    event = AuditEvent.objects.get(action="referral.other_information_answered")
    assert event.actor_id == om.pk


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
    response = client.post(
        reverse("api-referral-list"),
        {"person": str(person.public_id), "programme": "li", "format": "group"},
        format="json",
    )
    assert response.status_code == 201, response.json()


def test_journey_pages_that_show_the_record_are_logged(login, om, tm, area):
    referral = referral_for(area, om, status="draft")
    logged = AccessLog.objects.filter(object_id=str(referral.person.public_id))
    client = login(om)
    for name in ("referral_offences", "referral_risk", "referral_check"):
        before = logged.filter(actor=om).count()
        assert client.get(reverse(f"referrals:{name}", args=[referral.public_id])).status_code == 200
        assert logged.filter(actor=om).count() == before + 1, name
    url = reverse("referrals:rm2000_calculator") + f"?person={referral.person.public_id}"
    assert login(tm).get(url).status_code == 200
    assert logged.filter(actor=tm).count() == 1


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
