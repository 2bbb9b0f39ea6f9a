"""The delivery pages: the catalogue and its new versions, the group question pages with the schedule preview, the
group page (members, schedule, reschedule, cancel), allocation from the waiting list, removal, one-to-one plans and
the facilitator's calendar. Bad input shows the GOV.UK error summary and saves nothing; another area's records are
404; facilitators see only what they deliver; list pages cost the same queries for few rows and many."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AccessLog
from isotp import clock
from referrals.models import Referral
from sessions import services
from sessions.models import (
    FeedToken,
    Membership,
    OneToOnePlan,
    Programme,
    ProgrammeGroup,
    ScheduledSession,
)
from sessions.rules import Slot, generate_schedule, non_working_reason, session_templates
from sessions.selectors.catalogue import programme_for_area
from tests.factories import ClosureFactory, UserFactory, VenueFactory
from tests.pages import choice_hints
from tests.pages import error_summary as _summary
from tests.pages import page_text as _text
from tests.sessions.factories import make_group, make_plan, trained_facilitator, waiting_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
D = dt.date

NS = "programme_sessions"


def url(name: str, **kwargs) -> str:
    return reverse(f"{NS}:{name}", kwargs=kwargs or None)


def _date(prefix: str, d: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(d.day), f"{prefix}_1": str(d.month), f"{prefix}_2": str(d.year)}


def _next(weekday: int, after: dt.date | None = None, weeks: int = 2) -> dt.date:
    """A date on `weekday` at least `weeks` weeks from today."""
    start = (after or timezone.localdate()) + dt.timedelta(weeks=weeks)
    return start + dt.timedelta(days=(weekday - start.weekday()) % 7)


def _in_force(code: str = "isotp_group") -> Programme:
    return Programme.objects.filter(code=code, area__isnull=True, valid_until__isnull=True).get()


# --- catalogue ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("groups", [1, 3])
def test_catalogue_counts_the_areas_groups_and_plans_in_constant_queries(
    login, area, tm, other_area, groups, django_assert_max_num_queries
):
    """The catalogue's "groups and plans scheduled with it" are per-area correlated counts (issue 11: the join
    of every version to every group and plan in the country grew with the national data)."""
    for i in range(groups):
        make_group(area, actor=tm, start_date=dt.date(2027, 1, 4) + dt.timedelta(weeks=40 * i))
    make_group(other_area)  # another area's group is not counted
    make_plan(area, actor=tm)
    from sessions.selectors.catalogue import catalogue_for_area

    entries = {e.code: e for e in catalogue_for_area(tm, today=clock.today())}
    assert entries["isotp_group"].current.area_groups == groups
    assert entries["isotp_one_to_one"].current.area_plans == 1
    assert entries["isotp_group"].current.area_plans == 0
    client = login(tm)
    with django_assert_max_num_queries(9):
        assert client.get(url("programme_list")).status_code == 200


def test_catalogue_lists_programmes_with_sessions_sizes_ages_and_catch_up_limits(login, area_admin):
    response = login(area_admin).get(url("programme_list"))
    assert response.status_code == 200
    text = _text(response)
    for name in (
        "i-SOTP (group)",
        "i-SOTP (one-to-one)",
        "N-SOGP Core Group",
        "Relapse Prevention",
        "Long Term Monitoring",
        "Low Intensity",
    ):
        assert name in text
    assert "35 sessions of 120 minutes" in text and "20 to 30 sessions of 90 minutes" in text
    assert "8 to 10 (optimum 8)" in text and "21 and over" in text and "Young adults aged 17 to 21" in text
    assert "At most 4 catch-ups" in text and "More than 2 missed in a block restarts the block" in text
    assert "not switched on for" in text  # LI/HI: an optional suite


def test_tm_reads_the_catalogue_but_has_no_edit_button(login, tm):
    response = login(tm).get(url("programme_detail", code="isotp_group"))
    text = _text(response)
    assert (
        response.status_code == 200 and "Motivation to Change" in text and "Create a new version" not in text
    )
    assert login(tm).get(url("programme_edit", code="isotp_group")).status_code == 403


def test_programme_page_shows_modules_with_session_counts_and_versions(login, area_admin):
    text = _text(login(area_admin).get(url("programme_detail", code="isotp_one_to_one")))
    assert "What Needs did Offending Meet?" in text and "4 to 6" in text and "8 to 10" in text
    assert "Version 1" in text or ">1 (national)" in text
    assert "keeps the version it was scheduled with" in text


def _version_form(programme: Programme, **changes) -> dict[str, str]:
    entry = programme.as_entry()
    data = {
        k: "" if entry.get(k) is None else str(entry.get(k))
        for k in (
            "name",
            "session_minutes",
            "work_minutes",
            "sessions_min",
            "sessions_max",
            "group_min",
            "group_optimum",
            "group_max",
            "min_age",
            "max_age",
            "max_catch_ups",
            "facilitators_per_session",
            "default_start_time",
        )
    }
    data["restart_limit"] = str(entry["restart_rule"]["limit"])
    for m in entry["modules"]:
        data[f"module_{m['number']}_title"] = m["title"]
        if "sessions" in m:
            data[f"module_{m['number']}_sessions"] = str(m["sessions"])
    data.update(_date("valid_from", timezone.localdate()))
    data["change_reason"] = "The accredited manual changed"
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_new_version_is_created_and_scheduled_groups_keep_theirs(login, area, area_admin, tm):
    group = make_group(area, actor=tm, start_date=_next(0))
    national = _in_force()
    client = login(area_admin)
    response = client.post(
        url("programme_edit", code="isotp_group"), _version_form(national, group_max=9, max_catch_ups=3)
    )
    assert response.status_code == 302, _summary(response)
    created = Programme.objects.get(code="isotp_group", area=area)
    assert created.version == 2 and created.group_max == 9 and created.max_catch_ups == 3
    assert created.change_reason == "The accredited manual changed"
    group.refresh_from_db()
    assert group.programme_id == national.pk  # a change never alters a group already scheduled
    page = _text(client.get(response["Location"]))
    assert "Groups already scheduled keep the version they were scheduled with" in page
    assert "In force" in page


def test_invalid_new_version_shows_the_rules_problems_and_saves_nothing(login, area_admin):
    national = _in_force()
    before = Programme.objects.count()
    data = _version_form(national, group_min=12, module_2_sessions=2, change_reason="")
    response = login(area_admin).post(url("programme_edit", code="isotp_group"), data)
    assert response.status_code == 200
    summary = _summary(response)
    assert "Enter why you are making this change" in summary
    response = login(area_admin).post(
        url("programme_edit", code="isotp_group"), {**data, "change_reason": "x"}
    )
    summary = _summary(response)
    # Issue 13: the catalogue's constraint links to the figure that breaks it and marks it; in words.
    assert (
        '<a href="#id_group_min">The minimum group size (12) must not be above the optimum (8).</a>'
        in summary
    )
    assert _marked(response, "id_group_min") and "&lt;=" not in _text(response)
    assert "The modules add up to 29 sessions" in summary
    assert Programme.objects.count() == before


@pytest.mark.parametrize(("typed", "kept"), [("6pm", "18:00"), ("18:00", "18:00"), ("9.30am", "09:30")])
def test_a_new_versions_default_start_time_is_typed_as_people_write_it(login, area, area_admin, typed, kept):
    response = login(area_admin).post(
        url("programme_edit", code="isotp_group"), _version_form(_in_force(), default_start_time=typed)
    )
    assert response.status_code == 302, _summary(response)
    created = Programme.objects.get(code="isotp_group", area=area)
    assert created.default_start_time == dt.time.fromisoformat(kept)


def test_a_default_start_time_that_is_not_a_time_is_refused_in_words(login, area_admin):
    response = login(area_admin).post(
        url("programme_edit", code="isotp_group"), _version_form(_in_force(), default_start_time="teatime")
    )
    assert (
        '<a href="#id_default_start_time">Enter the default start time as a time, like 6pm or 18:00</a>'
        in (_summary(response))
    )


def test_unchanged_new_version_is_refused(login, area_admin):
    response = login(area_admin).post(url("programme_edit", code="isotp_group"), _version_form(_in_force()))
    assert "Nothing has changed" in _summary(response)


# --- creating a group: question pages -----------------------------------------------------------------------


def _marked(response, field_id: str) -> bool:
    """The field's form group is marked as in error (its error message is inside it), as GOV.UK asks."""
    page = response.content.decode()
    groups = re.findall(
        r'<div class="govuk-form-group govuk-form-group--error">(.*?)</div>\s*(?=<div class="govuk-form-group|<button|</form|<h2|<fieldset)',
        page,
        re.S,
    )
    return any(f'id="{field_id}' in group and "govuk-error-message" in group for group in groups)


def _walk_group(client, answers: dict[str, dict[str, str]]):
    """Answer each question page in order; return the last response."""
    response = client.get(url("group_create"))
    assert response.status_code == 302
    for step, data in answers.items():
        response = client.post(url("group_create_step", step=step), data)
        assert response.status_code == 302, (step, _summary(response))
    return response


def _group_answers(venue, tm, facilitators, start: dt.date, **over) -> dict[str, dict[str, str]]:
    answers = {
        "programme": {"programme": "isotp_group"},
        "slots": {
            "first_weekday": "monday",
            "first_start": "18:00",
            "second_weekday": "",
            "second_start": "",
        },
        "start-date": _date("start_date", start),
        "venue": {"venue": str(venue.pk)},
        "treatment-manager": {"treatment_manager": str(tm.public_id)},
        "facilitators": {"facilitators": [str(f.public_id) for f in facilitators]},
        "places": {"capacity": "10", "age_band": "standard", "name": "Crewe Monday evening"},
    }
    answers.update(over)
    return answers


def test_tm_creates_a_group_through_the_question_pages_with_a_previewed_schedule(
    login, area, tm, facilitator
):
    second = trained_facilitator(area)
    venue = VenueFactory(area=area, name="Crewe group room")
    start = _next(0, weeks=3)
    closure = start + dt.timedelta(weeks=1)
    while non_working_reason(closure, jurisdiction="ENG") is not None:  # not on a bank holiday
        closure += dt.timedelta(weeks=1)
    ClosureFactory(area=area, date=closure, reason="Staff training day")
    client = login(tm)
    response = _walk_group(client, _group_answers(venue, tm, [facilitator, second], start))
    assert response["Location"] == url("group_create_check")
    check = client.get(url("group_create_check"))
    text = _text(check)
    assert "Check the group and its schedule" in text
    assert "Crewe group room" in text and facilitator.full_name in text and "Monday at 18:00" in text
    assert text.count('Change<span class="govuk-visually-hidden">') >= 8
    expected = generate_schedule(
        session_templates(_in_force().as_entry()),
        start_date=start,
        slots=[Slot(0, dt.time(18))],
        jurisdiction="ENG",
        closures={closure: "Staff training day"},
    )
    assert "35 sessions" in text
    first, last = expected.sessions[0], expected.sessions[-1]
    assert f"{first.date:%A} {first.date.day} {first.date:%B %Y}" in text
    assert f"{last.date:%A} {last.date.day} {last.date:%B %Y}" in text
    assert "Area closure: Staff training day" in text
    for skipped in expected.skipped:
        assert skipped.reason in text
    assert ProgrammeGroup.objects.count() == 0  # the preview writes nothing
    response = client.post(url("group_create_check"))
    group = ProgrammeGroup.objects.get()
    assert response["Location"] == url("group_detail", public_id=group.public_id)
    assert group.name == "Crewe Monday evening" and group.sessions.count() == 35
    assert [s.date for s in group.sessions.order_by("number")] == [s.date for s in expected.sessions]
    page = _text(client.get(response["Location"]))
    assert "created and its sessions scheduled" in page and "10 free" in page
    assert client.session.get("sessions.group_wizard") is None


def test_preview_skips_easter_and_may_bank_holidays_with_the_reason(login, area, tm, facilitator):
    second = trained_facilitator(area)
    client = login(tm)
    today = timezone.localdate()
    year = today.year + 1
    start = dt.date(year, 3, 20)
    _walk_group(client, _group_answers(VenueFactory(area=area), tm, [facilitator, second], start))
    text = _text(client.get(url("group_create_check")))
    assert "Easter Monday (bank holiday)" in text
    assert "May Day (bank holiday)" in text and "Spring Bank Holiday" in text


def test_question_pages_show_the_error_summary_and_save_nothing(login, area, tm):
    client = login(tm)
    client.get(url("group_create"))
    response = client.post(url("group_create_step", step="programme"), {})
    assert response.status_code == 200
    assert "Select the programme and format" in _summary(response)
    assert 'href="#id_programme_0"' in _summary(response)
    assert "(error)" in _text(response).split("</title>")[0]
    assert client.session.get("sessions.group_wizard", {}) == {}
    # A later question cannot be skipped to.
    assert client.get(url("group_create_step", step="slots"))["Location"] == url(
        "group_create_step", step="programme"
    )


def test_only_trained_facilitators_are_offered_and_an_untrained_one_is_refused_with_the_reason(
    login, area, tm, facilitator
):
    untrained = UserFactory(role=Role.FACILITATOR, area=area, full_name="Una Trained")
    client = login(tm)
    client.get(url("group_create"))
    answers = _group_answers(VenueFactory(area=area), tm, [facilitator], _next(1))
    for step in ("programme", "slots", "start-date", "venue", "treatment-manager"):
        client.post(url("group_create_step", step=step), answers[step])
    page = _text(client.get(url("group_create_step", step="facilitators")))
    assert facilitator.full_name in page and "Una Trained" not in page
    response = client.post(
        url("group_create_step", step="facilitators"),
        {"facilitators": [str(facilitator.public_id), str(untrained.public_id)]},
    )
    summary = _summary(response)
    assert "Una Trained cannot deliver i-SOTP (group)" in summary
    assert (
        "has not passed the assessment centre" in summary and "has not completed i-SOTP training" in summary
    )
    response = client.post(
        url("group_create_step", step="facilitators"), {"facilitators": [str(facilitator.public_id)]}
    )
    assert "i-SOTP (group) needs 2 facilitators at every session: choose at least 2" in _summary(response)


def test_confirm_shows_the_services_refusal_when_a_facilitator_is_no_longer_trained(
    login, area, tm, facilitator
):
    second = trained_facilitator(area)
    client = login(tm)
    _walk_group(client, _group_answers(VenueFactory(area=area), tm, [facilitator, second], _next(1)))
    second.training_records.filter(kind="isotp_training").delete()
    response = client.post(url("group_create_check"))
    assert response.status_code == 200
    summary = _summary(response)
    assert f"{second.full_name} cannot deliver i-SOTP (group): has not completed i-SOTP training" in summary
    assert url("group_create_step", step="facilitators") in summary
    assert ProgrammeGroup.objects.count() == 0


def test_confirm_refuses_a_venue_clash_naming_the_clashing_session(login, area, tm, facilitator):
    venue = VenueFactory(area=area, name="Room A")
    start = _next(0)
    existing = make_group(area, actor=tm, venue=venue, start_date=start)
    client = login(tm)
    _walk_group(client, _group_answers(venue, tm, [facilitator, trained_facilitator(area)], start))
    response = client.post(url("group_create_check"))
    summary = _summary(response)
    assert f"Room A is already booked for session 1 of {existing.reference}" in summary
    assert ProgrammeGroup.objects.count() == 1


def test_venue_and_facilitator_questions_show_who_and_what_is_free_for_the_proposed_schedule(
    login, area, tm, facilitator
):
    """Issue 13: the days and start date come first, so the venue and facilitator questions mark each choice free
    or busy for the schedule they would get, before the last step (not one clash per submit at "Create")."""
    busy_room, free_room = VenueFactory(area=area, name="Room A"), VenueFactory(area=area, name="Room B")
    free_person = trained_facilitator(area)
    start = _next(0)
    existing = make_group(
        area,
        actor=tm,
        venue=busy_room,
        start_date=start,
        facilitators=[facilitator, trained_facilitator(area)],
    )
    client = login(tm)
    answers = _group_answers(busy_room, tm, [facilitator, free_person], start)
    client.get(url("group_create"))
    for step in ("programme", "slots", "start-date"):
        assert client.post(url("group_create_step", step=step), answers[step]).status_code == 302
    page = client.get(url("group_create_step", step="venue"))
    rooms = choice_hints(page)
    n = existing.sessions.count()  # the same programme, days and start: every session clashes
    assert rooms["Room B"] == f"Free for all {n} sessions"
    assert rooms["Room A"].startswith(f"Busy for {n} of the {n} sessions: already booked for session 1 of")
    assert existing.reference in rooms["Room A"] and f"(and {n - 1} more)" in rooms["Room A"]
    assert f"Each venue is shown free or busy for the {n} sessions from" in _text(page)
    client.post(url("group_create_step", step="venue"), {"venue": str(free_room.pk)})
    client.post(url("group_create_step", step="treatment-manager"), answers["treatment-manager"])
    page = client.get(url("group_create_step", step="facilitators"))
    people = choice_hints(page)
    assert people[free_person.full_name] == f"Free for all {n} sessions"
    assert people[facilitator.full_name].startswith(
        f"Busy for {n} of the {n} sessions: already delivering session 1"
    )


def test_availability_is_not_shown_before_the_schedule_is_known(login, area, tm):
    """A plan's questions ask days and start date before the facilitator and venue too; a venue page reached
    without them sends the person back to the first gap rather than guessing."""
    client = login(tm)
    client.get(url("group_create"))
    client.post(url("group_create_step", step="programme"), {"programme": "isotp_group"})
    response = client.get(url("group_create_step", step="venue"))
    assert response["Location"] == url("group_create_step", step="slots")


def test_slots_and_start_date_and_places_are_validated(login, area, tm, facilitator):
    client = login(tm)
    answers = _group_answers(VenueFactory(area=area), tm, [facilitator, trained_facilitator(area)], _next(2))
    client.get(url("group_create"))
    client.post(url("group_create_step", step="programme"), answers["programme"])
    response = client.post(
        url("group_create_step", step="slots"),
        {
            "first_weekday": "monday",
            "first_start": "25:00",
            "second_weekday": "monday",
            "second_start": "10:00",
        },
    )
    summary = _summary(response)
    assert (
        "as a time, like 6pm or 18:00" in summary
        and "Choose a different day for the second weekly session" in summary
    )
    client.post(url("group_create_step", step="slots"), answers["slots"])
    past = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(url("group_create_step", step="start-date"), _date("start_date", past))
    assert "The start date must be today or in the future" in _summary(response)
    response = client.post(
        url("group_create_step", step="start-date"),
        {"start_date_0": "31", "start_date_1": "2", "start_date_2": "2030"},
    )
    assert "The start date must be a real date" in _summary(response)
    client.post(url("group_create_step", step="start-date"), answers["start-date"])
    for step in ("venue", "treatment-manager", "facilitators"):
        client.post(url("group_create_step", step=step), answers[step])
    response = client.post(
        url("group_create_step", step="places"), {"capacity": "11", "age_band": "standard"}
    )
    assert "between 8 and 10" in _summary(response)
    response = client.post(
        url("group_create_step", step="places"), {"capacity": "8", "age_band": "young_adult"}
    )
    assert response.status_code == 302
    text = _text(client.get(url("group_create_check")))
    assert "Young adults aged 17 to 21" in text


def test_change_link_returns_to_check_your_answers(login, area, tm, facilitator):
    client = login(tm)
    other = VenueFactory(area=area, name="Other room")
    _walk_group(
        client,
        _group_answers(VenueFactory(area=area), tm, [facilitator, trained_facilitator(area)], _next(3)),
    )
    response = client.post(url("group_create_step", step="venue") + "?change=1", {"venue": str(other.pk)})
    assert response["Location"] == url("group_create_check")
    assert "Other room" in _text(client.get(url("group_create_check")))


# --- the group page ----------------------------------------------------------------------------------------------


def test_group_page_shows_summary_facilitators_members_places_and_schedule(login, area, tm, facilitator, om):
    group = make_group(
        area, actor=tm, start_date=_next(0), facilitators=[facilitator, trained_facilitator(area)], capacity=9
    )
    referral = waiting_referral(area, om)
    from sessions import services

    services.allocate(actor=tm, group=group, referral=referral)
    text = _text(login(tm).get(url("group_detail", public_id=group.public_id)))
    assert group.reference in text and facilitator.full_name in text and "Monday 18:00" in text
    assert referral.person.full_name in text and referral.person.crn in text
    assert "1 of 9 taken" in text and "8 free" in text
    assert "Schedule: 35 sessions" in text and "Motivation to Change" in text
    assert text.count(">Reschedule<") == 35 and "Allocate from the waiting list" in text


def test_past_sessions_have_no_reschedule_link(login, area, tm):
    today = timezone.localdate()
    start = today - dt.timedelta(weeks=3)
    with clock.as_of(start):
        group = make_group(area, actor=tm, start_date=start)
    html = login(tm).get(url("group_detail", public_id=group.public_id)).content.decode()
    past = group.sessions.filter(date__lt=today).count()
    assert past >= 2
    for number in range(1, past + 1):
        assert url("session_reschedule", public_id=group.public_id, number=number) not in html
    assert url("session_reschedule", public_id=group.public_id, number=past + 1) in html
    assert html.count(">Past<") == past


def test_another_areas_group_is_not_found(login, area, tm, other_tm, other_admin, other_facilitator):
    group = make_group(area, actor=tm, start_date=_next(0))
    for user in (other_tm, other_admin, other_facilitator):
        assert login(user).get(url("group_detail", public_id=group.public_id)).status_code == 404
    assert login(other_tm).get(url("group_allocate", public_id=group.public_id)).status_code == 404


def test_facilitators_see_only_the_groups_they_deliver(login, area, tm, facilitator):
    mine = make_group(
        area, actor=tm, start_date=_next(0), facilitators=[facilitator, trained_facilitator(area)]
    )
    theirs = make_group(area, actor=tm, start_date=_next(1))
    client = login(facilitator)
    text = _text(client.get(url("group_list")))
    assert mine.reference in text and theirs.reference not in text
    assert client.get(url("group_detail", public_id=theirs.public_id)).status_code == 404
    page = _text(client.get(url("group_detail", public_id=mine.public_id)))
    assert ">Reschedule<" not in page and "Allocate from the waiting list" not in page  # TMs manage


# --- rescheduling and provider cancellations --------------------------------------------------------------


def test_reschedule_one_session_with_cascade_moves_the_later_ones(login, area, tm):
    group = make_group(area, actor=tm, start_date=_next(0))
    before = {s.number: s.date for s in group.sessions.all()}
    new_date = group.sessions.get(number=4).date + dt.timedelta(days=1)  # the Tuesday after session 4
    client = login(tm)
    response = client.post(
        url("session_reschedule", public_id=group.public_id, number=3),
        {**_date("new_date", new_date), "new_start": "", "cascade": "yes"},
    )
    assert response.status_code == 302, _summary(response)
    after = {s.number: s.date for s in group.sessions.all()}
    assert after[3] == new_date and after[1] == before[1] and after[2] == before[2]
    assert (
        after[4] > new_date and after[4] == before[5] and all(after[n] > after[n - 1] for n in range(4, 36))
    )
    page = _text(client.get(response["Location"]))
    assert "Session 3 moved to" in page and "later sessions moved on" in page


def test_reschedule_without_cascade_refuses_overtaking_the_next_session(login, area, tm):
    group = make_group(area, actor=tm, start_date=_next(0))
    s3 = group.sessions.get(number=3)
    s4 = group.sessions.get(number=4)
    response = login(tm).post(
        url("session_reschedule", public_id=group.public_id, number=3),
        {**_date("new_date", s4.date + dt.timedelta(days=1)), "new_start": "", "cascade": "no"},
    )
    assert "Move the later sessions too, or choose an earlier date" in _summary(response)
    s3.refresh_from_db()
    assert s3.date == group.sessions.get(number=3).date


def test_reschedule_refuses_a_bank_holiday_and_bad_input(login, area, tm):
    group = make_group(area, actor=tm, start_date=_next(0))
    client = login(tm)
    target = url("session_reschedule", public_id=group.public_id, number=2)
    response = client.post(target, {"cascade": ""})
    summary = _summary(response)
    assert "Enter the new date" in summary and "Select whether to move all later sessions too" in summary
    christmas = dt.date(timezone.localdate().year + 1, 12, 25)
    response = client.post(target, {**_date("new_date", christmas), "cascade": "yes"})
    # Issue 13: the rule's refusal links to the new date and marks it, as the form's own errors do.
    assert re.search(
        r'<a href="#id_new_date_0">[^<]*is not a working day: Christmas Day \(bank holiday\)',
        _summary(response),
    )
    assert _marked(response, "id_new_date")


def test_reschedule_refuses_a_facilitator_clash_naming_the_session(login, area, tm, facilitator):
    shared = [facilitator, trained_facilitator(area)]
    first = make_group(
        area,
        actor=tm,
        start_date=_next(0),
        facilitators=shared,
        slots=[{"weekday": "monday", "start_time": "10:00"}],
    )
    second = make_group(
        area,
        actor=tm,
        start_date=_next(0),
        facilitators=shared,
        slots=[{"weekday": "tuesday", "start_time": "10:00"}],
    )
    target = second.sessions.get(number=1)
    clash_date = first.sessions.get(number=2).date  # a Monday after second's session 1
    response = login(tm).post(
        url("session_reschedule", public_id=second.public_id, number=1),
        {**_date("new_date", clash_date), "new_start": "10:30", "cascade": "yes"},
    )
    summary = _summary(response)
    assert f"session 2 of {first.reference}" in summary and "is already delivering" in summary
    assert '<a href="#id_new_date_0">' in summary and _marked(response, "id_new_date")  # issue 13
    target.refresh_from_db()
    assert target.date != clash_date


def test_cancel_by_provider_reschedules_for_everyone(login, area, tm):
    group = make_group(area, actor=tm, start_date=_next(0))
    s5 = group.sessions.get(number=5)
    client = login(tm)
    page = _text(client.get(url("session_cancel", public_id=group.public_id, number=5)))
    assert "is rescheduled for everyone" in page and "What will move" in page
    response = client.post(url("session_cancel", public_id=group.public_id, number=5))
    assert response.status_code == 302
    s5.refresh_from_db()
    assert s5.status == "cancelled_by_provider"
    replacement = group.sessions.exclude(status="cancelled_by_provider").get(number=5)
    assert replacement.date > s5.date
    assert "Cancelled by the provider" in _text(client.get(response["Location"]))


# --- allocation from the waiting list ---------------------------------------------------------------------


def test_allocation_lists_the_waiting_list_oldest_first_with_age_and_urgency(login, area, tm, om):
    group = make_group(area, actor=tm, start_date=_next(0))
    old = waiting_referral(area, om)
    Referral.objects.filter(pk=old.pk).update(awaiting_since=timezone.now() - dt.timedelta(days=90))
    new = waiting_referral(area, om)
    young = waiting_referral(area, om, age=19)
    one_to_one = waiting_referral(area, om, format="one_to_one")
    text = _text(login(tm).get(url("group_allocate", public_id=group.public_id)))
    assert text.index(old.person.full_name) < text.index(new.person.full_name)
    assert one_to_one.person.full_name not in text
    assert "Aged 19: this is for people aged 21 and over." in text
    assert young.person.full_name in text and "Not eligible" in text
    assert "No end date" in text or "On track" in text  # urgency, in the waiting list's words (issue 13)
    assert "On time" not in text and "Unknown" not in text


def test_allocate_moves_the_referral_to_allocated_and_shows_them_on_the_group(login, area, tm, om):
    group = make_group(area, actor=tm, start_date=_next(0))
    referral = waiting_referral(area, om)
    client = login(tm)
    response = client.post(
        url("group_allocate", public_id=group.public_id), {"referral": str(referral.public_id)}
    )
    assert response.status_code == 302, _summary(response)
    referral.refresh_from_db()
    assert referral.status == "allocated"
    assert f"{referral.person.full_name} ({referral.person.crn}) allocated" in _text(
        client.get(response["Location"])
    )
    assert referral.person.full_name in _text(client.get(url("group_detail", public_id=group.public_id)))


def test_allocation_refusals_are_shown_with_the_reason(login, area, tm, om):
    group = make_group(area, actor=tm, start_date=_next(0), capacity=8)
    client = login(tm)
    target = url("group_allocate", public_id=group.public_id)
    young = waiting_referral(area, om, age=19)
    response = client.post(target, {"referral": str(young.public_id)})
    assert "this is for people aged 21 and over" in _summary(response)
    from sessions import services

    elsewhere = make_group(area, actor=tm, start_date=_next(1))
    placed = waiting_referral(area, om)
    services.allocate(actor=tm, group=elsewhere, referral=placed)
    response = client.post(target, {"referral": str(placed.public_id)})
    assert "Only a referral on the waiting list" in _summary(response)
    for _ in range(8):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, om))
    late = waiting_referral(area, om)
    response = client.post(target, {"referral": str(late.public_id)})
    assert "The group is full" in _summary(response)
    assert Membership.objects.filter(group=group, status="active").count() == 8
    late.refresh_from_db()
    assert late.status == "awaiting_allocation"


def test_remove_member_asks_the_reason_and_next_status(login, area, tm, om):
    from sessions import services

    group = make_group(area, actor=tm, start_date=_next(0))
    referral = waiting_referral(area, om)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    client = login(tm)
    target = url("member_remove", public_id=group.public_id, membership_id=membership.public_id)
    page = _text(client.get(target))
    assert "Back to the waiting list" in page and "Withdrawn" in page
    response = client.post(target, {"next_status": "withdrawn", "reason": ""})
    summary = _summary(response)
    assert (
        "Enter why they are leaving the group" in summary
        and "Select the reason the referral is withdrawn" in summary
    )
    membership.refresh_from_db()
    assert membership.status == "active"
    response = client.post(
        target, {"next_status": "awaiting_allocation", "reason": "Moved to an evening group"}
    )
    assert response.status_code == 302, _summary(response)
    membership.refresh_from_db()
    referral.refresh_from_db()
    assert membership.status == "removed" and referral.status == "awaiting_allocation"


def test_remove_member_with_withdrawal_records_the_reason_code(login, area, tm, om):
    from sessions import services

    group = make_group(area, actor=tm, start_date=_next(0))
    referral = waiting_referral(area, om)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    response = login(tm).post(
        url("member_remove", public_id=group.public_id, membership_id=membership.public_id),
        {
            "next_status": "withdrawn",
            "reason_code": "withdrawn:moved_out_of_area",
            "reason": "Moved to Leeds",
        },
    )
    assert response.status_code == 302, _summary(response)
    membership.refresh_from_db()
    assert membership.removal_reason_code == "moved_out_of_area" and membership.next_status == "withdrawn"


def test_a_stale_remove_member_form_is_409_with_the_conflict(login, area, tm, om):
    """Issue 12: the removal page of an allocated member offers "back to the waiting list"; meanwhile the member
    attended their first session (the referral is on the programme, from where that move is not allowed). The
    posted form reaches the service and answers 409 with the conflict, not "Select one of the listed statuses"."""
    from sessions import services

    group = make_group(area, actor=tm, start_date=_next(0))
    referral = waiting_referral(area, om)
    membership = services.allocate(actor=tm, group=group, referral=referral)
    client = login(tm)
    target = url("member_remove", public_id=group.public_id, membership_id=membership.public_id)
    assert 'value="awaiting_allocation"' in _text(client.get(target))
    Referral.objects.filter(pk=referral.pk).update(
        status="on_programme"
    )  # the first session, attended meanwhile
    response = client.post(
        target, {"next_status": "awaiting_allocation", "reason": "Moved to an evening group"}
    )
    assert response.status_code == 409
    summary = _summary(response)
    assert "listed statuses" not in summary and "cannot move to" in summary
    membership.refresh_from_db()
    referral.refresh_from_db()
    assert membership.status == "active" and referral.status == "on_programme"


# --- one-to-one plans -------------------------------------------------------------------------------------------


def _plan_answers(
    referral, facilitator, venue, start: dt.date, modules: dict[int, int] | None = None, rationale: str = ""
):
    counts = modules or {1: 4, 2: 4, 3: 4, 4: 8, 5: 3, 6: 5}
    return {
        "person": {"referral": str(referral.public_id)},
        "modules": {**{f"module_{n}": str(c) for n, c in counts.items()}, "rationale": rationale},
        "slots": {
            "first_weekday": "tuesday",
            "first_start": "10:00",
            "second_weekday": "",
            "second_start": "",
        },
        "start-date": _date("start_date", start),
        "facilitator": {"facilitators": [str(facilitator.public_id)]},
        "venue": {"venue": str(venue.pk)},
    }


def test_tm_creates_a_one_to_one_plan_with_preview_then_confirm(login, area, tm, facilitator, om):
    referral = waiting_referral(area, om, format="one_to_one")
    client = login(tm)
    client.get(url("plan_create"))
    page = _text(client.get(url("plan_create_step", step="person")))
    assert referral.person.full_name in page
    answers = _plan_answers(
        referral,
        facilitator,
        VenueFactory(area=area, name="Interview room 2"),
        _next(1),
        modules={1: 6, 2: 5, 3: 4, 4: 8, 5: 3, 6: 4},
        rationale="Needs more work on module 2",
    )
    for step, data in answers.items():
        response = client.post(url("plan_create_step", step=step), data)
        assert response.status_code == 302, (step, _summary(response))
    text = _text(client.get(url("plan_create_check")))
    assert "Check the plan and its schedule" in text and "Total: 30 sessions" in text
    assert "Needs more work on module 2" in text and "30 sessions" in text and "Interview room 2" in text
    response = client.post(url("plan_create_check"))
    plan = OneToOnePlan.objects.get()
    assert response["Location"] == url("plan_detail", public_id=plan.public_id)
    assert plan.total_sessions == 30 and plan.sessions.count() == 30 and plan.facilitator == facilitator
    page = _text(client.get(response["Location"]))
    assert (
        "Outside guidance" in page
        and "Needs more work on module 2" in page
        and "Schedule: 30 sessions" in page
    )
    assert AccessLog.objects.filter(actor=tm, object_id=str(referral.person.public_id)).exists()


def test_plan_module_counts_show_guidance_and_enforce_the_total_and_rationale(
    login, area, tm, facilitator, om
):
    referral = waiting_referral(area, om, format="one_to_one")
    client = login(tm)
    client.get(url("plan_create"))
    client.post(url("plan_create_step", step="person"), {"referral": str(referral.public_id)})
    page = _text(client.get(url("plan_create_step", step="modules")))
    assert "Guidance: 4 to 6 sessions" in page and "Guidance: 8 to 10 sessions" in page and "20 to 30" in page
    response = client.post(
        url("plan_create_step", step="modules"),
        {
            "module_1": "2",
            "module_2": "2",
            "module_3": "2",
            "module_4": "4",
            "module_5": "3",
            "module_6": "5",
        },
    )
    summary = _summary(response)
    # Issue 13: the total links to the first module's count (the counts to change), which is marked.
    assert (
        '<a href="#id_module_1">The plan has 18 sessions: a one-to-one plan must have 20 to 30 sessions'
        in summary
    )
    assert _marked(response, "id_module_1")
    response = client.post(
        url("plan_create_step", step="modules"),
        {
            "module_1": "7",
            "module_2": "4",
            "module_3": "4",
            "module_4": "8",
            "module_5": "3",
            "module_6": "5",
            "rationale": "",
        },
    )
    summary = _summary(response)
    assert (
        "Module 1 (Motivation to Change) has 7 sessions, outside the guidance of 4 to 6 sessions" in summary
    )
    assert client.session["sessions.plan_wizard"].get("sessions_per_module") is None


def test_plan_facilitator_must_be_one_and_trained(login, area, tm, facilitator, om):
    untrained = UserFactory(role=Role.FACILITATOR, area=area, full_name="Nat Trained")
    referral = waiting_referral(area, om, format="one_to_one")
    client = login(tm)
    answers = _plan_answers(referral, facilitator, VenueFactory(area=area), _next(1))
    client.get(url("plan_create"))
    client.post(url("plan_create_step", step="person"), answers["person"])
    for step in ("modules", "slots", "start-date"):
        client.post(url("plan_create_step", step=step), answers[step])
    response = client.post(
        url("plan_create_step", step="facilitator"), {"facilitators": [str(untrained.public_id)]}
    )
    assert "Nat Trained cannot deliver i-SOTP (one-to-one)" in _summary(response)
    response = client.post(
        url("plan_create_step", step="facilitator"),
        {"facilitators": [str(facilitator.public_id), str(trained_facilitator(area).public_id)]},
    )
    assert "Select one facilitator" in _summary(response)


def test_plan_page_is_scoped(login, area, tm, facilitator, other_tm, other_facilitator):
    plan = make_plan(area, actor=tm, start_date=_next(1))
    assert login(other_tm).get(url("plan_detail", public_id=plan.public_id)).status_code == 404
    assert login(facilitator).get(url("plan_detail", public_id=plan.public_id)).status_code == 404
    mine = make_plan(area, actor=tm, facilitator=facilitator, start_date=_next(2))
    text = _text(login(facilitator).get(url("plan_list")))
    assert mine.reference in text and plan.reference not in text


# --- the facilitator's calendar ---------------------------------------------------------------------------


def test_calendar_shows_upcoming_sessions_by_week_and_the_private_feed_link(login, area, tm, facilitator):
    group = make_group(
        area,
        actor=tm,
        start_date=_next(0),
        facilitators=[facilitator, trained_facilitator(area)],
        slots=[{"weekday": "monday", "start_time": "18:00"}, {"weekday": "thursday", "start_time": "18:00"}],
    )
    client = login(facilitator)
    text = _text(client.get(url("my_calendar")))
    first = group.sessions.order_by("date").first()
    monday = first.date - dt.timedelta(days=first.date.weekday())
    assert f"Week beginning {monday.day} {monday:%B %Y}" in text and group.reference in text
    assert "Keep this link private" in text and "Create a private calendar link" in text
    response = client.post(url("feed_rotate"))
    assert response.status_code == 302
    token = FeedToken.objects.get(user=facilitator, revoked_at__isnull=True)
    text = _text(client.get(url("my_calendar")))
    assert f"/calendar/{token.token}.ics" in text and "Create a new link" in text
    client.post(url("feed_rotate"))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert FeedToken.objects.filter(user=facilitator, revoked_at__isnull=True).count() == 1
    assert client.get(f"/calendar/{token.token}.ics").status_code == 404


def test_home_cards_per_role(login, area, tm, facilitator, area_admin):
    make_group(area, actor=tm, start_date=_next(0), facilitators=[facilitator, trained_facilitator(area)])
    assert "Groups starting in the next 4 weeks" in _text(login(tm).get("/"))
    assert "Groups with places free" in _text(login(tm).get("/"))
    assert "Your sessions this week" in _text(login(facilitator).get("/"))
    assert "Programme versions in force" in _text(login(area_admin).get("/"))


# --- query counts: the same bound for few rows and many ---------------------------------------------------


@pytest.mark.parametrize("rows", [3, 15])
def test_group_list_query_count_does_not_grow(login, area, tm, rows, django_assert_max_num_queries):
    venue = VenueFactory(area=area)
    facilitators = [trained_facilitator(area), trained_facilitator(area)]
    for i in range(rows):
        make_group(
            area, actor=tm, venue=venue, facilitators=facilitators, start_date=_next(0, weeks=2 + 40 * i)
        )
    client = login(tm)
    # 13: the groups' treatment managers are one prefetch query, not a join (issue 11).
    with django_assert_max_num_queries(13):
        response = client.get(url("group_list"))
    assert response.status_code == 200 and f"{rows} groups" in _text(response)


@pytest.mark.parametrize("members", [2, 10])
def test_group_page_query_count_does_not_grow_with_members_and_sessions(
    login, area, tm, om, members, django_assert_max_num_queries
):
    from sessions import services

    group = make_group(area, actor=tm, start_date=_next(0), capacity=10)
    for _ in range(members):
        services.allocate(actor=tm, group=group, referral=waiting_referral(area, om))
    client = login(tm)
    # + the psychometric needs panel: members, their pre-programme administrations, the scores
    # + issue 13's problems: sessions on closure dates (2), members whose supervision ends first (2)
    # + whether the programme is over, for the "Close the group" button (one query over its sessions)
    # + the access-log entry for the list of members (issue 12)
    with django_assert_max_num_queries(23):
        response = client.get(url("group_detail", public_id=group.public_id))
    assert response.status_code == 200 and f"{members} of 10 taken" in _text(response)


@pytest.mark.parametrize("rows", [3, 12])
def test_plan_list_query_count_does_not_grow(login, area, tm, rows, django_assert_max_num_queries):
    venue = VenueFactory(area=area)
    facilitator = trained_facilitator(area)
    for i in range(rows):
        make_plan(area, actor=tm, venue=venue, facilitator=facilitator, start_date=_next(1, weeks=2 + 40 * i))
    client = login(tm)
    # + the header's unread notification count, + the access-log entry for the list (issue 12)
    # + the page's venues, facilitators and treatment managers by primary key (perf16: the seven-way join cost
    # PostgreSQL 3-7 ms to plan at national scale)
    with django_assert_max_num_queries(15):
        response = client.get(url("plan_list"))
    assert response.status_code == 200 and f"{rows} plans" in _text(response)


@pytest.mark.parametrize("groups", [1, 3])
def test_calendar_query_count_does_not_grow(
    login, area, tm, facilitator, groups, django_assert_max_num_queries
):
    for i in range(groups):
        make_group(
            area,
            actor=tm,
            start_date=_next(0),
            facilitators=[facilitator, trained_facilitator(area)],
            slots=[{"weekday": ("monday", "wednesday", "friday")[i], "start_time": "10:00"}],
        )
    client = login(facilitator)
    # 13: one more than before issues 8 and 9 landed; still the same whatever the number of sessions
    # 15: includes the navigation's one national-statistics grant lookup (two queries, cached for the request).
    with django_assert_max_num_queries(15):
        response = client.get(url("my_calendar"))
    assert response.status_code == 200 and ScheduledSession.objects.count() == 35 * groups


def test_a_cancelled_group_offers_no_allocate_buttons(login, area, tm, om):
    group = make_group(area, actor=tm, start_date=_next(0))
    waiting_referral(area, om)
    group.status = "cancelled"
    group.save(update_fields=["status"])
    response = login(tm).get(url("group_allocate", public_id=group.public_id))
    html = response.content.decode()
    assert "nobody can be allocated to it" in html
    assert 'name="referral"' not in html


# --- regressions found in review (issue 7 folded them in here) ---


@pytest.mark.usefixtures("on_24_november_2026")
def test_a_cancelled_plan_offers_no_reschedule_or_cancel_links(area, tm, login):
    """The services refuse to move a cancelled plan's sessions (OWNER_CANCELLED): the page must not offer it."""
    plan = make_plan(area, actor=tm)
    services.remove_member(
        actor=tm,
        membership=plan.memberships.get(),
        reason="Needs a group instead",
        next_status="awaiting_allocation",
    )
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    page = login(tm).get(reverse("programme_sessions:plan_detail", kwargs={"public_id": plan.public_id}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/reschedule/" not in html and "/cancel/" not in html


@pytest.mark.usefixtures("on_24_november_2026")
def test_check_page_previews_the_version_in_force_on_the_start_date(login, area, tm, area_admin, facilitator):
    """create_group schedules with the version in force on the start date: the check page must preview and name
    that version, not today's, or the TM confirms one schedule and gets another."""
    national = programme_for_area(area, "isotp_group")
    services.create_programme_version(
        actor=area_admin,
        programme=national,
        changes={"session_minutes": 150, "work_minutes": 150},
        reason="Longer sessions from December",
        valid_from=D(2026, 12, 1),
    )
    client = login(tm)
    venue = VenueFactory(area=area)
    _walk_group(client, _group_answers(venue, tm, [facilitator, trained_facilitator(area)], D(2027, 1, 4)))
    text = _text(client.get(reverse("programme_sessions:group_create_check")))
    assert "(version 2)" in text and "20:30" in text
    client.post(reverse("programme_sessions:group_create_check"))
    group = ProgrammeGroup.objects.get()
    assert group.programme.version == 2 and group.sessions.get(number=1).end == dt.time(20, 30)


@pytest.mark.usefixtures("on_24_november_2026")
def test_the_cancel_page_of_a_past_session_explains_instead_of_failing(area, tm, login, time_machine):
    """A TM following an old link to cancel a session that has since passed got a 500 (an error added to an
    unbound form); the page now shows the rule's refusal in the error summary."""
    group = make_group(area, actor=tm)
    time_machine.move_to(dt.datetime(2027, 1, 12, 9, tzinfo=LONDON), tick=False)  # session 1 was on 4 January
    page = login(tm).get(
        reverse("programme_sessions:session_cancel", kwargs={"public_id": group.public_id, "number": 1})
    )
    assert page.status_code == 200
    text = _text(page)
    assert "There is a problem" in text and "past sessions never move" in text
