"""Regression tests for the independent review of issue 8 (attendance, catch-ups, enforcement, notifications):
one test (or a few) per finding, named after it. The group meets on Mondays from 4 January 2027."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from isotp.errors import DomainConflict
from sessions import services
from sessions.models import Attendance, Membership, MembershipStatus
from tests.pages import error_summary, page_text
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(time_machine, day: dt.date, hour: int = 21) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False)


@pytest.fixture
def group(area, tm, facilitator):
    return make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])


def _member(group, tm, om):
    return services.allocate(actor=tm, group=group, referral=waiting_referral(group.area, om))


def _s(group, number):
    return group.sessions.get(number=number)


def _catch_up(actor, membership, session, *, outcome="attended", **kw):
    values = {"date": session.date, "facilitator": actor, "outcome": outcome}
    values.update(kw)
    return services.book_catch_up(actor=actor, membership=membership, missed_session=session, **values)


def _restart(facilitator, member, group):
    """Sessions 1-4 missed and caught up, session 5 missed: the fifth missed session restarts (003)."""
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator, membership=member, session=_s(group, n), outcome="acceptable_absence"
        )
        _catch_up(facilitator, member, _s(group, n))
    services.record_attendance(
        actor=facilitator, membership=member, session=_s(group, 5), outcome="unacceptable_absence"
    )
    member.refresh_from_db()
    assert member.status == MembershipStatus.RESTART_REQUIRED


# --- 1. BLOCKER: a register with an ended member can still be saved --------------------------------------------


def test_1_a_register_with_an_ended_member_is_saved_and_his_row_is_read_only(
    login, group, tm, om, facilitator, time_machine
):
    ended, other = _member(group, tm, om), _member(group, tm, om)
    s5, s6 = _s(group, 5), _s(group, 6)
    _at(time_machine, s5.date)
    for n in (1, 2, 3, 4):
        services.record_attendance(
            actor=facilitator, membership=other, session=_s(group, n), outcome="attended"
        )
    _restart(facilitator, ended, group)
    Membership.objects.filter(pk=ended.pk).update(left_on=s6.date)  # still on session 6's register
    _at(time_machine, s6.date)
    client = login(facilitator)
    url = reverse("programme_sessions:session_register", args=[s6.public_id])
    page = page_text(client.get(url))
    assert "can no longer be changed" in page and "must start the programme again" in page
    assert "Book a catch-up" not in page  # booking would answer MEMBERSHIP_ENDED
    assert f'name="{ended.public_id}-outcome"' not in client.get(url).content.decode()
    # One page, one submit: the unrecorded member is saved; the ended member's row is not posted.
    response = client.post(
        url, {f"{other.public_id}-outcome": "attended", f"{other.public_id}-homework": "yes"}
    )
    assert response.status_code == 302, error_summary(response)
    assert Attendance.objects.get(membership=other, session=s6).outcome == "attended"
    # Re-saving session 5's register unchanged passes (the page leaves the ended member's row out).
    url5 = reverse("programme_sessions:session_register", args=[s5.public_id])
    response = client.post(url5, {f"{other.public_id}-outcome": "attended"})
    assert response.status_code == 302, error_summary(response)


def test_1_an_unchanged_row_of_an_ended_member_passes_a_put_a_changed_one_is_refused(
    api, group, tm, om, facilitator, time_machine
):
    ended = _member(group, tm, om)
    s5 = _s(group, 5)
    _at(time_machine, s5.date)
    _restart(facilitator, ended, group)
    url = reverse("api-session-register", args=[s5.public_id])
    row = {"membership": str(ended.public_id), "outcome": "unacceptable_absence"}
    response = api(facilitator).put(url, {"records": [row]}, format="json")
    assert response.status_code == 200, response.json()
    member = response.json()["members"][0]
    assert member["membership_status"] == "restart_required" and member["may_attend"] is False
    assert member["blocked_by"] == "" and member["catch_up_outstanding"] == []
    response = api(facilitator).put(url, {"records": [{**row, "outcome": "attended"}]}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "MEMBERSHIP_ENDED"
    response = api(facilitator).post(
        reverse("api-session-attendance", args=[_s(group, 6).public_id]),
        {"membership": str(ended.public_id), "outcome": "attended"},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] in (
        "MEMBERSHIP_ENDED",
        "REGISTER_NOT_OPEN",
    )


def test_1_an_unchanged_attended_row_is_not_refused_after_an_earlier_session_is_corrected(
    api, group, tm, om, facilitator, time_machine
):
    member, other = _member(group, tm, om), _member(group, tm, om)
    s2, s3 = _s(group, 2), _s(group, 3)
    _at(time_machine, s3.date)
    for n in (1, 2, 3):
        services.record_attendance(
            actor=facilitator, membership=member, session=_s(group, n), outcome="attended"
        )
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="acceptable_absence")
    url = reverse("api-session-register", args=[s3.public_id])
    row = {"membership": str(member.public_id), "outcome": "attended"}
    assert api(facilitator).put(url, {"records": [row]}, format="json").status_code == 200
    # A member newly marked present is still refused while the catch-up is outstanding.
    services.record_attendance(actor=facilitator, membership=other, session=s2, outcome="acceptable_absence")
    with pytest.raises(DomainConflict) as caught:
        services.record_attendance(actor=facilitator, membership=other, session=s3, outcome="attended")
    assert caught.value.code == "CATCH_UP_OUTSTANDING"
