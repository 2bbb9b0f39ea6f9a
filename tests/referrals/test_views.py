"""The referrals pages: who sees what, forms that refuse bad input (error summary, nothing saved), the OM's
journey from task list to submission, the TM's assessment (same codes as `decision_for`), status changes that
answer 409 when stale, the waiting list, the RM2000 calculator and the query counts of the list pages."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLog, AuditEvent
from referrals.candidates import decision_for
from referrals.models import Conviction, Person, Referral, RiskMatrixAssessment, Rm2000ScoringTable, Sentence
from referrals.programme_terms import catalogue_for
from tests.factories import UserFactory
from tests.pages import error_summary as _summary
from tests.pages import page_text as _text
from tests.referrals.factories import (
    ConvictionFactory,
    PersonFactory,
    ReferralFactory,
    RiskMatrixFactory,
    SentenceFactory,
    eligible_person,
    referral_for,
    years_ago,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix: str, d: dt.date) -> dict[str, str]:
    return {f"{prefix}_0": str(d.day), f"{prefix}_1": str(d.month), f"{prefix}_2": str(d.year)}


# --- people -----------------------------------------------------------------------------------------------------


def test_om_sees_only_their_caseload_in_the_list(login, area, om):
    other_om = UserFactory(role="offender_manager", area=area)
    mine = PersonFactory(area=area, offender_manager=om, last_name="Mine")
    PersonFactory(area=area, offender_manager=other_om, last_name="Theirs")
    response = login(om).get(reverse("referrals:person_list"))
    assert response.status_code == 200
    text = _text(response)
    assert "My caseload" in text and mine.crn in text and "Theirs" not in text
    assert "id_offender_manager" not in text  # an OM does not filter by OM


def test_tm_sees_the_area_and_filters_by_search_open_referral_and_om(login, area, tm, om):
    other_om = UserFactory(role="offender_manager", area=area, full_name="Olive Other")
    a = PersonFactory(area=area, offender_manager=om, last_name="Alpha")
    b = PersonFactory(area=area, offender_manager=other_om, last_name="Bravo")
    referral_for(area, om, status="submitted", complete=False)
    client = login(tm)
    text = _text(client.get(reverse("referrals:person_list")))
    assert a.crn in text and b.crn in text and "Olive Other" in text
    assert b.crn not in _text(client.get(reverse("referrals:person_list"), {"q": "alpha"}))
    assert a.crn in _text(client.get(reverse("referrals:person_list"), {"q": a.crn.lower()}))
    by_om = _text(client.get(reverse("referrals:person_list"), {"offender_manager": str(other_om.public_id)}))
    assert b.crn in by_om and a.crn not in by_om
    open_only = _text(client.get(reverse("referrals:person_list"), {"open_referral": "on"}))
    assert a.crn not in open_only and b.crn not in open_only and "1 person" in open_only


def test_person_list_is_paginated(login, area, om):
    for _ in range(27):
        PersonFactory(area=area, offender_manager=om)
    client = login(om)
    first = _text(client.get(reverse("referrals:person_list")))
    assert "27 people" in first and "1 of 2" in first and 'rel="next"' in first
    assert "2 of 2" in _text(client.get(reverse("referrals:person_list"), {"page": 2}))


def test_person_page_shows_the_whole_record_and_logs_the_access(login, area, om):
    person = eligible_person(area, om)
    RiskMatrixAssessment.objects.filter(person=person).update(assessor="Dr Ada Assessor")
    referral_for(area, om, status="submitted")
    response = login(om).get(reverse("referrals:person_detail", args=[person.public_id]))
    assert response.status_code == 200
    text = _text(response)
    for expected in (
        person.crn,
        "Protection of Children Act 1978 s.1(1)(a)",  # offence with its legislation
        "Community order with an accredited programme requirement",
        "End of supervision",
        "Dr Ada Assessor",  # RM2000 with its assessor
        "OASys risk of serious harm",
        "Pre-programme psychometrics within the normal range",  # deviance rationale
        "Refer for a programme",
    ):
        assert expected in text, expected
    assert AccessLog.objects.filter(actor=om, object_id=str(person.public_id), via="page").count() == 1


def _prison_sotp_row(response) -> str:
    row = re.search(r'id="prison-sotp">(.*?)</dd></div>', response.content.decode(), re.S)
    assert row, "no prison programme row"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip()


def test_person_page_says_whether_he_completed_a_prison_programme_and_which_referral_recorded_it(
    login, area, om
):
    person = eligible_person(area, om)
    client = login(om)
    url = reverse("referrals:person_detail", args=[person.public_id])
    assert _prison_sotp_row(client.get(url)) == "Completed a prison sex offender treatment programme No"
    ReferralFactory(person=person, status="withdrawn", programme="nsogp", completed_prison_sotp=True)
    first = ReferralFactory(person=person, status="withdrawn", programme="nsogp", completed_prison_sotp=True)
    started = dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)
    Referral.objects.filter(pk=first.pk).update(created_at=started)
    response = client.get(url)
    row = _prison_sotp_row(response)
    # The first referral that recorded it is named and linked.
    assert row.startswith("Completed a prison sex offender treatment programme Yes Recorded on the ")
    assert row.endswith("referral started 5 March 2024 .")
    assert reverse("referrals:referral_detail", args=[first.public_id]) in response.content.decode()


def test_person_page_history_is_a_timeline_of_who_when_why(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    client = login(tm)
    client.post(
        reverse("referrals:referral_status", args=[referral.public_id]),
        {"to_status": "on_hold", "reason_code": "on_hold:in_custody", "reason": "Remanded last week"},
    )
    text = _text(client.get(reverse("referrals:person_detail", args=[referral.person.public_id])))
    assert "moj-timeline" in text
    assert "On hold" in text and tm.full_name in text and "Reason: In custody" in text and "Remanded" in text


def test_another_oms_person_is_404_for_an_om(login, area, om):
    other_om = UserFactory(role="offender_manager", area=area)
    person = eligible_person(area, other_om)
    referral = referral_for(area, other_om, status="submitted")
    client = login(om)
    for url in (
        reverse("referrals:person_detail", args=[person.public_id]),
        reverse("referrals:person_edit", args=[person.public_id]),
        reverse("referrals:referral_detail", args=[referral.public_id]),
        reverse("referrals:referral_tasks", args=[referral.public_id]),
    ):
        assert client.get(url).status_code == 404, url


def test_another_areas_person_and_referral_are_404(login, area, om, other_tm, other_om):
    person = eligible_person(area, om)
    referral = referral_for(area, om, status="submitted")
    for user in (other_tm, other_om):
        client = login(user)
        assert client.get(reverse("referrals:person_detail", args=[person.public_id])).status_code == 404
        assert client.get(reverse("referrals:referral_detail", args=[referral.public_id])).status_code == 404
    assert (
        login(other_tm).get(reverse("referrals:referral_assess", args=[referral.public_id])).status_code
        == 404
    )


def test_facilitators_cannot_see_people(login, facilitator):
    assert login(facilitator).get(reverse("referrals:person_list")).status_code == 403


def test_adding_a_person_with_bad_input_shows_the_error_summary_and_saves_nothing(login, om):
    response = login(om).post(
        reverse("referrals:person_create"),
        {
            "crn": "",
            "first_name": "",
            "last_name": "Smith",
            **_date("date_of_birth", TODAY() + dt.timedelta(days=3)),
            "iq": "12",
        },
    )
    assert response.status_code == 200
    summary = _summary(response)
    for message in (
        "Enter the CRN",
        "Enter the first name",
        "The date of birth must be in the past",
        "Select the sex",
        "Enter an IQ between 40 and 160",
    ):
        assert message in summary, message
    assert (
        'href="#id_crn"' in summary
        and 'href="#id_date_of_birth_0"' in summary
        and 'href="#id_sex_0"' in summary
    )
    text = _text(response)
    assert "govuk-form-group--error" in text and "<title>Add a person (error)" in text
    assert Person.objects.count() == 0


def test_a_duplicate_crn_comes_back_from_the_service_as_a_field_error(login, area, om):
    existing = PersonFactory(area=area, offender_manager=om)
    response = login(om).post(
        reverse("referrals:person_create"),
        {
            "crn": existing.crn.lower(),
            "first_name": "A",
            "last_name": "B",
            **_date("date_of_birth", years_ago(30)),
            "sex": "male",
        },
    )
    assert 'href="#id_crn"' in _summary(response)
    assert Person.objects.count() == 1


def test_om_adds_a_person_to_their_own_caseload(login, area, om):
    response = login(om).post(
        reverse("referrals:person_create"),
        {
            "crn": "c123456",
            "first_name": "Adam",
            "last_name": "Example",
            **_date("date_of_birth", years_ago(30)),
            "sex": "male",
            "iq": "101",
        },
    )
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:person_detail", args=[person.public_id]
    )
    assert (person.crn, person.offender_manager, person.area, person.iq) == ("C123456", om, area, 101)


def test_tm_adds_a_person_for_an_om_of_the_area(login, area, tm, om):
    form = login(tm).get(reverse("referrals:person_create"))
    assert "Offender manager" in _text(form)
    login(tm).post(
        reverse("referrals:person_create"),
        {
            "crn": "C654321",
            "first_name": "B",
            "last_name": "C",
            **_date("date_of_birth", years_ago(40)),
            "sex": "male",
            "offender_manager": str(om.public_id),
        },
    )
    assert Person.objects.get().offender_manager == om


@pytest.mark.parametrize(
    ("name", "data", "messages"),
    [
        ("conviction_add", {}, ["Select the offence", "Enter the date of conviction"]),
        (
            "sentence_record",
            {
                **_date("start_date", dt.date(2026, 3, 1)),
                **_date("supervision_end_date", dt.date(2026, 2, 1)),
            },
            ["Select the legal basis", "The end of supervision must be after the start date"],
        ),
        (
            "rm2000_record",
            {"s": "medium"},
            ["Select the RM2000/V category", "Enter the name of the assessor"],
        ),
        (
            "rosh_record",
            {"assessed_on_0": "31", "assessed_on_1": "2", "assessed_on_2": "2026"},
            ["Select the risk of serious harm", "The date of the assessment must be a real date"],
        ),
    ],
)
def test_record_forms_show_errors_and_save_nothing(login, area, om, name, data, messages):
    person = PersonFactory(area=area, offender_manager=om)
    before = AuditEvent.objects.count()
    response = login(om).post(reverse(f"referrals:{name}", args=[person.public_id]), data)
    assert response.status_code == 200
    summary = _summary(response)
    for message in messages:
        assert message in summary, message
    assert AuditEvent.objects.count() == before
    assert not Conviction.objects.exists() and not Sentence.objects.exists()
    assert not RiskMatrixAssessment.objects.exists()


def test_deviance_is_for_treatment_managers_and_needs_a_rationale(login, area, om, tm):
    person = PersonFactory(area=area, offender_manager=om)
    url = reverse("referrals:deviance_record", args=[person.public_id])
    assert login(om).get(url).status_code == 403
    response = login(tm).post(url, {"level": "high"})
    assert "Enter the rationale for the deviance level" in _summary(response)
    assert not person.deviance_assessments.exists()
    login(tm).post(url, {"level": "high", "rationale": "Six scales outside the normal range"})
    assert person.deviance_assessments.get().level == "high"


def test_record_pages_return_to_next_when_it_is_a_local_path(login, area, om):
    person = PersonFactory(area=area, offender_manager=om)
    url = reverse("referrals:rosh_record", args=[person.public_id])
    data = {"level": "low", **_date("assessed_on", TODAY())}
    assert login(om).post(f"{url}?next=/referrals/", data)["Location"] == "/referrals/"
    response = login(om).post(f"{url}?next=https://evil.example/", data)
    assert response["Location"] == reverse("referrals:person_detail", args=[person.public_id])


def test_conviction_remove_is_scoped_and_audited(login, area, om):
    person = eligible_person(area, om)
    conviction = person.convictions.get()
    url = reverse("referrals:conviction_remove", args=[person.public_id, conviction.public_id])
    other = UserFactory(role="offender_manager", area=area)
    assert login(other).post(url).status_code == 404
    assert login(om).post(url).status_code == 302
    assert not Conviction.objects.filter(pk=conviction.pk).exists()
    assert AuditEvent.objects.filter(action="conviction.removed").exists()


# --- the referral journey ---------------------------------------------------------------------------------------


def _tasks(client, referral) -> dict[str, str]:
    """Task key -> status text, from the task list page."""
    html = client.get(reverse("referrals:referral_tasks", args=[referral.public_id])).content.decode()
    found = re.findall(r'id="task-([a-z]+)-status">\s*(?:<strong[^>]*>)?([A-Za-z ]+)', html)
    return {key: status.strip() for key, status in found}


def test_om_refers_through_the_task_list_and_check_your_answers(login, area, om):
    person = PersonFactory(area=area, offender_manager=om)
    client = login(om)
    start = reverse("referrals:referral_start", args=[person.public_id])
    assert client.get(start).status_code == 200
    bad = client.post(start, {"programme": "nsogp", "format": "one_to_one"})
    assert "Only i-SOTP has a one-to-one format" in _summary(
        bad
    ) and "Enter the planned start date" in _summary(bad)
    assert not Referral.objects.exists()
    planned = TODAY() + dt.timedelta(days=60)
    response = client.post(
        start, {"programme": "isotp", "format": "group", **_date("planned_start", planned)}
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:referral_tasks", args=[referral.public_id])
    assert referral.status == "draft" and referral.planned_start == planned

    tasks = _tasks(client, referral)
    assert tasks == {
        "person": "Completed",
        "offences": "Incomplete",
        "sentence": "Incomplete",
        "risk": "Cannot start yet",
        "programme": "Completed",
        "other": "Incomplete",
        "check": "Cannot start yet",
    }
    # Check your answers cannot be reached from the task list yet, and submitting now is refused (409).
    refused = client.post(reverse("referrals:referral_check", args=[referral.public_id]))
    assert refused.status_code == 409 and "Add the convictions" in _summary(refused)

    ConvictionFactory(person=person)
    SentenceFactory(person=person)
    other = reverse("referrals:referral_other", args=[referral.public_id])
    assert "Select yes if there is an active appeal" in _summary(client.post(other, {}))
    client.post(other, {"active_appeal": "no", "maintains_innocence": "no", "completed_prison_sotp": "yes"})
    tasks = _tasks(client, referral)
    assert tasks["offences"] == tasks["sentence"] == tasks["other"] == "Completed"
    assert tasks["risk"] == "Incomplete" and tasks["check"] == "Incomplete"

    check = client.get(reverse("referrals:referral_check", args=[referral.public_id]))
    text = _text(check)
    assert "Check your answers before submitting the referral" in text
    assert (
        text.count(">Change<") >= 10
        and f"next={reverse('referrals:referral_check', args=[referral.public_id])}".replace("/", "%2F")
        in text
    )
    submitted = client.post(reverse("referrals:referral_check", args=[referral.public_id]))
    assert submitted["Location"] == reverse("referrals:referral_submitted", args=[referral.public_id])
    referral.refresh_from_db()
    assert referral.status == "submitted" and referral.completed_prison_sotp
    panel = _text(client.get(submitted["Location"]))
    assert "govuk-panel--confirmation" in panel and "Referral submitted" in panel
    # A submitted referral is no longer a draft the OM can change: its task list shows the referral (issue 13).
    back = client.get(reverse("referrals:referral_tasks", args=[referral.public_id]))
    assert back["Location"] == reverse("referrals:referral_detail", args=[referral.public_id])
    assert client.get(reverse("referrals:referral_detail", args=[referral.public_id])).status_code == 200


def test_change_links_come_back_to_check_your_answers(login, area, om):
    referral = referral_for(area, om, status="draft", planned_start=TODAY() + dt.timedelta(days=30))
    client = login(om)
    check = reverse("referrals:referral_check", args=[referral.public_id])
    url = reverse("referrals:referral_programme", args=[referral.public_id]) + f"?next={check}"
    assert f'href="{check}"' in client.get(url).content.decode()  # the back link
    response = client.post(
        url,
        {"programme": "nsogp", "format": "group", **_date("planned_start", TODAY() + dt.timedelta(days=40))},
    )
    assert response["Location"] == check
    referral.refresh_from_db()
    assert referral.programme == "nsogp"


def test_only_the_persons_om_refers(login, area, om, tm):
    person = PersonFactory(area=area, offender_manager=om)
    assert login(tm).get(reverse("referrals:referral_start", args=[person.public_id])).status_code == 403
    assert "Refer for a programme" not in _text(
        login(tm).get(reverse("referrals:person_detail", args=[person.public_id]))
    )


# --- assessment -------------------------------------------------------------------------------------------------


def _codes(decision) -> set[str]:
    codes = {r.code for p in decision.programmes for r in (*p.reasons, *p.warnings)}
    return codes | {r.code for r in decision.recommendation_reasons}


def test_assessment_page_shows_the_same_codes_as_decision_for(login, area, om, tm):
    person = PersonFactory(area=area, offender_manager=om, iq=None, date_of_birth=years_ago(19))
    ConvictionFactory(person=person)
    ConvictionFactory(person=person, offence_id=_offence_id("soa2003_s7"))
    SentenceFactory(
        person=person,
        start_date=TODAY() - dt.timedelta(days=10),
        supervision_end_date=TODAY() + dt.timedelta(days=300),
    )
    RiskMatrixFactory(person=person, s="very_high")
    referral = referral_for(area, om, status="submitted", complete=False)
    referral.person = person
    referral.save()
    response = login(tm).get(reverse("referrals:referral_assess", args=[referral.public_id]))
    assert response.status_code == 200
    page = response.content.decode()
    shown = set(re.findall(r'<span class="app-support-code">([A-Z0-9_]+)</span>', page))
    # Issue 13: the reason first, in words; the code after it, small, for support (never shouted before it).
    assert not re.search(r"<li>\s*<[^>]+>[A-Z0-9_]{4,}<", page)
    expected = _codes(decision_for(Referral.objects.get(pk=referral.pk), TODAY()))
    assert shown == expected
    assert {
        "UNDER_AGE",
        "CONTACT_OFFENCE",
        "RM2000_VERY_HIGH",
        "SUPERVISION_TOO_SHORT",
        "IQ_NOT_KNOWN",
    } <= shown
    text = _text(response)
    assert "Recommendation" in text and "Record your decision" in text and "Not eligible" in text


def _offence_id(code: str) -> int:
    from tests.referrals.factories import offence

    return offence(code).pk


def test_tm_records_suitable_and_the_referral_joins_the_waiting_list(login, area, om, tm):
    referral = referral_for(area, om, status="submitted", planned_start=TODAY() + dt.timedelta(days=30))
    client = login(tm)
    response = client.post(
        reverse("referrals:referral_assess", args=[referral.public_id]), {"outcome": "suitable"}
    )
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.public_id])
    referral.refresh_from_db()
    assert referral.status == "awaiting_allocation"
    detail = _text(client.get(response["Location"]))
    assert "Computed recommendation" in detail and "i-SOTP group" in detail
    waiting = _text(client.get(reverse("referrals:waiting_list")))
    assert referral.person.full_name in waiting and "i-SOTP group (1)" in waiting


def test_an_override_needs_a_rationale_and_both_decisions_stay_visible(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:referral_assess", args=[referral.public_id])
    client = login(tm)
    missing = client.post(
        url,
        {"outcome": "suitable", "override": "on", "override_programme": "nsogp", "override_format": "group"},
    )
    assert "Enter the rationale for overriding the computed decision" in _summary(missing)
    assert 'href="#id_rationale"' in _summary(missing)
    referral.refresh_from_db()
    assert referral.status == "submitted" and not referral.assessments.exists()
    client.post(
        url,
        {
            "outcome": "suitable",
            "override": "on",
            "override_programme": "nsogp",
            "override_format": "group",
            "override_route": "core_and_better_lives",
            "rationale": "Extensive grooming history: needs the longer programme",
        },
    )
    referral.refresh_from_db()
    assert referral.programme == "nsogp" and referral.status == "awaiting_allocation"
    text = _text(client.get(reverse("referrals:referral_detail", args=[referral.public_id])))
    assert "Computed recommendation" in text and "i-SOTP group" in text  # the original decision
    assert "Overridden" in text and "N-SOGP" in text and "Extensive grooming history" in text


def test_not_suitable_needs_a_reason_from_its_own_list(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:referral_assess", args=[referral.public_id])
    response = login(tm).post(url, {"outcome": "not_suitable", "reason_code": "on_hold:in_custody"})
    assert "Select a reason for not suitable: the one you chose is a reason for on hold" in _summary(response)
    login(tm).post(
        url,
        {
            "outcome": "not_suitable",
            "reason_code": "not_suitable:needs_higher_intensity",
            "rationale": "Needs more treatment time",
        },
    )
    referral.refresh_from_db()
    assert referral.status == "not_suitable"
    assert referral.status_changes.get(to_status="not_suitable").reason_code == "needs_higher_intensity"


def test_on_hold_from_the_assessment_page(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    login(tm).post(
        reverse("referrals:referral_assess", args=[referral.public_id]),
        {"outcome": "on_hold", "reason_code": "on_hold:further_information_needed"},
    )
    referral.refresh_from_db()
    assert (referral.status, referral.returns_to) == ("on_hold", "submitted")


def test_a_stale_assessment_form_shows_the_409_and_what_is_allowed(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:referral_assess", args=[referral.public_id])
    client = login(tm)
    client.post(url, {"outcome": "suitable"})  # someone else decided first
    response = client.post(url, {"outcome": "not_suitable", "reason_code": "not_suitable:eligibility_rules"})
    assert response.status_code == 409
    summary = _summary(response)
    assert "Only a referral that is submitted or being assessed can be assessed" in summary
    text = _text(response)
    assert "It can now move to:" in text and "<li>Allocated</li>" in text and "<li>Withdrawn</li>" in text
    assert "Record your decision" not in text


def test_status_page_offers_only_allowed_moves_and_a_stale_move_is_409(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:referral_status", args=[referral.public_id])
    tm_page = _text(login(tm).get(url))
    assert 'value="on_hold"' in tm_page and 'value="withdrawn"' in tm_page and 'value="assessment"' in tm_page
    assert 'value="completed"' not in tm_page and 'value="allocated"' not in tm_page
    om_page = _text(login(om).get(url))
    assert 'value="withdrawn"' in om_page and 'value="on_hold"' not in om_page
    missing = login(tm).post(url, {"to_status": "withdrawn"})
    assert "Select a reason for withdrawn" in _summary(missing)
    stale = login(tm).post(
        url, {"to_status": "allocated"}
    )  # e.g. a form opened when it was on the waiting list
    assert stale.status_code == 409
    summary = _summary(stale)
    assert "while you had this page open. It is now submitted." in summary
    assert "cannot move to" in summary and "It can now move to:" in _text(stale)
    referral.refresh_from_db()
    assert referral.status == "submitted"
    login(om).post(url, {"to_status": "withdrawn", "reason_code": "withdrawn:moved_out_of_area"})
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


@pytest.mark.parametrize("role", ["om", "tm"])
def test_a_stale_status_form_with_a_reason_is_409_for_both_roles(role, login, area, om, tm):
    """Issue 12, tester no. 3: the page was opened while the referral was awaiting allocation (withdrawal offered),
    someone withdrew it meanwhile, and the form is posted with a reason: the same 409 for an OM and a TM, saying
    what the referral is now and that nothing can be done by hand, never "Select a reason"."""
    from referrals.services.status import change_status

    referral = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    url = reverse("referrals:referral_status", args=[referral.public_id])
    client = login(om if role == "om" else tm)
    assert 'value="withdrawn"' in _text(client.get(url))
    moves = referral.status_changes.count()
    change_status(
        actor=tm, referral=referral, to_status="withdrawn", reason_code="other", reason="Moved away"
    )
    response = client.post(url, {"to_status": "withdrawn", "reason_code": "withdrawn:other", "reason": "x"})
    assert response.status_code == 409
    summary = _summary(response)
    assert "Select a reason" not in summary
    # A plain explanation first, then the service's reason (never "'Withdrawn' cannot move to 'Withdrawn'"),
    # then what to do: look at the referral again.
    items = re.findall(r"<li>(.*?)</li>", summary)
    assert items[0].strip() == (
        "This referral was changed by someone else while you had this page open. It is now withdrawn."
    )
    assert html.unescape(items[1]).strip().startswith("The referral is already 'Withdrawn'.")
    assert "cannot move to" not in summary
    detail = reverse("referrals:referral_detail", args=[referral.public_id])
    assert (
        f'<a class="govuk-link" href="{detail}">Look at the referral again</a> before you change anything. '
        "It cannot move anywhere now."
    ) in _text(response)
    assert 'name="to_status"' not in _text(response)  # no form: nothing can be changed by hand now
    referral.refresh_from_db()
    assert referral.status == "withdrawn"
    assert referral.status_changes.count() == moves + 1  # the TM's withdrawal, nothing more


def test_a_stale_status_form_without_a_reason_is_409_too(login, area, om, tm):
    """A stale move the page no longer offers is the service's to refuse, reason or not."""
    from referrals.services.status import change_status

    referral = referral_for(area, om, status="awaiting_allocation", awaiting_since=timezone.now())
    change_status(
        actor=tm, referral=referral, to_status="withdrawn", reason_code="other", reason="Moved away"
    )
    url = reverse("referrals:referral_status", args=[referral.public_id])
    response = login(om).post(url, {"to_status": "withdrawn"})
    assert response.status_code == 409 and "Select a reason" not in _summary(response)


# --- lists and the waiting list ---------------------------------------------------------------------------------


def test_referral_list_filters_by_status_and_programme(login, area, om, tm):
    a = referral_for(area, om, status="submitted")
    b = referral_for(area, om, status="draft", programme="nsogp")
    client = login(tm)
    text = _text(client.get(reverse("referrals:referral_list"), {"status": "submitted"}))
    assert a.person.crn in text and b.person.crn not in text
    text = _text(client.get(reverse("referrals:referral_list"), {"programme": "nsogp"}))
    assert b.person.crn in text and a.person.crn not in text
    both = _text(client.get(reverse("referrals:referral_list") + "?status=submitted&status=draft"))
    assert a.person.crn in both and b.person.crn in both and "2 referrals" in both
    other = UserFactory(role="offender_manager", area=area)
    assert a.person.crn not in _text(login(other).get(reverse("referrals:referral_list")))


def test_waiting_list_is_oldest_first_with_age_supervision_end_and_urgency(login, area, om, tm):
    now = timezone.now()
    old = referral_for(area, om, status="awaiting_allocation", awaiting_since=now - dt.timedelta(days=90))
    new = referral_for(area, om, status="awaiting_allocation", awaiting_since=now - dt.timedelta(days=3))
    Sentence.objects.filter(person=new.person).update(supervision_end_date=TODAY() + dt.timedelta(weeks=40))
    Sentence.objects.filter(person=old.person).update(supervision_end_date=TODAY() + dt.timedelta(weeks=30))
    referral_for(area, om, status="awaiting_allocation", format="one_to_one")
    client = login(tm)
    html = client.get(reverse("referrals:waiting_list")).content.decode()
    assert html.index(old.person.crn) < html.index(new.person.crn)
    text = re.sub(r"\s+", " ", html)
    assert "Overdue" in text and "Can no longer finish in time" in text
    # 35 weekly sessions with the bank holidays in the way (the catalogue's schedule): the latest start is 2 to 6
    # weeks away, so within the 8-week warning.
    latest = catalogue_for(area).latest_start("isotp", "group", TODAY() + dt.timedelta(weeks=40), on=TODAY())
    days = (latest - TODAY()).days
    assert "Start soon" in text and "Must start by" in text and f"(that is within {days} days)" in text
    assert "2 months" in text and "3 days" in text  # time waiting
    assert "i-SOTP one-to-one (1)" in text
    one = _text(client.get(reverse("referrals:waiting_list"), {"programme": "isotp", "format": "one_to_one"}))
    assert old.person.crn not in one


def test_waiting_list_is_for_managers(login, om, facilitator, area_admin):
    assert login(om).get(reverse("referrals:waiting_list")).status_code == 403
    assert login(facilitator).get(reverse("referrals:waiting_list")).status_code == 403
    assert login(area_admin).get(reverse("referrals:waiting_list")).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_person_list_query_count_does_not_grow(login, area, tm, om, rows, django_assert_max_num_queries):
    for _ in range(rows):
        referral_for(area, om, status="submitted")
    client = login(tm)
    with django_assert_max_num_queries(14):  # + the caseload's enforcement-due panel; + the access-log row
        response = client.get(reverse("referrals:person_list"))
    assert _text(response).count("govuk-table__row") == rows + 1


@pytest.mark.parametrize("rows", [3, 15])
def test_referral_list_query_count_does_not_grow(login, area, tm, om, rows, django_assert_max_num_queries):
    for _ in range(rows):
        referral_for(area, om, status="submitted")
    client = login(tm)
    with django_assert_max_num_queries(11):  # includes the access-log row for the list
        response = client.get(reverse("referrals:referral_list"))
    assert _text(response).count("govuk-table__row") == rows + 1


@pytest.mark.parametrize("rows", [3, 15])
def test_waiting_list_query_count_does_not_grow(login, area, tm, om, rows, django_assert_max_num_queries):
    # The area's catalogue and closure dates are read once for the whole list (referrals.programme_terms).
    for _ in range(rows):
        referral_for(area, om, status="awaiting_allocation")
    client = login(tm)
    with django_assert_max_num_queries(
        17
    ):  # + the access-log row; + the header's unread count; the catalogue and closures once; + the restarts (one);
        # + the groups a TM may allocate to (one, issue 13); + the overdue / soon counts (perf12); the list's length
        # is its tab's count (perf19: no COUNT of its own)
        response = client.get(reverse("referrals:waiting_list"))
    assert _text(response).count("govuk-table__row") == rows + 1
    assert f"{rows} waiting for" in _text(response)


def test_waiting_list_counts_overdue_and_soon_in_sql_exactly_as_the_rule(login, area, om, tm):
    """perf12: the page (its own order, unfiltered) counts who is overdue and who must start soon in SQL against
    the catalogue's bounds, and builds only the page's rows: around both bounds the counts are the rule's over
    the whole list, and page 2 holds the places after page 1's."""
    from referrals import selectors
    from referrals.rules.waiting import DEFAULT_WARNING_WEEKS
    from referrals.views.waiting_list import PAGE_SIZE

    today, day = TODAY(), dt.timedelta(days=1)
    catalogue = catalogue_for(area)
    overdue = catalogue.ends_needing_a_start_before("isotp", "group", today, on=today)
    soon = catalogue.ends_needing_a_start_before(
        "isotp", "group", today + dt.timedelta(days=DEFAULT_WARNING_WEEKS * 7 + 1), on=today
    )
    assert overdue is not None and soon is not None
    ends = [overdue - day, overdue, overdue + day, soon - day, soon, soon + day, today - 30 * day, None]
    ends += [today + 4000 * day] * (PAGE_SIZE + 2 - len(ends))
    for end in ends:
        referral = referral_for(area, om, status="awaiting_allocation")
        sentences = Sentence.objects.filter(person=referral.person)
        sentences.update(supervision_end_date=end) if end else sentences.delete()  # None: no sentence at all
    whole = selectors.waiting_list(tm, programme="isotp", format="group", today=today)
    levels = [row.urgency.level for row in whole]
    assert selectors.waiting_urgency_counts(
        tm, programme="isotp", format="group", today=today, catalogue=catalogue
    ) == (levels.count("overdue"), levels.count("start_soon"))
    assert levels.count("overdue") == 2 and levels.count("start_soon") == 3  # the bounds themselves are not
    client = login(tm)
    first = client.get(reverse("referrals:waiting_list"))
    assert first.context["overdue"] == 2 and first.context["soon"] == 3
    assert [row.position for row in first.context["page"]] == list(range(1, PAGE_SIZE + 1))
    second = client.get(reverse("referrals:waiting_list"), {"page": 2})
    assert [(row.position, row.referral.pk, row.urgency) for row in second.context["page"]] == [
        (row.position, row.referral.pk, row.urgency) for row in whole[PAGE_SIZE:]
    ]


def test_waiting_list_urgent_and_searched_rows_are_found_in_sql_exactly_as_the_rule(login, area, om, tm):
    """Issue 11: `?urgency=soon` pages the rows the rule calls overdue or start soon (found in SQL against the
    catalogue's bound, only the page's rows built), and `?q` builds only the rows its search finds: both are the
    rows of the whole list the rule and the search keep, with their places in the whole list, across two pages."""
    from referrals import selectors
    from referrals.views.waiting_list import PAGE_SIZE, URGENT_LEVELS

    today, day = TODAY(), dt.timedelta(days=1)
    catalogue = catalogue_for(area)
    soon = selectors.urgent_ends_before(catalogue, programme="isotp", format="group", today=today)
    assert soon is not None
    # Urgent rows (ending up to the bound) interleaved with rows that are not (the bound itself, later, none).
    ends: list[dt.date | None] = []
    for k in range(PAGE_SIZE + 3):
        ends += [soon - (k % 40 + 1) * day, (soon, today + 4000 * day, None)[k % 3]]
    for end in ends:
        referral = referral_for(area, om, status="awaiting_allocation")
        sentences = Sentence.objects.filter(person=referral.person)
        sentences.update(supervision_end_date=end) if end else sentences.delete()
    whole = selectors.waiting_list(tm, programme="isotp", format="group", today=today)
    urgent = [row for row in whole if row.urgency.level in URGENT_LEVELS]
    assert len(urgent) == PAGE_SIZE + 3 and len(whole) == 2 * (PAGE_SIZE + 3)
    client = login(tm)
    shown = []
    for page in (1, 2):
        response = client.get(
            reverse("referrals:waiting_list"),
            {"programme": "isotp", "format": "group", "urgency": "soon", "page": page},
        )
        assert response.status_code == 200
        shown += [(row.position, row.referral.pk, row.urgency) for row in response.context["page"]]
    assert shown == [(row.position, row.referral.pk, row.urgency) for row in urgent]
    person = whole[PAGE_SIZE + 1].person
    found = client.get(
        reverse("referrals:waiting_list"), {"programme": "isotp", "format": "group", "q": person.crn}
    )
    assert [(row.position, row.referral.pk) for row in found.context["page"]] == [
        (row.position, row.referral.pk) for row in whole if row.person.pk == person.pk
    ]


# --- RM2000 calculator ------------------------------------------------------------------------------------------

CALC = {
    "sex": "male",
    **_date("date_of_birth", dt.date(1980, 5, 1)),
    **_date("assessment_date", dt.date(2026, 1, 10)),
    **_date("commencement_of_risk_date", dt.date(2002, 6, 1)),
    "sexual_offence_after_16": "yes",
    "sexual_appearances": "2",
    "criminal_appearances": "5",
    "violent_appearances": "1",
    "burglary": "on",
    "factors": ["stranger_victim", "single"],
}


def test_calculator_asks_about_a_sexual_offence_after_16_and_refuses_a_no(login, tm):
    """domain.md §4: the condition is asked, and a "no" is refused like a female."""
    client = login(tm)
    missing = {k: v for k, v in CALC.items() if k != "sexual_offence_after_16"}
    assert "Select whether he committed a sexual offence after the age of 16" in _text(
        client.post(reverse("referrals:rm2000_calculator"), missing)
    )
    refused = client.post(reverse("referrals:rm2000_calculator"), {**CALC, "sexual_offence_after_16": "no"})
    assert "at least one sexual offence committed after the age of 16" in _text(refused)
    assert "RM2000/S category" not in _text(refused)


def test_calculator_scores_a_pre_release_assessment_with_a_warning(login, tm):
    later = {**CALC, **_date("commencement_of_risk_date", dt.date(2026, 6, 1))}
    text = _text(login(tm).post(reverse("referrals:rm2000_calculator"), later))
    assert "a pre-release assessment" in text and "RM2000/S category" in text


def test_calculator_shows_the_working_and_the_scoring_table(login, tm):
    response = login(tm).post(reverse("referrals:rm2000_calculator"), CALC)
    text = _text(response)
    assert response.status_code == 200 and not _summary(response)
    assert "RM2000/S step 1 total 4: High" in text  # age 22 -> 2, 2 sexual -> 1, 5 criminal -> 1
    assert "RM2000/S category: Very High" in text  # 2 aggravating factors: up one
    assert "Scoring table 2003-commonly-cited-1" in text and "Thornton (2007)" in text
    # Issue 13: the table's note in words (no "domain.md §4"), its id small for support.
    assert "domain.md" not in text and "§" not in text and "Version 2003-commonly-cited-1" in text
    # The aggravating factors are checkboxes (several may apply), kept as entered.
    assert text.count('name="factors" type="checkbox"') == 4
    assert 'value="stranger_victim" checked' in text and 'value="single" checked' in text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"sex": "female"}, "id_sex_0", "only valid for males"),
        ({**_date("date_of_birth", dt.date(2010, 1, 1))}, "id_date_of_birth_0", "only valid from age 18"),
        ({"sexual_appearances": "0"}, "id_sexual_appearances", "needs at least one sexual appearance"),
        ({"violent_appearances": "-1"}, "id_violent_appearances", "cannot be negative"),
        ({"sexual_appearances": "-3"}, "id_sexual_appearances", "Sexual appearances cannot be negative (-3)"),
        # Out of range: the form's bounds, on the field, never a score (the limit named in the message).
        ({"criminal_appearances": "1" + "0" * 30}, "id_criminal_appearances", "cannot be more than 200"),
        ({"violent_appearances": "201"}, "id_violent_appearances", "cannot be more than 200"),
        (
            {"sexual_appearances": "200", "criminal_appearances": "-1"},
            "id_criminal_appearances",
            "negative (-1)",
        ),
    ],
)
def test_calculator_refuses_bad_input_with_the_field(login, tm, change, field, message):
    response = login(tm).post(reverse("referrals:rm2000_calculator"), {**CALC, **change})
    summary = _summary(response)
    assert f'href="#{field}"' in summary and message in summary
    assert "How it was worked out" not in _text(response)


def test_calculator_records_the_result_on_a_person(login, area, om, tm):
    person = PersonFactory(area=area, offender_manager=om, date_of_birth=dt.date(1980, 5, 1))
    url = reverse("referrals:rm2000_calculator") + f"?person={person.public_id}"
    client = login(tm)
    page = _text(client.get(url))
    assert person.full_name in page and 'value="1980"' in page  # date of birth from the record
    shown = _text(client.post(url, CALC))
    assert f"Record this result for {person.full_name}" in shown
    response = client.post(url, {**CALC, "action": "record"})
    assert response["Location"] == reverse("referrals:person_detail", args=[person.public_id])
    assessment = person.rm2000_assessments.get()
    assert (assessment.s, assessment.source, assessment.table_version) == (
        "very_high",
        "calculated",
        "2003-commonly-cited-1",
    )


def test_calculator_is_for_treatment_managers(login, om):
    assert login(om).get(reverse("referrals:rm2000_calculator")).status_code == 403


def test_the_persons_om_uses_the_calculator_for_him_and_records_the_result(login, area, om):
    """issue 13: the OM may record RM2000 (service and API), so the calculator page for their own person is theirs
    too, with the "Calculate RM2000" button on the person page; another OM's person is not found."""
    person = PersonFactory(area=area, offender_manager=om, date_of_birth=dt.date(1980, 5, 1))
    client = login(om)
    detail = client.get(reverse("referrals:person_detail", args=[person.public_id])).content.decode()
    assert "Calculate RM2000" in detail
    url = reverse("referrals:rm2000_calculator") + f"?person={person.public_id}"
    assert client.get(url).status_code == 200
    response = client.post(url, {**CALC, "action": "record"})
    assert response["Location"] == reverse("referrals:person_detail", args=[person.public_id])
    assert person.rm2000_assessments.get().source == "calculated"
    theirs = PersonFactory(area=area, offender_manager=UserFactory(role="offender_manager", area=area))
    url = reverse("referrals:rm2000_calculator") + f"?person={theirs.public_id}"
    assert client.get(url).status_code == 404


def test_the_calculator_for_a_person_is_refused_to_roles_that_may_not_record_rm2000(
    login, area, om, area_admin
):
    person = PersonFactory(area=area, offender_manager=om)
    url = reverse("referrals:rm2000_calculator") + f"?person={person.public_id}"
    assert login(area_admin).get(url).status_code == 403


# --- home page --------------------------------------------------------------------------------------------------


def test_home_cards_for_om_and_tm(login, area, om, tm):
    referral_for(area, om, status="draft")
    referral_for(area, om, status="submitted")
    referral_for(area, om, status="awaiting_allocation")
    om_home = _text(login(om).get("/"))
    assert "My caseload" in om_home and "Draft referrals" in om_home and "Referrals needing action" in om_home
    tm_home = _text(login(tm).get("/"))
    assert "Referrals awaiting assessment" in tm_home and "i-SOTP group: 1" in tm_home
    assert "Must start soon" in tm_home


# --- every page with the demo data ------------------------------------------------------------------------------


def test_every_page_renders_with_the_demo_data(login):
    """The demo's varied cases (drafts, parked, waiting, closed, overridden) through every page a TM or OM opens."""
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", stdout=StringIO())
    tm = User.objects.get(email__startswith="tm@", area__code="cheshire")
    client = login(tm)
    pages = [
        reverse("referrals:person_list"),
        reverse("referrals:referral_list"),
        reverse("referrals:rm2000_calculator"),
    ]
    pages += [
        f"{reverse('referrals:waiting_list')}?programme={p}&format={f}"
        for p, f in (("isotp", "group"), ("isotp", "one_to_one"), ("nsogp", "group"))
    ]
    referrals = list(Referral.objects.filter(area=tm.area).select_related("person"))
    assert referrals
    for referral in referrals:
        pages += [
            reverse("referrals:person_detail", args=[referral.person.public_id]),
            reverse("referrals:referral_detail", args=[referral.public_id]),
            reverse("referrals:referral_assess", args=[referral.public_id]),
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    for referral in referrals:
        om_client = login(referral.person.offender_manager)
        if referral.status == "draft":
            for name in ("referral_tasks", "referral_check", "referral_offences", "referral_risk"):
                assert (
                    om_client.get(reverse(f"referrals:{name}", args=[referral.public_id])).status_code == 200
                )
        else:
            assert (
                om_client.get(reverse("referrals:referral_detail", args=[referral.public_id])).status_code
                == 200
            )
    assert login(tm).get("/").status_code == 200


# --- OGRS3 on the person's risk page (domain.md §4.1) ----------------------------------------------------------

OGRS3_FORM = {
    **_date("conviction_date", dt.date(2024, 6, 1)),
    **_date("assessment_date", dt.date(2024, 6, 1)),
    "age_at_first_sanction": "20",
    "previous_sanctions": "1",
    "offence_group": "violence",
}


def _ogrs3_person(area, om):
    from tests.referrals.factories import PersonFactory

    return PersonFactory(area=area, offender_manager=om, date_of_birth=dt.date(2004, 6, 1), sex="male")


def test_ogrs3_calculator_shows_the_working_and_records_it(login, area, om):
    person = _ogrs3_person(area, om)
    client = login(om)
    url = reverse("referrals:ogrs3_calculator", args=[person.public_id])
    text = _text(client.post(url, {**OGRS3_FORM, "action": "calculate"}))
    assert "Coefficient table ogrs3-2009-1" in text and "rsr-calculator" in text
    assert "0.315812" in text and "0.486518" in text and "49%" in text  # the published check value
    assert "Band on the 2-year score, 49%" in text
    response = client.post(url, {**OGRS3_FORM, "action": "record"})
    assert response.status_code == 302
    record = person.ogrs3_assessments.get()
    assert (str(record.one_year), str(record.two_year), record.band, record.source) == (
        "0.315812",
        "0.486518",
        "low",
        "calculated",
    )
    assert record.working and AuditEvent.objects.filter(action="ogrs3.calculated").exists()
    page = _text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert "OGRS3" in page and "32% within 1 year, 49% within 2 years" in page


@pytest.mark.parametrize(
    ("change", "anchor", "words"),
    [
        ({"age_at_first_sanction": "25"}, "id_age_at_first_sanction", "after the current conviction"),
        ({"age_at_first_sanction": "9"}, "id_age_at_first_sanction", "below 10"),
        ({"previous_sanctions": "-1"}, "id_previous_sanctions", "cannot be negative"),
        ({"offence_group": ""}, "id_offence_group", "Select the offence group"),
    ],
)
def test_ogrs3_calculator_refuses_impossible_answers_on_the_field(login, area, om, change, anchor, words):
    person = _ogrs3_person(area, om)
    response = login(om).post(
        reverse("referrals:ogrs3_calculator", args=[person.public_id]), {**OGRS3_FORM, **change}
    )
    summary = _summary(response)
    assert f'href="#{anchor}' in summary and words in summary, summary
    assert not person.ogrs3_assessments.exists()


def test_ogrs3_from_oasys_and_a_correction_supersedes_it_with_the_history_kept(login, area, om, tm):
    person = _ogrs3_person(area, om)
    client = login(om)
    url = reverse("referrals:ogrs3_record", args=[person.public_id])
    response = client.post(
        url, {"one_year_percent": "30", "two_year_percent": "20", **_date("assessed_on", TODAY())}
    )
    assert "cannot be below the 1-year" in _summary(response)
    client.post(url, {"one_year_percent": "20", "two_year_percent": "30", **_date("assessed_on", TODAY())})
    client.post(url, {"one_year_percent": "40", "two_year_percent": "55", **_date("assessed_on", TODAY())})
    page = _text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert "40% within 1 year, 55% within 2 years" in page and "Medium" in page
    assert "Earlier entries (1)" in page and "OGRS3: Low (20% / 30%)" in page


def test_the_low_likelihood_warning_reads_the_stored_ogrs3(area, om, tm):
    """004 (domain.md §2.5, §4.1): RM2000/S Low and the stored OGRS3 band Low give the warning."""
    from referrals.services.risk import record_ogrs3, record_rm2000
    from tests.referrals.factories import referral_for

    referral = referral_for(area, om, status="submitted")
    person = referral.person
    record_rm2000(
        actor=tm, person=person, s="low", v="low", c="low", assessed_on=TODAY(), assessor="A Assessor"
    )
    fresh = Referral.objects.get(pk=referral.pk)
    assert "LOW_LIKELIHOOD_NOT_COMMISSIONED" not in _codes(decision_for(fresh, TODAY()))
    record_ogrs3(actor=tm, person=person, one_year_percent=10, two_year_percent=20, assessed_on=TODAY())
    fresh = Referral.objects.get(pk=referral.pk)
    decision = decision_for(fresh, TODAY())
    warnings = {w.code for p in decision.programmes for w in p.warnings}
    assert "LOW_LIKELIHOOD_NOT_COMMISSIONED" in warnings


def test_a_corrected_sentence_is_current_and_the_first_stays_in_the_history(login, area, om):
    """Issue 7: the current sentence is the latest entered, even with an earlier start date (a correction)."""
    from referrals.services.people import record_sentence
    from tests.referrals.factories import eligible_person

    person = eligible_person(area, om)
    first = person.sentences.get()
    record_sentence(
        actor=om,
        person=person,
        legal_basis="licence",
        programme_requirement=True,
        start_date=first.start_date - dt.timedelta(days=30),
        supervision_end_date=first.supervision_end_date,
    )
    page = _text(login(om).get(reverse("referrals:person_detail", args=[person.public_id])))
    sentence_card, rest = page.split("Earlier sentences (1)")
    assert "Licence condition to attend the programme" in sentence_card
    assert "Community order" not in sentence_card
    history, risk_card = rest.split("Risk", 1)
    assert "Community order" in history  # the superseded sentence, in the Sentence card's history
    assert (
        "Sentence:" not in risk_card and "Earlier entries" not in risk_card
    )  # the Risk card shows risk only


def test_a_conviction_records_contact_defaulting_from_the_offence(login, area, om):
    from tests.referrals.factories import PersonFactory

    person = PersonFactory(area=area, offender_manager=om)
    client = login(om)
    url = reverse("referrals:conviction_add", args=[person.public_id])
    base = {"offence": "soa2003_s10", **_date("conviction_date", dt.date(2024, 1, 10))}
    client.post(url, base)
    client.post(url, {**base, "contact": "no"})
    assert list(person.convictions.order_by("pk").values_list("contact", flat=True)) == [True, False]
    # Review of issue 7, no. 2: the record shows what was recorded, not only the category.
    page = _text(client.get(reverse("referrals:person_detail", args=[person.public_id])))
    assert page.count("Recorded as involving actual or attempted contact.") == 1
    assert page.count("Recorded as involving no actual or attempted contact.") == 1
    refused = client.post(url, {**base, "offence": "soa2003_s5", "contact": "no"})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    assert "always involves contact" in refused.content.decode()
    assert person.convictions.count() == 2


# --- issue 7: pages ask the permission predicates (through selectors), never a role ---------------------------


def test_the_person_page_offers_what_each_role_may_do(login, tm, om, area_admin, area):
    person = eligible_person(area, om)
    url = reverse("referrals:person_detail", args=[person.public_id])
    export = reverse("dataprotection:subject_access", args=[person.public_id])
    calculator = reverse("referrals:rm2000_calculator")
    pages = {who.role: login(who).get(url).content.decode() for who in (tm, om, area_admin)}
    assert (
        export in pages["area_admin"]
        and export not in pages["treatment_manager"]
        and export not in pages["offender_manager"]
    )
    # issue 13: the person's OM may record RM2000, so the calculator is offered to them too.
    assert calculator in pages["treatment_manager"] and calculator in pages["offender_manager"]
    assert calculator not in pages["area_admin"]
    assert (
        "Back to my caseload" in pages["offender_manager"] and "Back to people" in pages["treatment_manager"]
    )


def test_the_calculator_for_another_areas_person_is_not_found(login, tm, other_area, other_om):
    person = eligible_person(other_area, other_om)
    url = reverse("referrals:rm2000_calculator") + f"?person={person.public_id}"
    assert login(tm).get(url).status_code == 404


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


# --- issue 13: the offender manager's journey after submitting ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "referral_tasks",
        "referral_programme",
        "referral_offences",
        "referral_risk",
        "referral_other",
        "referral_check",
    ],
)
def test_om_back_on_a_submitted_referrals_journey_sees_the_referral_and_why(login, area, om, name):
    """issue 13: not a bare 403 but the referral, saying it has been submitted, cannot be changed, and what next."""
    referral = referral_for(area, om, status="submitted")
    client = login(om)
    response = client.get(reverse(f"referrals:{name}", args=[referral.public_id]))
    detail = reverse("referrals:referral_detail", args=[referral.public_id])
    assert response.status_code == 302 and response["Location"] == detail
    text = _text(client.get(detail))
    assert "has been submitted, so it can no longer be changed" in text
    assert "A treatment manager will assess it" in text


def test_a_submitted_referrals_journey_is_still_refused_to_others(login, area, om, tm):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:referral_tasks", args=[referral.public_id])
    assert login(tm).get(url).status_code == 403
    other_om = UserFactory(role="offender_manager", area=area)
    assert login(other_om).get(url).status_code == 404


def test_refer_is_not_offered_for_someone_on_a_programme_and_the_page_says_why(login, area, om):
    """issue 13: the person page asks the same question as `create_referral` before offering the button."""
    referral = referral_for(area, om, status="on_programme")
    person = referral.person
    client = login(om)
    start = reverse("referrals:referral_start", args=[person.public_id])
    page = client.get(reverse("referrals:person_detail", args=[person.public_id]))
    assert start not in page.content.decode()
    assert "Already on i-SOTP group" in _text(page)
    assert "Record a proven reoffence" in _text(page)  # the other action stays
    # Going straight to the start page says why before any form is filled.
    response = client.get(start)
    assert response["Location"] == reverse("referrals:person_detail", args=[person.public_id])
    assert "a new referral cannot be made while that one is open" in _text(client.get(response["Location"]))
    assert client.post(start, {"programme": "nsogp", "format": "group"}).status_code == 302
    assert person.referrals.count() == 1


def test_refer_is_not_offered_while_a_referral_awaits_assessment_and_is_once_closed(login, area, om):
    referral = referral_for(area, om, status="submitted")
    url = reverse("referrals:person_detail", args=[referral.person.public_id])
    start = reverse("referrals:referral_start", args=[referral.person.public_id])
    client = login(om)
    page = client.get(url)
    assert "Referral awaiting assessment (i-SOTP group)" in _text(page) and start not in page.content.decode()
    Referral.objects.filter(pk=referral.pk).update(status="withdrawn")
    page = client.get(url)
    assert start in page.content.decode() and "Referral awaiting assessment" not in _text(page)


# --- review of issue 7, nos. 8 and 13 --------------------------------------------------------------------------


def test_the_status_page_says_plainly_when_there_is_no_move_to_make_by_hand(login, tm, facilitator, om, area):
    referral = referral_for(area, om, status="on_programme")
    url = reverse("referrals:referral_status", args=[referral.public_id])
    response = login(tm).get(url)
    assert response.status_code == 200
    page = _text(response)
    assert "There are no changes to make by hand from on programme." in page
    assert "Change status" not in page
    assert login(facilitator).get(url).status_code in (403, 404)  # never a status changer


def test_the_ogrs3_calculator_refuses_an_administrator_before_logging_a_view(login, area_admin, om, area):
    person = eligible_person(area, om)
    for name in ("ogrs3_calculator", "ogrs3_record"):
        response = login(area_admin).get(reverse(f"referrals:{name}", args=[person.public_id]))
        assert response.status_code == 403, name
    assert not AccessLog.objects.filter(object_id=str(person.public_id)).exists()


@pytest.mark.parametrize(
    "page", ["referrals:referral_risk", "referrals:referral_check", "referrals:referral_offences"]
)
def test_a_refused_user_is_not_logged_as_having_seen_the_record(login, area, om, tm, page):
    """Tester of issue 7, no. 2: the journey's record pages answered 403 to a TM yet logged his view of the record;
    the selector checks the permission before it logs. The person's OM is logged."""
    referral = referral_for(area, om, status="draft")
    person = referral.person
    assert login(tm).get(reverse(page, args=[referral.public_id])).status_code == 403
    assert not AccessLog.objects.filter(actor=tm).exists()
    assert login(om).get(reverse(page, args=[referral.public_id])).status_code == 200
    assert AccessLog.objects.filter(actor=om, object_id=str(person.public_id), via="page").count() == 1


_PERSON_PAGES = [
    ("referrals:person_edit", "offender_manager", "area_admin"),
    ("referrals:sentence_record", "offender_manager", "area_admin"),
    ("referrals:rm2000_record", "offender_manager", "area_admin"),
    ("referrals:rosh_record", "treatment_manager", "area_admin"),
    ("referrals:deviance_record", "treatment_manager", "offender_manager"),
    ("referrals:conviction_add", "offender_manager", "area_admin"),
]


@pytest.mark.parametrize(("page", "allowed", "refused"), _PERSON_PAGES)
def test_a_person_question_page_logs_an_allowed_view_and_not_a_refused_one(
    login, personas, area, page, allowed, refused
):
    """Tester of issue 7: the person's question pages showed the record without logging the view. Their GET goes
    through the logging selector, permission first: an allowed user's view is one row, a refused user's none."""
    person = eligible_person(area, personas["offender_manager"])
    url = reverse(page, args=[person.public_id])
    logged = AccessLog.objects.filter(object_id=str(person.public_id))
    assert login(personas[refused]).get(url).status_code == 403
    assert not logged.exists()
    assert login(personas[allowed]).get(url).status_code == 200
    assert logged.filter(actor=personas[allowed], via="page").count() == 1
    assert logged.count() == 1


@pytest.mark.parametrize(
    ("allowed", "refused"), [("treatment_manager", "area_admin"), ("offender_manager", "facilitator")]
)
def test_the_status_page_logs_an_allowed_view_and_not_a_refused_one(login, personas, area, allowed, refused):
    referral = referral_for(area, personas["offender_manager"], status="on_programme")
    url = reverse("referrals:referral_status", args=[referral.public_id])
    logged = AccessLog.objects.filter(object_id=str(referral.person.public_id))
    assert login(personas[refused]).get(url).status_code in (403, 404)
    assert not logged.exists()
    assert login(personas[allowed]).get(url).status_code == 200
    assert logged.filter(actor=personas[allowed], via="page").count() == 1
    assert logged.count() == 1


@pytest.mark.parametrize("when", ["future", "before_tenth_birthday"])
def test_the_ogrs3_form_shows_the_services_date_refusal_on_its_field(login, area, om, when):
    """Tester of issue 7, no. 3: the form no longer repeats the not-in-the-future rule; record_ogrs3's refusal
    (and its before-the-10th-birthday one) shows in the error summary, linked to the date field."""
    person = _ogrs3_person(area, om)
    day = (
        TODAY() + dt.timedelta(days=1)
        if when == "future"
        else person.date_of_birth.replace(year=person.date_of_birth.year + 9)
    )
    url = reverse("referrals:ogrs3_record", args=[person.public_id])
    response = login(om).post(
        url, {"one_year_percent": "20", "two_year_percent": "30", **_date("assessed_on", day)}
    )
    assert response.status_code == 200
    summary = _summary(response)
    assert 'href="#id_assessed_on_0' in summary, summary
    assert not person.ogrs3_assessments.exists()


@pytest.mark.django_db
def test_the_seeded_rm2000_table_reads_in_words() -> None:
    """Issue 13: the scoring table the service starts with (seeded by migration) shows its note without design
    references or section marks, on the calculator and the RM2000 page alike."""
    seeded = Rm2000ScoringTable.objects.get(version="2003-commonly-cited-1")
    note = seeded.source_note  # the column the pages show (the table's own copy stays as the seed stored it)
    assert "domain.md" not in note and "§" not in note
    assert "sections 13 to 15 of Thornton (2007)" in note
