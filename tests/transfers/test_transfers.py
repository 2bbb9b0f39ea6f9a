"""Transfers between areas (issue 12): the receiving area's TM requests, the holding area's TM or administrator
approves or refuses; the person and their open referral move with their history; audited in both areas."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from referrals.models import Referral
from tests.factories import UserFactory
from tests.pages import page_text
from tests.referrals.factories import eligible_person, referral_for
from transfers import services
from transfers.models import TransferRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def their_tm(other_area):
    return UserFactory(area=other_area, role="treatment_manager")


def _request(api, their_tm, other_om, crn, reason="Moved to Northumbria for work"):
    return api(their_tm).post(
        reverse("api-transfer-list"),
        {"crn": crn, "offender_manager": str(other_om.public_id), "reason": reason},
        format="json",
    )


def test_a_transfer_requested_approved_moves_the_person_and_open_referral(
    api, tm, om, area, other_area, their_tm, other_om
):
    referral = referral_for(area, om, status="submitted")
    closed = Referral.objects.create(
        person=referral.person,
        area=area,
        programme="isotp",
        format="group",
        status="withdrawn",
        referred_by=om,
    )
    person = referral.person
    response = _request(api, their_tm, other_om, person.crn.lower())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["crn"] == person.crn and "first_name" not in str(body)
    # The holding area sees it; the requesting area cannot decide it.
    transfer_id = body["id"]
    assert api(their_tm).post(reverse("api-transfer-approve", args=[transfer_id])).status_code == 404
    assert api(om).post(reverse("api-transfer-approve", args=[transfer_id])).status_code == 403
    approved = api(tm).post(reverse("api-transfer-approve", args=[transfer_id]))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    person.refresh_from_db()
    referral.refresh_from_db()
    closed.refresh_from_db()
    assert person.area_id == other_area.id and person.offender_manager_id == other_om.id
    assert (
        referral.area_id == other_area.id and referral.status_changes.count() >= 1
    )  # its history moved with it
    assert closed.area_id == area.id  # a closed referral stays with the area that had it
    events = AuditEvent.objects.filter(object_id=str(person.public_id), action__startswith="person.transfer")
    assert {(e.action, e.area_id) for e in events} == {
        ("person.transfer_requested", area.id),
        ("person.transfer_requested", other_area.id),
        ("person.transferred", area.id),
        ("person.transferred", other_area.id),
    }
    # The old area no longer finds the person; the new one does.
    assert api(tm).get(reverse("api-person-detail", args=[person.public_id])).status_code == 404
    assert api(their_tm).get(reverse("api-person-detail", args=[person.public_id])).status_code == 200
    # Decided once: a second decision is a 409 (from the new area it is not theirs to decide: 404).
    assert api(tm).post(reverse("api-transfer-approve", args=[transfer_id])).status_code == 409


def test_refused_with_a_reason_the_requester_sees(api, tm, om, area, their_tm, other_om):
    person = eligible_person(area, om)
    transfer_id = _request(api, their_tm, other_om, person.crn).json()["id"]
    assert (
        api(tm)
        .post(reverse("api-transfer-refuse", args=[transfer_id]), {"reason": ""}, format="json")
        .status_code
        == 400
    )
    refused = api(tm).post(
        reverse("api-transfer-refuse", args=[transfer_id]), {"reason": "Still on licence here"}, format="json"
    )
    assert refused.status_code == 200
    listed = api(their_tm).get(reverse("api-transfer-list")).json()["results"]
    assert listed[0]["status"] == "refused" and listed[0]["decision_reason"] == "Still on licence here"
    person.refresh_from_db()
    assert person.area_id == area.id


def test_request_refusals(api, tm, om, area, their_tm, other_om, other_area):
    person = eligible_person(area, om)
    assert _request(api, their_tm, other_om, "Z999999").status_code == 400  # nobody holds it
    assert _request(api, their_tm, om, person.crn).status_code == 400  # an OM of another area
    assert _request(api, tm, om, person.crn).status_code == 409  # already held here
    assert _request(api, their_tm, other_om, person.crn).status_code == 201
    again = _request(api, their_tm, other_om, person.crn)
    assert again.status_code == 409 and again.json()["code"] == "TRANSFER_PENDING"
    assert _request(api, other_om, other_om, person.crn).status_code == 403  # only a TM requests


def test_a_person_with_a_programme_place_is_not_moved(api, tm, om, area, their_tm, other_om):
    referral = referral_for(area, om, status="on_programme")
    transfer_id = _request(api, their_tm, other_om, referral.person.crn).json()["id"]
    response = api(tm).post(reverse("api-transfer-approve", args=[transfer_id]))
    assert response.status_code == 409 and response.json()["code"] == "TRANSFER_ON_PROGRAMME"


def test_the_pages(login, tm, om, area, their_tm, other_om, area_admin):
    person = eligible_person(area, om)
    theirs = login(their_tm)
    form = theirs.get(reverse("transfers:request"))
    assert form.status_code == 200 and other_om.full_name in page_text(form)
    bad = theirs.post(reverse("transfers:request"), {"crn": "", "offender_manager": "", "reason": ""})
    assert "govuk-error-summary" in page_text(bad) and "Enter the person" in page_text(bad)
    ok = theirs.post(
        reverse("transfers:request"),
        {"crn": person.crn, "offender_manager": str(other_om.public_id), "reason": "Moved for work"},
    )
    assert ok.status_code == 302
    transfer = TransferRequest.objects.get(person=person)
    admin = login(area_admin)
    assert person.crn in page_text(admin.get(reverse("transfers:list")))
    decide = reverse("transfers:decide", args=[transfer.public_id])
    assert "Approve the transfer" in page_text(admin.get(decide))
    assert theirs.get(decide).status_code == 403  # the requesting area reads it in its list, does not decide
    assert admin.post(decide, {"decision": "refuse", "reason": ""}).status_code == 200
    assert admin.post(decide, {"decision": "approve"}).status_code == 302
    person.refresh_from_db()
    assert person.area_id == their_tm.area_id


def test_the_list_query_count_does_not_grow(
    login, tm, om, area, their_tm, other_om, django_assert_max_num_queries
):
    for _ in range(2):
        services.request_transfer(
            actor=their_tm, crn=eligible_person(area, om).crn, offender_manager=other_om, reason="Work"
        )
    client = login(tm)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("transfers:list"))
    for _ in range(4):
        services.request_transfer(
            actor=their_tm, crn=eligible_person(area, om).crn, offender_manager=other_om, reason="Work"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("transfers:list"))


def test_the_api_list_query_count_does_not_grow_and_names_the_staff(
    api, tm, om, area, their_tm, other_om, django_assert_max_num_queries
):
    """The staff of a page (offender manager, requester, decider) are read once per column, not per row."""

    def requested_and_refused(n: int) -> None:
        for _ in range(n):
            transfer = services.request_transfer(
                actor=their_tm, crn=eligible_person(area, om).crn, offender_manager=other_om, reason="Work"
            )
            services.refuse_transfer(actor=tm, transfer=transfer, reason="Not yet")

    requested_and_refused(2)
    client = api(tm)
    with django_assert_max_num_queries(30) as few:
        first = client.get(reverse("api-transfer-list"))
    requested_and_refused(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("api-transfer-list"))
    assert first.status_code == response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 7
    assert {(r["offender_manager"], r["requested_by"], r["decided_by"]) for r in rows} == {
        (other_om.full_name, their_tm.full_name, tm.full_name)
    }
