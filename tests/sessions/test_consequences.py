"""Issue 13: consequences nobody was told about. A cancellation or reschedule that pushes the last session past a
member's supervision end names them before the change; a closure date added over scheduled sessions shows on the
group's page with a link to move each one."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.services import add_closure
from sessions import services
from sessions.selectors.consequences import closure_hits, supervision_overruns
from tests.pages import page_text
from tests.referrals.factories import SentenceFactory
from tests.sessions.factories import make_group, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = dt.date


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, 0, tzinfo=LONDON), tick=False)


def _member_ending_on(group, tm, end: dt.date):
    referral = waiting_referral(group.area)
    SentenceFactory(person=referral.person, start_date=D(2025, 1, 1), supervision_end_date=end)
    services.allocate(actor=tm, group=group, referral=referral)
    return referral.person


def _last(group) -> dt.date:
    return group.sessions.exclude(status="cancelled_by_provider").order_by("-date").first().date


def test_the_cancel_page_names_a_member_whose_supervision_would_end_first(area, tm, login):
    group = make_group(area, actor=tm)
    last = _last(group)
    tight = _member_ending_on(group, tm, last)  # ends on the last session: fine today
    _member_ending_on(group, tm, last + dt.timedelta(days=60))  # room to spare
    assert supervision_overruns(group) == []
    page = login(tm).get(reverse("programme_sessions:session_cancel", args=[group.public_id, 5]))
    text = page_text(page)
    assert "1 member's supervision ends before the last session" in text
    assert f"{tight.full_name} ({tight.crn})" in text
    assert text.count("): supervision ends") == 1


def test_a_reschedule_that_overruns_a_supervision_asks_first(area, tm, login):
    group = make_group(area, actor=tm)
    last = _last(group)
    person = _member_ending_on(group, tm, last)
    third = group.sessions.get(number=3)
    url = reverse("programme_sessions:session_reschedule", args=[group.public_id, 3])
    later = third.date + dt.timedelta(days=14)
    data = {"new_date_0": later.day, "new_date_1": later.month, "new_date_2": later.year, "cascade": "yes"}
    client = login(tm)
    warning = client.post(url, data)
    assert warning.status_code == 200
    assert person.full_name in page_text(warning) and "Reschedule anyway" in page_text(warning)
    third.refresh_from_db()
    assert third.date != later  # nothing moved yet
    done = client.post(url, {**data, "confirmed": "1"})
    assert done.status_code == 302
    third.refresh_from_db()
    assert third.date == later
    # The group page keeps showing the problem.
    group_page = page_text(client.get(reverse("programme_sessions:group_detail", args=[group.public_id])))
    assert f"{person.full_name} ({person.crn}): supervision ends" in group_page


def test_a_closure_added_over_a_session_shows_on_the_group_page_with_a_link_to_move_it(
    area, tm, area_admin, login
):
    group = make_group(area, actor=tm)
    fourth = group.sessions.get(number=4)
    add_closure(actor=area_admin, date=fourth.date, reason="Office move")
    assert [h.number for h in closure_hits(group, D(2026, 11, 24))] == [4]
    html = login(tm).get(reverse("programme_sessions:group_detail", args=[group.public_id])).content.decode()
    assert "1 session is on a closure date" in page_text_of(html)
    assert reverse("programme_sessions:session_reschedule", args=[group.public_id, 4]) in html
    # Once moved, the problem is gone.
    services.reschedule_session(
        actor=tm, session=fourth, new_date=fourth.date + dt.timedelta(days=1), cascade=False
    )
    assert closure_hits(group, D(2026, 11, 24)) == []


def page_text_of(html: str) -> str:
    import html as html_lib
    import re

    return re.sub(r"\s+", " ", html_lib.unescape(html))


def test_the_allocate_page_flags_someone_who_must_start_before_the_group_does(area, tm, login):
    group = make_group(area, actor=tm, start_date=D(2027, 1, 4))
    late = waiting_referral(area)
    SentenceFactory(person=late.person, start_date=D(2025, 1, 1), supervision_end_date=D(2027, 6, 1))
    fine = waiting_referral(area)
    SentenceFactory(person=fine.person, start_date=D(2025, 1, 1), supervision_end_date=D(2030, 1, 1))
    html = (
        login(tm).get(reverse("programme_sessions:group_allocate", args=[group.public_id])).content.decode()
    )
    rows = {
        name: chunk
        for chunk in html.split('<tr class="govuk-table__row">')[1:]
        for name in (late.person.full_name, fine.person.full_name)
        if page_text_of(chunk).count(name)
    }
    assert "Starts too late" in rows[late.person.full_name]
    assert "would join this group on Monday 4 January 2027" in page_text_of(rows[late.person.full_name])
    assert "Starts too late" not in rows[fine.person.full_name]


def test_every_clash_is_reported_at_once(area, tm):
    """Issue 13: four submits to create one group. The venue and each busy facilitator are named in one refusal."""
    from accounts.models import Venue
    from isotp.errors import DomainConflict
    from tests.sessions.factories import trained_facilitator

    room = Venue.objects.create(area=area, name="Room A")
    anna, ben = trained_facilitator(area), trained_facilitator(area)
    make_group(area, actor=tm, venue=room, facilitators=[anna, trained_facilitator(area)])
    make_group(area, actor=tm, facilitators=[ben, trained_facilitator(area)])
    with pytest.raises(DomainConflict) as refused:
        make_group(area, actor=tm, venue=room, facilitators=[anna, ben])
    detail = refused.value.detail
    assert refused.value.code == "VENUE_CLASH"
    assert "Room A is already booked" in detail
    assert (
        f"{anna.full_name} is already delivering" in detail
        and f"{ben.full_name} is already delivering" in detail
    )
    assert "(and 34 more sessions)" in detail


def test_the_tms_home_page_names_the_groups_with_a_consequence_and_links_to_each(area, tm, area_admin, login):
    """Issue 13: a closure added over a scheduled session and a schedule that now ends after a member's supervision
    show on the TM's home page, naming the group (a link to its page, where both are put right), with the count."""
    closed = make_group(area, actor=tm, name="Closure group")
    add_closure(actor=area_admin, date=closed.sessions.get(number=4).date, reason="Office move")
    overrun = make_group(
        area, actor=tm, name="Overrun group", slots=[{"weekday": "tuesday", "start_time": "18:00"}]
    )
    person = _member_ending_on(overrun, tm, _last(overrun) - dt.timedelta(days=7))
    html = login(tm).get(reverse("home")).content.decode()
    cards = dict(re.findall(r'<h2 class="govuk-heading-s">([^<]+)</h2>(.*?)</div>', html, re.S))
    closures, overruns = cards["Sessions on closure dates"], cards["Schedules ending after supervision"]
    assert (
        '<span class="app-card__count">1</span>' in closures
        and '<span class="app-card__count">1</span>' in overruns
    )
    group_url = reverse("programme_sessions:group_detail", args=[closed.public_id])
    assert f'<a class="govuk-link" href="{group_url}">{closed.reference}</a>' in closures
    overrun_url = reverse("programme_sessions:group_detail", args=[overrun.public_id])
    assert f'<a class="govuk-link" href="{overrun_url}">{overrun.reference}</a>' in overruns
    assert closed.reference not in overruns and overrun.reference not in closures
    # The list behind the count names the member and both dates (the home page itself names no one).
    assert person.last_name not in html
    listed = page_text(login(tm).get(reverse("attention_list", args=["schedules-after-supervision"])))
    assert f"{person.first_name} {person.last_name} ({person.crn})" in listed


@pytest.mark.parametrize("members", [1, 6])
def test_the_tms_home_page_costs_the_same_queries_for_one_member_and_many(
    area, tm, login, time_machine, members, django_assert_max_num_queries
):
    """Issue 11: the TM's home page (every card: overruns, outstanding catch-ups, enforcement due...) in a fixed
    number of queries, whatever the members, their overruns and their absences; the counts stay right."""
    group = make_group(area, actor=tm, start_date=D(2026, 11, 30))
    first = group.sessions.get(number=1)
    people = [_member_ending_on(group, tm, _last(group) - dt.timedelta(days=7)) for _ in range(members)]
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON), tick=False)
    for membership in group.memberships.all():
        services.record_attendance(
            actor=tm, membership=membership, session=first, outcome="unacceptable_absence"
        )
    client = login(tm)
    client.get(reverse("home"))  # warm: reference data caches
    with django_assert_max_num_queries(58):
        html = client.get(reverse("home")).content.decode()
    cards = dict(re.findall(r'<h2 class="govuk-heading-s">([^<]+)</h2>(.*?)</div>', html, re.S))
    for title in ("Schedules ending after supervision", "Outstanding catch-ups", "Enforcement due"):
        assert f'<span class="app-card__count">{members}</span>' in cards[title], title
    listed = page_text(client.get(reverse("attention_list", args=["enforcement-due"])))
    assert all(f"{p.first_name} {p.last_name} ({p.crn})" in listed for p in people)
