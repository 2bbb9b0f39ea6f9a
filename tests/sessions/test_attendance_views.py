"""The register, catch-up and progress pages (issue 8): one page and one submit for the group, GOV.UK errors,
refusals shown in the error summary, and the OM's view of progress and enforcement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions import services
from sessions.models import Attendance, CatchUp
from tests.pages import error_summary, page_text
from tests.sessions.factories import make_group, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(time_machine, day):
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 20, tzinfo=LONDON), tick=False)


@pytest.fixture
def setup(area, tm, om, facilitator):
    group = make_group(area, actor=tm, facilitators=[facilitator, trained_facilitator(area)])
    members = [
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, om)) for _ in range(3)
    ]
    return group, members


def _post_for(members, outcomes, **extra):
    data = {}
    for m, outcome in zip(members, outcomes, strict=True):
        data[f"{m.public_id}-outcome"] = outcome
        data[f"{m.public_id}-homework"] = "yes"
    data.update(extra)
    return data


def test_the_register_is_one_page_and_one_submit(login, setup, facilitator, time_machine):
    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    client = login(facilitator)
    url = reverse("programme_sessions:session_register", args=[s1.public_id])
    page = page_text(client.get(url))
    assert "Register: session 1" in page and "Save register" in page
    for m in members:
        assert m.referral.person.crn in page
    data = _post_for(members, ["attended", "late", "sent_home"])
    data[f"{members[2].public_id}-sent_home"] = "no"
    data[f"{members[0].public_id}-concern"] = "yes"
    data[f"{members[0].public_id}-notes"] = "Spoke about a new relationship"
    data["content_delivered"] = "Module 1"
    response = client.post(url, data)
    assert response.status_code == 302
    assert Attendance.objects.filter(session=s1).count() == 3
    assert Attendance.objects.get(membership=members[0], session=s1).concern is True
    s1.refresh_from_db()
    assert s1.content_delivered == "Module 1" and s1.register_taken_by == facilitator


def test_missing_answers_are_shown_in_the_error_summary_and_nothing_is_saved(
    login, setup, facilitator, time_machine
):
    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    data = _post_for(members[:2], ["attended", "sent_home"])
    response = login(facilitator).post(
        reverse("programme_sessions:session_register", args=[s1.public_id]), data
    )
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Select what happened for" in summary and "acceptable reason" in summary
    assert f'href="#m-{members[2].public_id}-outcome"' in summary
    assert not Attendance.objects.filter(session=s1).exists()


def test_an_outstanding_catch_up_refuses_the_whole_register_with_its_reason(
    login, setup, facilitator, time_machine
):
    group, members = setup
    s1, s2 = group.sessions.get(number=1), group.sessions.get(number=2)
    _at(time_machine, s2.date)
    services.take_register(
        actor=facilitator,
        session=s1,
        entries=[
            services.RegisterEntry(membership=m, outcome=o)
            for m, o in zip(members, ["attended", "attended", "acceptable_absence"], strict=True)
        ],
    )
    client = login(facilitator)
    url = reverse("programme_sessions:session_register", args=[s2.public_id])
    page = page_text(client.get(url))
    assert "Catch-up outstanding: session 1" in page and "Book a catch-up" in page
    response = client.post(url, _post_for(members, ["attended"] * 3))
    assert "catch-up of session 1" in error_summary(response)
    assert not Attendance.objects.filter(session=s2).exists()


def test_the_register_does_not_open_before_the_session(login, setup, facilitator, time_machine):
    group, _ = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date - dt.timedelta(days=2))
    page = page_text(
        login(facilitator).get(reverse("programme_sessions:session_register", args=[s1.public_id]))
    )
    assert "The register opens on the day of the session" in page and "Save register" not in page


def test_booking_a_catch_up_and_the_progress_page(login, setup, facilitator, tm, om, time_machine):
    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    member = members[0]
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    client = login(facilitator)
    url = reverse("programme_sessions:catch_up_new", args=[member.public_id])
    page = page_text(client.get(url))
    assert "Book a catch-up" in page and "Session 1 on" in page
    later = s1.date + dt.timedelta(days=2)
    response = client.post(
        url,
        {
            "missed_session": str(s1.public_id),
            "date_0": str(later.day),
            "date_1": str(later.month),
            "date_2": str(later.year),
            "start": "10:00",
            "facilitator": str(facilitator.public_id),
            "venue": str(group.venue.pk),
            "outcome": "",
        },
    )
    assert response.status_code == 302, error_summary(response)
    assert CatchUp.objects.get(membership=member).outcome == ""
    progress = page_text(
        login(om).get(reverse("programme_sessions:member_progress", args=[member.public_id]))
    )
    assert "Sessions attended" in progress and "0 of 35" in progress
    assert "Warning due" in progress and "failure to comply" in progress
    assert "Booked catch-ups" in progress
    # An untimed clash check is skipped, a timed one over the group session is refused on the page.
    response = client.post(
        url,
        {
            "missed_session": str(s1.public_id),
            "date_0": str(group.sessions.get(number=2).date.day),
            "date_1": str(group.sessions.get(number=2).date.month),
            "date_2": str(group.sessions.get(number=2).date.year),
            "start": "18:30",
            "facilitator": str(facilitator.public_id),
            "venue": "",
            "outcome": "",
        },
    )
    assert "is already delivering session 2" in error_summary(response)


def test_an_om_sees_only_their_caseloads_progress(login, setup, facilitator, area, time_machine):
    from tests.factories import UserFactory

    _, members = setup
    other_om = UserFactory(area=area, role="offender_manager")
    url = reverse("programme_sessions:member_progress", args=[members[0].public_id])
    assert login(other_om).get(url).status_code == 404


def test_a_tm_records_an_exception_on_its_page(login, setup, facilitator, tm, time_machine):
    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    services.record_attendance(
        actor=facilitator, membership=members[0], session=s1, outcome="acceptable_absence"
    )
    url = reverse("programme_sessions:catch_up_exception", args=[members[0].public_id])
    response = login(tm).post(url, {"missed_session": str(s1.public_id), "reason": ""})
    assert "Enter why he may continue" in error_summary(response)
    response = login(tm).post(
        url, {"missed_session": str(s1.public_id), "reason": "Catch-up booked; court date"}
    )
    assert response.status_code == 302
    progress = page_text(
        login(tm).get(reverse("programme_sessions:member_progress", args=[members[0].public_id]))
    )
    assert "Exception recorded" in progress and "Catch-up booked; court date" in progress


def test_the_person_page_and_caseload_show_enforcement_and_the_om_records_a_warning(
    login, setup, facilitator, om, time_machine
):
    group, members = setup
    s1, s2, s3 = (group.sessions.get(number=n) for n in (1, 2, 3))
    member = members[0]
    person = member.referral.person
    _at(time_machine, s1.date)
    services.record_attendance(
        actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
    )
    client = login(om)
    caseload = page_text(client.get(reverse("referrals:person_list")))
    assert "Enforcement due" in caseload and "warning due" in caseload
    page = page_text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert "Attendance and enforcement" in page and "Warning due" in page and "Record warning" in page
    url = reverse("programme_sessions:referral_warning", args=[member.referral.public_id])
    response = client.post(url, {"issued_on_0": "", "issued_on_1": "", "issued_on_2": ""})
    assert error_summary(response)
    response = client.post(
        url,
        {
            "issued_on_0": str(s1.date.day),
            "issued_on_1": str(s1.date.month),
            "issued_on_2": str(s1.date.year),
        },
    )
    assert response.status_code == 302
    services.book_catch_up(
        actor=facilitator,
        membership=member,
        missed_session=s1,
        date=s1.date,
        facilitator=facilitator,
        outcome="attended",
    )
    _at(time_machine, s3.date)
    services.record_attendance(actor=facilitator, membership=member, session=s2, outcome="attended")
    services.record_attendance(
        actor=facilitator, membership=member, session=s3, outcome="unacceptable_absence"
    )
    client = login(om)  # two weeks on: the idle session has expired
    caseload = page_text(client.get(reverse("referrals:person_list")))
    assert "breach action due by Monday 1 February 2027" in caseload
    page = page_text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert "Breach action due by Monday 1 February 2027" in page and "Record breach action" in page


def test_the_catch_up_form_proposes_the_facilitator_themselves_not_a_tm(
    login, setup, facilitator, tm, time_machine
):
    """Who the form proposes comes from a selector over `can_deliver_catch_up` (accounts.permissions), not from a
    role check in the view (h8)."""
    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    services.record_attendance(
        actor=facilitator, membership=members[0], session=s1, outcome="acceptable_absence"
    )
    url = reverse("programme_sessions:catch_up_new", args=[members[0].public_id])
    as_facilitator = login(facilitator).get(url).context["form"]
    assert as_facilitator.initial["facilitator"] == str(facilitator.public_id)
    as_tm = login(tm).get(url).context["form"]
    assert as_tm.initial["facilitator"] == ""


def test_the_delivery_pages_and_api_check_no_role_themselves():
    """Services are the one gate: views, API views and serializers of the delivery app ask accounts.permissions,
    never a user's role (h8: the catch-up form's role check moved to `can_deliver_catch_up`)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "sessions"
    files = [*root.glob("views/*.py"), *root.glob("*api.py"), *root.glob("*serializers.py")]
    role_check = re.compile(r"\.role\s*(==|!=|in\b|not in\b)|Role\.[A-Z_]+\s*(==|!=)|[=!]=\s*Role\.")
    offenders = [
        f"{path.name}:{number}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if role_check.search(line)
    ]
    assert files and offenders == []


def test_the_caseload_panel_reads_only_open_referrals_with_a_failure_as_the_home_page_does(
    login, setup, facilitator, tm, time_machine, monkeypatch
):
    """Issue 11: the people list's "Enforcement due" panel read every referral of the area that ever had a
    membership (ten years of them at national scale, 50 ms) and worked each through the rules. It now reads what
    the home page's "Enforcement due" reads: open referrals with a failure to comply. A closed referral's old
    absence is no longer listed, as on the home page."""
    from referrals.models import Referral
    from sessions import progress

    group, members = setup
    s1 = group.sessions.get(number=1)
    _at(time_machine, s1.date)
    for member in members[:2]:
        services.record_attendance(
            actor=facilitator, membership=member, session=s1, outcome="unacceptable_absence"
        )
    closed = members[1].referral
    Referral.objects.filter(pk=closed.pk).update(status="withdrawn")
    worked: list[int] = []
    real = progress.enforcement_for

    def spy(referrals):
        worked.extend(r.pk for r in referrals)
        return real(referrals)

    monkeypatch.setattr(progress, "enforcement_for", spy)
    text = page_text(login(tm).get(reverse("referrals:person_list")))
    assert worked == [members[0].referral.pk]  # not the withdrawn one, not the members who missed nothing
    assert (
        "Enforcement due" in text and members[0].referral.person.crn in text.split("Enforcement due")[1][:400]
    )
    assert closed.person.crn not in text.split("Enforcement due")[1].split("</ul>")[0][:400]
