"""Issue 13: administrators manage what their home page says they manage. Invite staff (a one-time link to set a
password, then the second factor), change a role, deactivate and reactivate, add/edit/retire venues, remove a
training record; closure dates refuse past dates, name the sessions they would hit, and removal asks first.
Every change audited."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, AreaClosure, FacilitatorTraining, User, Venue
from accounts.services import administration
from audit.models import AuditEvent
from isotp.errors import DomainConflict
from tests.conftest import token_client, verified_client
from tests.factories import ClosureFactory, VenueFactory
from tests.pages import error_summary, page_text

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
STRONG = "a-long-Passphrase-2026!"


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _actions(obj_id: str) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=obj_id).order_by("id").values_list("action", flat=True))


# --- Inviting staff ------------------------------------------------------------------------------------------


def _invite(admin, django_capture_on_commit_callbacks, **overrides):
    data = {"full_name": "Jo Newby", "email": "Jo.Newby@Example.org", "role": "facilitator", **overrides}
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(admin).post(reverse("accounts:staff_invite"), data)
    return response


def _link_in_mail() -> str:
    [message] = mail.outbox
    return re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)  # type: ignore[union-attr]


def test_an_invitation_emails_a_link_that_sets_a_password_once_then_enrols_the_second_factor(
    area, area_admin, client, django_capture_on_commit_callbacks
):
    response = _invite(area_admin, django_capture_on_commit_callbacks)
    member = User.objects.get(email="jo.newby@example.org")
    assert response.status_code == 302 and member.area == area and member.role == "facilitator"
    assert not member.has_usable_password()
    assert mail.outbox[0].to == ["jo.newby@example.org"]
    path = _link_in_mail().split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    page = client.get(path)
    assert page.status_code == 200 and "Set up your account" in page_text(page)
    mismatch = client.post(path, {"new_password1": STRONG, "new_password2": STRONG + "x"})
    assert 'href="#id_new_password2"' in error_summary(mismatch)

    done = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:two_factor_setup")
    member.refresh_from_db()
    assert member.check_password(STRONG)
    # The link works once (a new browser, as the member signed in above is sent on to enrol).
    again = Client().get(path)
    assert again.status_code == 404 and "already been used" in page_text(again)
    assert _actions(str(member.public_id)) == ["staff.invited", "invitation.accepted"]


def test_an_invitation_link_expires(
    area_admin, client, time_machine, settings, django_capture_on_commit_callbacks
):
    _invite(area_admin, django_capture_on_commit_callbacks)
    path = "/" + _link_in_mail().split("://", 1)[1].split("/", 1)[1]
    time_machine.move_to(
        dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
        + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60),
        tick=False,
    )
    assert client.get(path).status_code == 404


def test_an_email_already_in_use_is_refused_on_its_field(area_admin, tm, django_capture_on_commit_callbacks):
    response = _invite(area_admin, django_capture_on_commit_callbacks, email=tm.email)
    assert response.status_code == 200
    assert 'href="#id_email"' in error_summary(response) and "already has an account" in error_summary(
        response
    )
    assert not mail.outbox


# --- Roles, deactivation ----------------------------------------------------------------------------------------


def test_an_administrator_changes_a_role_but_not_their_own(area_admin, facilitator):
    client = verified_client(area_admin)
    response = client.post(
        reverse("accounts:staff_role", args=[facilitator.public_id]), {"role": "treatment_manager"}
    )
    assert response.status_code == 302
    facilitator.refresh_from_db()
    assert facilitator.role == "treatment_manager"
    assert "staff.role_changed" in _actions(str(facilitator.public_id))
    with pytest.raises(DomainConflict):
        administration.change_role(actor=area_admin, member=area_admin, role="facilitator")


def test_a_deactivated_member_is_signed_out_cannot_sign_in_and_loses_tokens(area_admin, tm, client):
    tm.set_password(STRONG)
    tm.save()
    their_browser = verified_client(tm)
    their_api = token_client(tm)
    assert their_browser.get("/").status_code == 200

    confirm = verified_client(area_admin).get(reverse("accounts:staff_deactivate", args=[tm.public_id]))
    assert "Deactivate" in page_text(confirm) and "every session they have open ends" in page_text(confirm)
    verified_client(area_admin).post(reverse("accounts:staff_deactivate", args=[tm.public_id]))
    tm.refresh_from_db()
    assert not tm.is_active
    assert their_browser.get("/").status_code == 302  # sent to sign in
    assert their_api.get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=tm, revoked_at__isnull=True).exists()
    refused = client.post(reverse("accounts:login"), {"username": tm.email, "password": STRONG})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session

    listed = verified_client(area_admin).get(reverse("accounts:staff_deactivated"))
    assert tm.full_name in page_text(listed)
    verified_client(area_admin).post(reverse("accounts:staff_reactivate", args=[tm.public_id]))
    tm.refresh_from_db()
    assert tm.is_active
    assert _actions(str(tm.public_id))[-2:] == ["staff.deactivated", "staff.reactivated"]


def test_an_administrator_cannot_deactivate_themselves(area_admin):
    with pytest.raises(DomainConflict):
        administration.set_active(actor=area_admin, member=area_admin, active=False)


def test_another_areas_staff_are_not_found(area_admin, other_tm):
    client = verified_client(area_admin)
    for name in ("accounts:staff_role", "accounts:staff_deactivate"):
        assert client.get(reverse(name, args=[other_tm.public_id])).status_code == 404
    assert client.post(reverse("accounts:staff_reactivate", args=[other_tm.public_id])).status_code == 404


# --- Training records -------------------------------------------------------------------------------------------


def test_a_training_record_is_removed_after_confirmation(area_admin, facilitator):
    record = facilitator.training_records.first()
    url = reverse("accounts:training_remove", args=[facilitator.public_id, record.pk])
    client = verified_client(area_admin)
    assert "Remove this training record" in page_text(client.get(url))
    assert FacilitatorTraining.objects.filter(pk=record.pk).exists()
    client.post(url)
    assert not FacilitatorTraining.objects.filter(pk=record.pk).exists()
    assert "training.removed" in _actions(str(facilitator.public_id))


# --- Venues ----------------------------------------------------------------------------------------------------


def test_venues_are_added_changed_retired_and_brought_back(area, area_admin):
    client = verified_client(area_admin)
    form = client.get(reverse("accounts:venue_add"))
    assert 'type="number"' not in form.content.decode() and 'inputmode="numeric"' in form.content.decode()
    bad = client.post(
        reverse("accounts:venue_add"), {"name": "Annexe", "capacity": "lots", "step_free_access": "yes"}
    )
    assert 'href="#id_capacity"' in error_summary(bad)
    client.post(
        reverse("accounts:venue_add"),
        {
            "name": "Annexe",
            "address": "1 High St",
            "postcode": "ch1 1aa",
            "capacity": "9",
            "step_free_access": "no",
        },
    )
    venue = Venue.objects.get(area=area, name="Annexe")
    assert venue.postcode == "CH1 1AA" and venue.capacity == 9 and not venue.step_free_access
    client.post(
        reverse("accounts:venue_edit", args=[venue.pk]),
        {"name": "Annexe room 2", "capacity": "11", "step_free_access": "yes"},
    )
    venue.refresh_from_db()
    assert venue.name == "Annexe room 2" and venue.capacity == 11
    client.post(reverse("accounts:venue_retire", args=[venue.pk]))
    venue.refresh_from_db()
    assert not venue.active
    client.post(reverse("accounts:venue_reinstate", args=[venue.pk]))
    venue.refresh_from_db()
    assert venue.active
    assert _actions(str(venue.pk)) == ["venue.added", "venue.changed", "venue.retired", "venue.reinstated"]


def test_a_venue_with_sessions_to_come_is_not_retired(area, tm, area_admin):
    from tests.sessions.factories import make_group

    venue = VenueFactory(area=area, name="Group Room 1")
    group = make_group(area, actor=tm, venue=venue)
    response = verified_client(area_admin).post(reverse("accounts:venue_retire", args=[venue.pk]))
    assert response.status_code == 200
    assert f"session 1 of {group.reference}" in page_text(response)
    venue.refresh_from_db()
    assert venue.active


def test_another_areas_venue_is_not_found(area_admin, other_area):
    venue = VenueFactory(area=other_area)
    client = verified_client(area_admin)
    assert client.get(reverse("accounts:venue_edit", args=[venue.pk])).status_code == 404
    assert client.post(reverse("accounts:venue_retire", args=[venue.pk])).status_code == 404


# --- Closure dates ------------------------------------------------------------------------------------------------


def _closure_post(client, date: dt.date, **extra):
    return client.post(
        reverse("accounts:closure_list"),
        {"date_0": date.day, "date_1": date.month, "date_2": date.year, "reason": "Training day", **extra},
    )


def test_a_past_closure_date_is_refused_on_the_date_field(area, area_admin):
    response = _closure_post(verified_client(area_admin), dt.date(2026, 11, 23))
    assert response.status_code == 200
    assert "has passed" in error_summary(response) and 'href="#id_date_0"' in error_summary(response)
    assert not AreaClosure.objects.filter(area=area).exists()
    with pytest.raises(DomainConflict) as refused:
        from accounts import services

        services.add_closure(actor=area_admin, date=dt.date(2026, 11, 1), reason="Late")
    assert refused.value.code == "CLOSURE_IN_PAST"


def test_a_closure_over_scheduled_sessions_names_them_before_it_is_added(area, tm, area_admin):
    from tests.sessions.factories import make_group

    group = make_group(area, actor=tm)
    third = group.sessions.get(number=3)
    client = verified_client(area_admin)
    warning = _closure_post(client, third.date)
    assert warning.status_code == 200
    assert f"Session 3 of {group.reference}" in page_text(warning)
    assert not AreaClosure.objects.filter(area=area).exists()
    added = _closure_post(client, third.date, confirmed="1")
    assert added.status_code == 302
    assert AreaClosure.objects.filter(area=area, date=third.date).exists()


def test_removing_a_closure_asks_first(area, area_admin):
    closure = ClosureFactory(area=area, date=dt.date(2027, 1, 15))
    client = verified_client(area_admin)
    url = reverse("accounts:closure_remove", args=[closure.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Remove the closure on 15 January 2027?" in page_text(confirm)
    assert AreaClosure.objects.filter(pk=closure.pk).exists()
    client.post(url)
    assert not AreaClosure.objects.filter(pk=closure.pk).exists()
    assert _actions(str(closure.pk)) == ["closure.removed"]


# --- ending a supervision (issue 7) -------------------------------------------------------------------------------


def test_a_manager_ends_a_supervision_through_the_page_and_the_api_audited(login, api, tm, facilitator):
    from django.urls import reverse

    from accounts.models import Supervision
    from audit.models import AuditEvent

    response = login(tm).post(
        reverse("accounts:staff_supervision_end", args=[facilitator.public_id]),
        {"ended_on_0": "30", "ended_on_1": "11", "ended_on_2": "2026"},
    )
    assert response.status_code == 302
    supervision = Supervision.objects.get(facilitator=facilitator)
    assert str(supervision.ended_on) == "2026-11-30"
    assert AuditEvent.objects.filter(
        action="supervision.ended", object_id=str(facilitator.public_id)
    ).exists()
    again = api(tm).post(
        reverse("api-staff-supervision-end", args=[facilitator.public_id]), {"ended_on": "2026-12-01"}
    )
    assert again.status_code == 409 and again.json()["code"] == "NO_CURRENT_SUPERVISION"


def test_ending_a_supervision_before_it_began_is_refused_on_the_field(login, api, tm, facilitator):
    from django.urls import reverse

    from tests.pages import error_summary

    url = reverse("api-staff-supervision-end", args=[facilitator.public_id])
    response = api(tm).post(url, {"ended_on": "2020-01-01"})
    assert response.status_code == 400 and "ended_on" in response.json()
    page = login(tm).post(
        reverse("accounts:staff_supervision_end", args=[facilitator.public_id]),
        {"ended_on_0": "1", "ended_on_1": "1", "ended_on_2": "2020"},
    )
    assert page.status_code == 400 and "The end date must be on or after the start" in error_summary(page)
