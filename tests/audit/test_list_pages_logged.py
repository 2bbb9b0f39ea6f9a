"""Every page that lists people (names, CRNs) leaves an access-log entry for the user who saw it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessLog
from tests.sessions.attendance_helpers import session_number
from tests.sessions.factories import make_group, trained_facilitator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, list_name",
    [
        (lambda group: reverse("reports:report_list") + "?status=issued", "reports"),
        (lambda group: reverse("transfers:list"), "transfers"),
        (lambda group: reverse("notifications:list"), "notifications"),
        (lambda group: reverse("programme_sessions:plan_list"), "one_to_one_plans"),
        (
            lambda group: reverse("programme_sessions:group_detail", kwargs={"public_id": group.public_id}),
            "group",
        ),
        (lambda group: reverse("referrals:person_list"), "people"),
        (lambda group: reverse("referrals:referral_list"), "referrals"),
    ],
    ids=["reports", "transfers", "notifications", "plans", "group", "people", "referrals"],
)
def test_a_page_listing_people_is_in_the_access_log(login, area, tm, url, list_name):
    group = make_group(area, actor=tm, facilitators=[trained_facilitator(area), trained_facilitator(area)])
    response = login(tm).get(url(group))
    assert response.status_code == 200
    entry = AccessLog.objects.get(actor=tm, object_type="search")
    assert entry.object_id == list_name and entry.via == "page" and entry.area_id == tm.area_id
    if list_name == "group":
        assert entry.object_label == f"group={group.public_id}"
    if list_name == "reports":
        assert entry.object_label == "status=issued"


@pytest.mark.parametrize(
    "url, list_name",
    [
        (lambda group: reverse("api-report-list"), "reports"),
        (lambda group: reverse("api-transfer-list"), "transfers"),
        (lambda group: reverse("api-notification-list"), "notifications"),
        (lambda group: reverse("api-plan-list"), "one_to_one_plans"),
        (lambda group: reverse("api-group-membership-list", args=[group.public_id]), "group"),
        (lambda group: reverse("api-psychometric-administration-list"), "psychometric_administrations"),
        (
            lambda group: reverse("api-session-register", args=[session_number(group, 1).public_id]),
            "register",
        ),
        (lambda group: reverse("api-person-list"), "people"),
        (lambda group: reverse("api-referral-list"), "referrals"),
    ],
    ids=[
        "reports",
        "transfers",
        "notifications",
        "plans",
        "members",
        "psychometrics",
        "register",
        "people",
        "referrals",
    ],
)
def test_an_api_list_of_people_is_in_the_access_log(api, area, tm, url, list_name):
    # The API lists the same people as the pages: each listing is logged too (via "api").
    group = make_group(area, actor=tm, facilitators=[trained_facilitator(area), trained_facilitator(area)])
    response = api(tm).get(url(group))
    assert response.status_code == 200, response.content
    entry = AccessLog.objects.get(actor=tm, object_type="search")
    assert entry.object_id == list_name and entry.via == "api" and entry.area_id == tm.area_id
    if list_name == "group":
        assert entry.object_label == f"group={group.public_id}"


def test_the_register_page_is_in_the_access_log(login, area, tm):
    group = make_group(area, actor=tm, facilitators=[trained_facilitator(area), trained_facilitator(area)])
    session = session_number(group, 1)
    response = login(tm).get(reverse("programme_sessions:session_register", args=[session.public_id]))
    assert response.status_code == 200
    entry = AccessLog.objects.get(actor=tm, object_type="search")
    assert (entry.object_id, entry.object_label, entry.via) == (
        "register",
        f"session={session.public_id}",
        "page",
    )
