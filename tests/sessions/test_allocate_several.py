"""Issue 13: the waiting list allocates straight to a group, several people at once, through the allocation
service: all or nothing, every refusal named per person, the places left shown and checked first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from isotp.errors import DomainConflict
from referrals.models import Referral
from sessions import services
from sessions.models import Membership
from tests.pages import error_summary, page_text
from tests.sessions.factories import make_group, waiting_referral

pytestmark = pytest.mark.django_db


def test_all_are_allocated_together_and_each_is_audited(area, tm, om):
    group = make_group(area, actor=tm, capacity=8)
    referrals = [waiting_referral(area, om) for _ in range(3)]
    made = services.allocate_several(actor=tm, group=group, referrals=referrals)
    assert len(made) == 3 and Membership.objects.filter(group=group, status="active").count() == 3
    assert set(
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).values_list("status", flat=True)
    ) == {"allocated"}
    assert AuditEvent.objects.filter(action="membership.allocated", actor=tm).count() == 3


def test_one_refusal_allocates_nobody_and_names_each_person_refused(area, tm, om):
    group = make_group(area, actor=tm, age_min=21)
    fine = waiting_referral(area, om)
    young = waiting_referral(area, om, age=19)
    wrong = waiting_referral(area, om, programme="nsogp")
    with pytest.raises(DomainConflict) as caught:
        services.allocate_several(actor=tm, group=group, referrals=[fine, young, wrong])
    exc = caught.value
    assert exc.code == "ALLOCATION_REFUSED" and "Nobody was allocated" in exc.detail
    refused = {r["referral"]: r for r in exc.extra["refusals"]}
    assert set(refused) == {str(young.public_id), str(wrong.public_id)}
    assert refused[str(young.public_id)]["code"] == "UNDER_AGE"
    assert refused[str(wrong.public_id)]["code"] == "WRONG_PROGRAMME"
    assert young.person.crn in refused[str(young.public_id)]["detail"]
    assert not Membership.objects.filter(group=group).exists()  # all or nothing
    fine.refresh_from_db()
    assert fine.status == "awaiting_allocation"
    assert not AuditEvent.objects.filter(action="membership.allocated").exists()


def test_more_people_than_places_is_refused_with_the_places_left(area, tm, om):
    group = make_group(area, actor=tm, capacity=8)
    services.allocate_several(actor=tm, group=group, referrals=[waiting_referral(area, om) for _ in range(7)])
    with pytest.raises(DomainConflict) as caught:
        services.allocate_several(
            actor=tm, group=group, referrals=[waiting_referral(area, om), waiting_referral(area, om)]
        )
    assert caught.value.code == "GROUP_FULL" and caught.value.extra["places_left"] == 1
    assert "1 place left" in caught.value.detail
    assert Membership.objects.filter(group=group).count() == 7


def test_only_treatment_managers_allocate(area, tm, om, area_admin):
    group = make_group(area, actor=tm)
    with pytest.raises(PermissionDenied):
        services.allocate_several(actor=area_admin, group=group, referrals=[waiting_referral(area, om)])


def test_the_waiting_list_page_allocates_the_people_ticked(login, area, tm, om):
    group = make_group(area, actor=tm, capacity=8, name="Thursday group", start_date=dt.date(2027, 1, 4))
    a, b, c = (waiting_referral(area, om) for _ in range(3))
    client = login(tm)
    url = reverse("referrals:waiting_list")
    page = page_text(client.get(url))
    assert "Allocate to a group" in page and "8 places left of 8" in page
    response = client.post(
        url, {"group": str(group.public_id), "referral": [str(a.public_id), str(b.public_id)]}
    )
    assert response.status_code == 302
    after = page_text(client.get(response["Location"]))
    assert "2 allocated to Thursday group" in after and "6 places left of 8" in after
    assert a.person.crn not in after.split("waiting for")[-1] and c.person.crn in after
    for referral in (a, b):
        referral.refresh_from_db()
        assert referral.status == "allocated"


def test_the_waiting_list_page_shows_each_refusal_linked_to_the_person(login, area, tm, om):
    group = make_group(area, actor=tm, age_min=21)
    fine = waiting_referral(area, om)
    young = waiting_referral(area, om, age=19)
    client = login(tm)
    response = client.post(
        reverse("referrals:waiting_list"),
        {"group": str(group.public_id), "referral": [str(fine.public_id), str(young.public_id)]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = error_summary(response)
    assert "Nobody was allocated" in summary and young.person.crn in summary
    assert f'href="#ref-{young.public_id}"' in html  # the refusal links to his checkbox
    assert f'value="{fine.public_id}" checked' in html  # what was ticked stays ticked
    assert not Membership.objects.filter(group=group).exists()


def test_the_waiting_list_page_asks_for_a_group_and_people(login, area, tm, om):
    make_group(area, actor=tm)
    waiting_referral(area, om)
    response = login(tm).post(reverse("referrals:waiting_list"), {})
    summary = error_summary(response)
    assert "Select the group to allocate the people to" in summary
    assert "Select the people to allocate" in summary


def test_an_administrator_sees_the_list_without_allocating(login, area, tm, om, area_admin):
    make_group(area, actor=tm)
    referral = waiting_referral(area, om)
    client = login(area_admin)
    page = page_text(client.get(reverse("referrals:waiting_list")))
    assert referral.person.crn in page and "Allocate to a group" not in page
    group = make_group(area, actor=tm, name="Another group")
    response = client.post(
        reverse("referrals:waiting_list"),
        {"group": str(group.public_id), "referral": [str(referral.public_id)]},
    )
    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "awaiting_allocation"
