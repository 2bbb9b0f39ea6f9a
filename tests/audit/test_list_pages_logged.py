"""Every page that lists people (names, CRNs) leaves an access-log entry for the user who saw it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessLog
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
