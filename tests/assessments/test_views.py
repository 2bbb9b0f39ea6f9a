"""The psychometric pages: results with the chart and the figures, entering scores with GOV.UK errors, the TM's
override, the group's needs profile and the battery pages (norms marked illustrative wherever they are shown)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import selectors, services
from assessments.models import Administration
from assessments.rules import TARGET_SHORT
from sessions import services as session_services
from tests.assessments.factories import (
    AFTER_END,
    BEFORE_START,
    battery_of,
    complete_sessions,
    demo_battery,
    member,
    problem_score,
    referred_before,
    several_batteries,
    sheet,
)
from tests.pages import error_summary, page_text
from tests.sessions.factories import waiting_referral

pytestmark = pytest.mark.django_db
ILLUSTRATIVE = "illustrative — replace with your area's values"


@pytest.fixture
def setup(area, facilitator, om, tm, time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    version = demo_battery(area)
    membership = member(area, facilitator=facilitator, om=om, tm=tm)
    return version, membership


def _text(response):
    """The page's text without tags (the chart's title and desc stay as text)."""
    return re.sub(r"<[^>]+>", "", page_text(response))


def _form_data(version, **overrides):
    data = {"administered_on_0": "10", "administered_on_1": "12", "administered_on_2": "2026"}
    for code, entry in sheet(battery_of(version)).items():
        value = entry.get("score", None)
        data[f"scale_{code}"] = str(value) if value is not None else ",".join(str(i) for i in entry["items"])
    data.update(overrides)
    return data


def test_entering_pre_scores_with_errors_then_success(login, facilitator, setup):
    version, membership = setup
    client = login(facilitator)
    url = f"/psychometrics/members/{membership.public_id}/pre/"
    page = client.get(url)
    assert page.status_code == 200 and "Enter pre-programme scores" in page_text(page)
    unreadable = client.post(url, _form_data(version, scale_SE="lots", scale_EL=""))
    assert unreadable.status_code == 200
    summary = error_summary(unreadable)
    assert (
        "Enter the score for Self-esteem as a number" in summary
        and "Enter a score for Emotional loneliness" in summary
    )
    bad = client.post(url, _form_data(version, scale_CDS="80", scale_IRI_PT="2,,2,,2,2,2"))
    summary = error_summary(bad)
    assert "Enter a score for Cognitive distortions (children and sex) from 15 to 75" in summary
    assert "at most 1 may be prorated" in summary
    assert 'href="#id_scale_CDS"' in summary and 'id="id_scale_CDS-error"' in bad.content.decode()
    assert not Administration.objects.exists()
    good = client.post(url, _form_data(version), follow=True)
    assert "Pre-programme scores recorded" in page_text(good)
    assert Administration.objects.filter(membership=membership, kind="pre").exists()


def test_a_date_after_the_first_session_is_a_field_error(login, facilitator, setup, time_machine):
    version, membership = setup
    time_machine.move_to(dt.datetime(2027, 1, 20, 10, tzinfo=BEFORE_START.tzinfo), tick=False)
    response = login(facilitator).post(
        f"/psychometrics/members/{membership.public_id}/pre/",
        _form_data(version, administered_on_0="5", administered_on_1="1", administered_on_2="2027"),
    )
    assert "on or before the first session (4 January 2027)" in error_summary(response)


def test_results_show_norms_chart_change_and_needs(login, facilitator, om, tm, setup, time_machine):
    version, membership = setup
    b = battery_of(version)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(b, CDS={"score": 50}, DENIAL=problem_score(b, "DENIAL"), SDS={"score": 30}),
    )
    time_machine.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="post",
        administered_on=dt.date(2027, 11, 20),
        scores=sheet(b, CDS={"score": 20}),
    )
    for user in (facilitator, om, tm):
        text = _text(login(user).get(f"/psychometrics/members/{membership.public_id}/"))
        assert ILLUSTRATIVE in text
        assert "Interpret with caution" in text
        assert "Psychometric results: pre, post and the normal range per scale" in text  # the chart's title
        assert "Cognitive distortions (children and sex)" in text and "Recovered" in text
        assert "c = 27.38" in text  # the cut-off used and which one: (10 · 24 + 6 · 33) / 16
        assert "Treated profile" in text
        assert "1. Motivation and denial" in text  # the treatment needs
        needs = " ".join(text[text.index("Treatment needs") :].split())
        assert "(from CDS" not in needs and "(from Cognitive distortions (children and sex)" in needs  # names
        assert "This is the configured rule" in text


def test_the_tm_overrides_deviance_and_both_show(login, facilitator, tm, setup):
    version, membership = setup
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(battery_of(version)),
    )
    client = login(tm)
    url = f"/psychometrics/members/{membership.public_id}/deviance/"
    refused = client.post(url, {"level": "high"})
    assert "Enter the rationale for the deviance level" in error_summary(refused)
    done = client.post(url, {"level": "high", "rationale": "Offence pattern and interview"}, follow=True)
    text = _text(done)
    assert "Computed from the pre-programme scores: Low" in text
    assert "Treatment manager's assessment: High" in text and "Offence pattern and interview" in text


def test_the_group_page_shows_the_needs_profile(login, facilitator, tm, setup):
    version, membership = setup
    b = battery_of(version)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 10),
        scores=sheet(b, DENIAL=problem_score(b, "DENIAL")),
    )
    text = page_text(login(tm).get(f"/groups/{membership.group.public_id}/"))
    assert "Treatment needs" in text and "1 of 1 assessed" in text
    assert f"/psychometrics/members/{membership.public_id}/" in text


@pytest.mark.parametrize("members", [1, 4])
def test_the_group_page_costs_the_same_queries_whatever_the_members_assessed(
    login, area, facilitator, tm, setup, members, django_assert_max_num_queries
):
    """Issue 11 (perf10): the group page with its needs profile, one or four members assessed: same queries."""
    version, membership = setup
    b = battery_of(version)
    _pre_with(facilitator, membership, version, DENIAL=problem_score(b, "DENIAL"))
    for _ in range(members - 1):
        extra = session_services.allocate(
            actor=tm, group=membership.group, referral=referred_before(waiting_referral(area))
        )
        _pre_with(facilitator, extra, version, CDS=problem_score(b, "CDS"))
    client = login(tm)
    # 22, the same with one member assessed or four (24 before perf10: the closure and supervision checks read
    # the group's sessions again)
    with django_assert_max_num_queries(22):
        text = page_text(client.get(f"/groups/{membership.group.public_id}/"))
    assert f"{members} of {members} assessed" in text


def test_battery_pages_mark_the_norms_illustrative(login, area, area_admin, tm):
    version = demo_battery(area)
    detail = page_text(login(tm).get(f"/psychometrics/batteries/{version.battery.code}/"))
    assert ILLUSTRATIVE in detail and "Perspective taking (IRI)" in detail
    export = login(tm).get(f"/psychometrics/batteries/{version.battery.code}/v1.json")
    assert export["Content-Disposition"].startswith("attachment") and export.json() == version.definition
    client = login(area_admin)
    bad = client.post(
        "/psychometrics/batteries/import/", {"definition": '{"code": "x", "name": "X", "scales": []}'}
    )
    assert "Battery, scales: list at least one scale" in error_summary(bad)
    edit = client.get(f"/psychometrics/batteries/import/?from={version.battery.code}")
    assert "norm_mean" in page_text(edit)


@pytest.mark.parametrize("batteries", [2, 12])
def test_the_battery_list_query_count_does_not_grow(
    login, area, other_area, tm, facilitator, area_admin, batteries, django_assert_max_num_queries
):
    """Review of issue 11: the battery list page at two sizes, two versions each (the newest's number, date and
    norms shown), the same bound for every reader; another area's batteries are not listed."""
    newest = several_batteries(area, batteries)
    several_batteries(other_area, 3, name="Elsewhere")
    # 12 whatever the number (11 for managers and facilitators; an administrator's edit check reads the permissions):
    # the session, user, second factor, the batteries' count (the pagination), the page's batteries, their versions
    # with authors, and the page's frame.
    for reader in (tm, facilitator, area_admin):
        client = login(reader)
        with django_assert_max_num_queries(12):
            response = client.get("/psychometrics/batteries/")
        assert response.status_code == 200
        text = page_text(response)
        for version in newest:
            assert (
                f"/psychometrics/batteries/{version.battery.code}/" in text and version.battery.name in text
            )
        assert text.count("Illustrative</strong>") == sum(v.illustrative for v in newest)
        assert text.count("Area values") == sum(not v.illustrative for v in newest)
        assert "Elsewhere" not in text


def test_the_battery_list_shows_25_batteries_a_page(login, area, other_area, tm):
    """The list is paginated like the other list pages (25 a page, GOV.UK pagination): the 26th battery (by name) is
    on page 2, not page 1; a page past the end shows the last page, and a page that is not a number the first."""
    newest = several_batteries(area, 26, versions=1)
    several_batteries(other_area, 3, name="Elsewhere")
    client = login(tm)
    url = "/psychometrics/batteries/"
    first, second = page_text(client.get(url)), page_text(client.get(url, {"page": 2}))
    link = '<a class="govuk-link" href="/psychometrics/batteries/'
    assert (first.count(link), second.count(link)) == (25, 1)
    last = newest[25].battery
    assert f"{url}{last.code}/" not in first and last.name not in first
    assert f"{url}{last.code}/" in second and last.name in second
    assert f"{url}{newest[0].battery.code}/" in first and f"{url}{newest[0].battery.code}/" not in second
    assert '<span class="govuk-visually-hidden">Page </span>1 of 2' in first
    assert 'href="?page=2" rel="next"' in first and 'rel="prev"' not in first
    assert '"govuk-pagination__link-title">Next<span class="govuk-visually-hidden"> page</span>' in first
    assert '<span class="govuk-visually-hidden">Page </span>2 of 2' in second
    assert 'href="?page=1" rel="prev"' in second and 'rel="next"' not in second
    assert "Elsewhere" not in first + second
    past_the_end = page_text(client.get(url, {"page": 99}))
    assert past_the_end.count(link) == 1 and last.name in past_the_end
    assert page_text(client.get(url, {"page": "x"})).count(link) == 25


def _reads_definitions(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return any('"assessments_batteryversion"."definition"' in q["sql"] for q in queries.captured_queries)


def test_the_battery_lists_do_not_read_the_versions_definitions(login, api, area, tm):
    """The list page and the API's list show a version's number, date, norms label, note and author, never its
    definition (about 6.5 KB a version): they leave it unread. The detail page parses it, so it reads it."""
    newest = several_batteries(area, 2)
    assert not _reads_definitions(login(tm), "/psychometrics/batteries/")
    assert not _reads_definitions(api(tm), "/api/v1/batteries/")
    assert _reads_definitions(login(tm), f"/psychometrics/batteries/{newest[0].battery.code}/")


# --- review of issue 9 ----------------------------------------------------------------------------------------------


def _pre_with(facilitator, membership, version, **overrides):
    return services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="pre",
        administered_on=dt.date(2026, 12, 4),
        scores=sheet(battery_of(version), **overrides),
    )


def test_the_group_needs_profile_flags_a_profile_to_interpret_with_caution(login, facilitator, tm, setup):
    version, membership = setup
    _pre_with(facilitator, membership, version, SDS={"score": 30})  # above the threshold of 24
    page = login(tm).get(f"/groups/{membership.group.public_id}/")
    text = _text(page)
    assert "Interpret with caution: 1 member's pre-programme profile is flagged" in text
    needs = page_text(page).split('id="needs"', 1)[1]
    row = next(r for r in needs.split("</tr>") if membership.referral.person.full_name in r)
    assert "Interpret with caution" in row


def test_the_needs_table_marks_each_need_under_its_own_target(login, facilitator, tm, setup):
    """Each member's cells follow the columns (1 to 6), labelled for the stacked layout; a need under its target."""
    version, membership = setup
    b = battery_of(version)
    _pre_with(
        facilitator, membership, version, DENIAL=problem_score(b, "DENIAL"), CDS=problem_score(b, "CDS")
    )
    needs = selectors.group_needs_profile(membership.group)["members"][0]["needs"]
    assert {1, 2} <= set(needs)
    page = page_text(login(tm).get(f"/groups/{membership.group.public_id}/")).split('id="needs"', 1)[1]
    row = next(r for r in page.split("</tr>") if membership.referral.person.full_name in r)
    cells = re.findall(r'<td class="govuk-table__cell" data-label="([^"]*)">(.*?)</td>', row)
    assert [label for label, _ in cells] == [f"{t}. {short}" for t, short in TARGET_SHORT.items()]
    marked = {label.split(".")[0] for label, cell in cells if "app-needs-flag" in cell}
    assert marked == {str(t) for t in needs}
    assert all("No need" in cell for label, cell in cells if label.split(".")[0] not in marked)


def test_the_needs_table_says_not_assessed_in_each_cell_of_a_member_not_assessed(login, tm, setup):
    """A member with no pre-programme psychometrics: every target's cell says so (stacked at phone width, each cell
    is read on its own under its label), never an empty cell that reads like "no need"."""
    _version, membership = setup
    page = page_text(login(tm).get(f"/groups/{membership.group.public_id}/")).split('id="needs"', 1)[1]
    row = next(r for r in page.split("</tr>") if membership.referral.person.full_name in r)
    cells = re.findall(r'<td class="govuk-table__cell" data-label="([^"]*)">(.*?)</td>', row)
    assert [label for label, _ in cells] == [f"{t}. {short}" for t, short in TARGET_SHORT.items()]
    assert [cell for _, cell in cells] == ["Not assessed"] * len(TARGET_SHORT)


def test_an_unflagged_group_shows_no_caution(login, facilitator, tm, setup):
    version, membership = setup
    _pre_with(facilitator, membership, version)
    assert "Interpret with caution" not in _text(login(tm).get(f"/groups/{membership.group.public_id}/"))


def test_the_caution_says_which_administration_raised_it(login, facilitator, setup, time_machine):
    version, membership = setup
    _pre_with(facilitator, membership, version)
    time_machine.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    services.record_administration(
        actor=facilitator,
        membership=membership,
        kind="post",
        administered_on=dt.date(2027, 11, 20),
        scores=sheet(battery_of(version), SDS={"score": 30}),
    )
    text = _text(login(facilitator).get(f"/psychometrics/members/{membership.public_id}/"))
    assert "Post-programme scores of 20 November 2027: Interpret with caution" in text
    assert "Pre-programme scores of" not in text


def test_post_scores_are_not_offered_before_the_sessions_are_complete(
    login, facilitator, setup, time_machine
):
    version, membership = setup
    _pre_with(facilitator, membership, version)
    client = login(facilitator)
    results_url = f"/psychometrics/members/{membership.public_id}/"
    assert "Enter post-programme scores" not in _text(client.get(results_url))
    refused = client.get(f"{results_url}post/", follow=True)
    assert refused.redirect_chain[-1][0] == results_url
    assert "after the member's sessions are complete" in _text(refused)
    posted = client.post(f"{results_url}post/", _form_data(version), follow=True)
    assert "after the member's sessions are complete" in _text(posted)
    assert not Administration.objects.filter(kind="post").exists()
    time_machine.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    client = login(facilitator)  # a new day, a new sign-in
    assert "Enter post-programme scores" in _text(client.get(results_url))
    assert client.get(f"{results_url}post/").status_code == 200


def test_every_score_error_shows_at_once_each_linked_to_its_field(login, facilitator, setup):
    version, membership = setup
    response = login(facilitator).post(
        f"/psychometrics/members/{membership.public_id}/pre/",
        _form_data(
            version,
            administered_on_0="1",
            administered_on_1="1",
            administered_on_2="1900",
            scale_SE="lots",  # unreadable: the form's own error
            scale_CDS="80",  # out of range: the service's
            scale_IRI_PT="2,,2,,2,2,2",  # too many missing: the service's
        ),
    )
    summary = error_summary(response)
    assert "on or after the referral (8 July 2026)" in summary
    assert "Enter the score for Self-esteem as a number" in summary
    assert "from 15 to 75" in summary and "at most 1 may be prorated" in summary
    for field in ("id_administered_on_0", "id_scale_SE", "id_scale_CDS", "id_scale_IRI_PT"):
        assert f'href="#{field}"' in summary, field
    assert not Administration.objects.exists()


def test_administered_by_can_be_chosen_and_defaults_to_the_user(login, facilitator, tm, setup):
    version, membership = setup
    client = login(facilitator)
    url = f"/psychometrics/members/{membership.public_id}/pre/"
    page = client.get(url).content.decode()
    assert re.search(rf'<option value="{facilitator.public_id}" selected>', page)
    assert f'<option value="{tm.public_id}"' in page
    client.post(url, _form_data(version, administered_by=str(tm.public_id)))
    assert Administration.objects.get(membership=membership).administered_by == tm


def test_dates_are_written_without_leading_zeros(login, facilitator, setup):
    version, membership = setup
    _pre_with(facilitator, membership, version)
    text = _text(login(facilitator).get(f"/psychometrics/members/{membership.public_id}/"))
    assert "4 December 2026, administered by" in text and "04 December" not in text
    rationale = membership.referral.person.deviance_assessments.order_by("-id").first().rationale
    assert rationale.startswith("Pre-programme psychometrics of 4 December 2026 (")


def test_the_views_make_no_role_check_of_their_own():
    """Services and selectors are the one gate (issue 7): the views render the refusal they are given."""
    import inspect

    from assessments import views

    source = inspect.getsource(views)
    assert "require(" not in source and "has_role(" not in source and "is_treatment_manager(" not in source


def test_battery_import_reports_every_problem_at_once(login, area, area_admin):
    definition = json.loads(json.dumps(demo_battery(area).definition))
    definition["scales"][0].update(reliability=1.5, norm_sd=0, colour="red")
    definition["scales"][2].update(min=120, offender_sd=-1)
    response = login(area_admin).post(
        "/psychometrics/batteries/import/", {"definition": json.dumps(definition)}
    )
    summary = error_summary(response)
    for expected in (
        "Scale 1 (CDS), reliability:",
        "Scale 1 (CDS), norm_sd:",
        "Scale 1 (CDS), colour: is not a field of a scale",
        "Scale 3 (VED), max: must be greater than min",
        "Scale 3 (VED), offender_sd:",
    ):
        assert expected in summary, expected


def test_attackers_are_refused(login, area, facilitator, om, tm, other_tm, setup):
    """Another area's TM: not found. A facilitator of another group: not found, reading or writing. The person's OM
    reads but may not write (403); another OM does not find the member."""
    from accounts.models import Role
    from tests.factories import UserFactory
    from tests.sessions.factories import trained_facilitator

    version, membership = setup
    base = f"/psychometrics/members/{membership.public_id}/"
    assert login(other_tm).get(base).status_code == 404
    assert login(other_tm).post(f"{base}pre/", _form_data(version)).status_code == 404
    stranger = trained_facilitator(area)  # delivers no group of this member
    assert login(stranger).get(base).status_code == 404
    assert login(stranger).post(f"{base}pre/", _form_data(version)).status_code == 404
    own_om = login(om)
    assert own_om.get(base).status_code == 200
    assert own_om.get(f"{base}pre/").status_code == 403
    assert own_om.post(f"{base}pre/", _form_data(version)).status_code == 403
    assert own_om.post(f"{base}deviance/", {"level": "high", "rationale": "x"}).status_code == 403
    other_om = UserFactory(role=Role.OFFENDER_MANAGER, area=area)
    assert login(other_om).get(base).status_code == 404
    assert login(facilitator).post(f"{base}deviance/", {"level": "high", "rationale": "x"}).status_code == 403
    assert not Administration.objects.exists()
    assert login(tm).get(base).status_code == 200


@pytest.mark.parametrize("interleaved", [False, True])
def test_the_error_summary_follows_the_order_of_the_fields_on_the_page(
    login, area, facilitator, setup, interleaved
):
    """Issue 9: the form's own errors and the service's are listed together, in the order the fields appear (the
    page groups scales by domain, even when the battery lists them in another order)."""
    version, membership = setup
    extra = {}
    if (
        interleaved
    ):  # the last scale (another domain) listed second: the page still shows it in its domain's group
        definition = json.loads(json.dumps(version.definition))
        scales = definition["scales"]
        scales.insert(1, scales.pop())
        assert scales[1]["domain"] != scales[0]["domain"]
        version = demo_battery(area, definition)
        extra = {f"scale_{scales[1]['code']}": "lots"}
    response = login(facilitator).post(
        f"/psychometrics/members/{membership.public_id}/pre/",
        _form_data(
            version,
            administered_on_0="1",
            administered_on_1="1",
            administered_on_2="1900",  # the service's (before the referral)
            scale_SE="lots",  # unreadable: the form's own error
            scale_CDS="80",  # out of range: the service's
            scale_IRI_PT="2,,2,,2,2,2",  # too many missing: the service's
            scale_EL="",  # missing: the form's own
            **extra,
        ),
    )
    page = response.content.decode()
    summary = error_summary(response)
    linked = re.findall(r'href="#(id_[^"]+)"', summary)
    fields_on_page = [
        anchor
        for anchor in re.findall(r'<(?:input|select|textarea)[^>]*\bid="(id_[^"]+)"', page)
        if anchor in linked
    ]
    assert len(linked) == 5 + len(extra) and linked == fields_on_page, (linked, fields_on_page)
