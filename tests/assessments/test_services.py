"""The psychometric services and selectors on PostgreSQL: battery versions, recording pre and post, prorating and
range errors, timing, deviance flowing into the referral, the TM's override, permissions, old results unchanged by a
new battery version, and query counts that do not grow with the group."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Role
from assessments import selectors, services
from assessments.models import Administration, BatteryVersion
from audit.models import AccessLog, AuditEvent
from isotp.errors import DomainConflict
from referrals.candidates import decision_for
from referrals.models import DevianceAssessment, DevianceSource
from sessions import services as session_services
from sessions.models import Membership
from tests.assessments.factories import (
    AFTER_END,
    BEFORE_START,
    START,
    battery_of,
    complete_sessions,
    demo_battery,
    demo_definition,
    member,
    problem_score,
    referred_before,
    sheet,
)
from tests.factories import UserFactory
from tests.sessions.factories import waiting_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def before_start(time_machine):
    time_machine.move_to(BEFORE_START, tick=False)
    return time_machine


@pytest.fixture
def battery(area, area_admin):
    return demo_battery(area)


def _pre(actor, membership, scores, on=dt.date(2026, 12, 10)):
    return services.record_administration(
        actor=actor, membership=membership, kind="pre", administered_on=on, scores=scores
    )


def _post(actor, membership, scores, on=dt.date(2027, 11, 20)):
    return services.record_administration(
        actor=actor, membership=membership, kind="post", administered_on=on, scores=scores
    )


# --- battery configuration -------------------------------------------------------------------------------------


def test_each_save_is_a_new_version_and_is_audited(area, area_admin):
    first = demo_battery(area)
    second = services.save_battery_version(
        actor=area_admin, definition=demo_definition(), change_note="norms"
    )
    assert (first.version, second.version) == (1, 2)
    assert second.battery_id == first.battery_id and second.illustrative
    assert AuditEvent.objects.filter(action="battery.version_saved").count() == 2


def test_only_area_administrators_edit_the_battery(area, tm, facilitator):
    for user in (tm, facilitator):
        with pytest.raises(PermissionDenied):
            services.save_battery_version(actor=user, definition=demo_definition())


def test_an_invalid_import_names_the_scale_and_field(area, area_admin):
    definition = demo_definition()
    definition["scales"][3]["reliability"] = 1.5
    with pytest.raises(ValidationError) as refused:
        services.save_battery_version(actor=area_admin, definition=definition)
    assert refused.value.message_dict["definition"] == [
        "Scale 4 (DENIAL), reliability: enter a reliability from 0 up to, but not including, 1"
    ]
    with pytest.raises(ValidationError, match="not valid JSON"):
        services.import_battery(actor=area_admin, text="{not json")
    assert not BatteryVersion.objects.exists()


# --- recording, permissions and errors --------------------------------------------------------------------------


def test_the_members_facilitator_records_the_pre_programme_scores(area, facilitator, battery, before_start):
    membership = member(area, facilitator=facilitator)
    administration = _pre(facilitator, membership, sheet(battery_of(battery)))
    assert administration.battery_version == battery
    assert administration.scores.count() == len(battery.definition["scales"])
    event = AuditEvent.objects.get(action="psychometrics.pre_recorded")
    assert event.actor == facilitator and event.object_id == str(administration.public_id)


def test_facilitators_enter_scores_for_their_own_members_only(area, facilitator, tm, battery, before_start):
    someone_elses = member(area)
    with pytest.raises(PermissionDenied):
        _pre(facilitator, someone_elses, sheet(battery_of(battery)))
    assert _pre(tm, someone_elses, sheet(battery_of(battery)))  # a TM of the area may


def test_offender_managers_and_administrators_cannot_record(area, om, area_admin, battery, before_start):
    membership = member(area, om=om)
    for user in (om, area_admin):
        with pytest.raises(PermissionDenied):
            _pre(user, membership, sheet(battery_of(battery)))


def test_range_errors_name_the_scale(area, facilitator, battery, before_start):
    membership = member(area, facilitator=facilitator)
    scores = sheet(
        battery_of(battery), CDS={"score": 80}, SE={"score": ""}, IRI_PT={"items": [9, 1, 1, 1, 1, 1, 1]}
    )
    with pytest.raises(ValidationError) as refused:
        _pre(facilitator, membership, scores)
    errors = refused.value.message_dict
    assert errors["scores.CDS"] == [
        "Enter a score for Cognitive distortions (children and sex) from 15 to 75"
    ]
    assert errors["scores.SE"] == ["Enter a score for Self-esteem"]
    assert errors["scores.IRI_PT"] == ["Item 1 of Perspective taking (IRI) must be from 0 to 4"]
    assert not Administration.objects.exists()


def test_missing_items_are_prorated_within_the_limit_and_refused_beyond(
    area, facilitator, battery, before_start
):
    membership = member(area, facilitator=facilitator)
    too_many = sheet(battery_of(battery), IRI_EC={"items": [2, None, 2, None, 2, 2, 2]})
    with pytest.raises(ValidationError) as refused:
        _pre(facilitator, membership, too_many)
    assert "at most 1 may be prorated" in refused.value.message_dict["scores.IRI_EC"][0]
    administration = _pre(
        facilitator, membership, sheet(battery_of(battery), IRI_EC={"items": [3, None, 3, 3, 3, 3, 3]})
    )
    row = administration.scores.get(scale_code="IRI_EC")
    # items 3 and 6 are reversed on 0-4 (3 -> 1): answered 3, 1, 3, 3, 1, 3 = 14 over 6 items, prorated to 7
    assert (float(row.score), row.prorated, row.missing_items) == (pytest.approx(16.33), True, 1)
    assert row.items == [3, None, 3, 3, 3, 3, 3]


def test_the_pre_programme_date_must_be_on_or_before_the_first_session(
    area, facilitator, battery, time_machine
):
    time_machine.move_to(BEFORE_START, tick=False)
    membership = member(area, facilitator=facilitator)
    time_machine.move_to(dt.datetime(2027, 1, 20, 10, tzinfo=BEFORE_START.tzinfo), tick=False)
    with pytest.raises(ValidationError) as refused:
        _pre(facilitator, membership, sheet(battery_of(battery)), on=dt.date(2027, 1, 5))
    assert (
        "on or before the first session (4 January 2027)" in refused.value.message_dict["administered_on"][0]
    )
    assert _pre(facilitator, membership, sheet(battery_of(battery)), on=START)


def test_post_needs_the_pre_and_complete_sessions(area, facilitator, battery, before_start):
    membership = member(area, facilitator=facilitator)
    scores = sheet(battery_of(battery))
    with pytest.raises(DomainConflict) as refused:
        _post(facilitator, membership, scores, on=dt.date(2026, 12, 10))
    assert refused.value.code == "PRE_PROGRAMME_REQUIRED"
    _pre(facilitator, membership, scores)
    with pytest.raises(DomainConflict) as refused:
        _post(facilitator, membership, scores, on=dt.date(2026, 12, 12))
    assert refused.value.code == "SESSIONS_NOT_COMPLETE"
    with pytest.raises(DomainConflict) as refused:
        _pre(facilitator, membership, scores)
    assert refused.value.code == "ADMINISTRATION_EXISTS"


def test_post_after_the_sessions_gives_the_change(area, facilitator, battery, before_start):
    membership = member(area, facilitator=facilitator)
    b = battery_of(battery)
    _pre(facilitator, membership, sheet(b, CDS={"score": 50}))
    before_start.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    _post(facilitator, membership, sheet(b, CDS={"score": 22}))
    results = selectors.membership_results(user=facilitator, membership=membership)
    cds = next(row for row in results["scales"] if row["code"] == "CDS")
    assert (cds["pre"], cds["post"], cds["pre_problem"], cds["post_problem"]) == (50, 22, True, False)
    assert cds["change"]["classification"] == "recovered" and cds["change"]["cutoff_used"] == "c"
    assert cds["change"]["reliable"] and cds["change"]["rci"] < -1.96
    assert results["treated_profile"]["treated"] is True
    assert results["battery"]["illustrative_note"] == "illustrative — replace with your area's values"
    assert "<svg" in results["chart_svg"] and "Cognitive distortions" in results["chart_svg"]
    assert AccessLog.objects.filter(
        actor=facilitator, object_id=str(membership.referral.person.public_id)
    ).exists()


# --- deviance flows into the referral ----------------------------------------------------------------------------


def test_a_pre_result_records_deviance_through_the_referrals_service(
    area, facilitator, battery, before_start
):
    membership = member(area, facilitator=facilitator)
    referral = membership.referral
    codes = {w.code for w in decision_for(referral, START).get("isotp", "group").warnings}
    assert "DEVIANCE_NOT_ASSESSED" in codes
    b = battery_of(battery)
    problems = {code: problem_score(b, code) for code in ("CDS", "ECWC", "VED", "DENIAL", "SE", "EL")}
    _pre(facilitator, membership, sheet(b, **problems))
    recorded = DevianceAssessment.objects.get(person=referral.person)
    assert (recorded.level, recorded.source, recorded.recorded_by) == (
        "high",
        DevianceSource.PSYCHOMETRIC,
        facilitator,
    )
    referral.person.refresh_from_db()
    decision = decision_for(type(referral).objects.get(pk=referral.pk), START).get("isotp", "group")
    assert "DEVIANCE_NOT_ASSESSED" not in {w.code for w in decision.warnings}
    assert "6 of the 12" in recorded.rationale and "default threshold of 6" in recorded.rationale


def test_deviance_at_the_threshold_minus_one_is_low(area, facilitator, battery, before_start):
    membership = member(area, facilitator=facilitator)
    b = battery_of(battery)
    problems = {code: problem_score(b, code) for code in ("CDS", "ECWC", "VED", "DENIAL", "SE")}
    _pre(facilitator, membership, sheet(b, **problems))
    assert DevianceAssessment.objects.get(person=membership.referral.person).level == "low"


def test_the_tm_overrides_deviance_and_both_are_kept(area, facilitator, tm, battery, before_start):
    membership = member(area, facilitator=facilitator)
    administration = _pre(facilitator, membership, sheet(battery_of(battery)))
    with pytest.raises(PermissionDenied):
        services.override_deviance(
            actor=facilitator, administration=administration, level="high", rationale="x"
        )
    with pytest.raises(ValidationError) as refused:
        services.override_deviance(actor=tm, administration=administration, level="high", rationale=" ")
    assert "rationale" in refused.value.message_dict
    services.override_deviance(
        actor=tm, administration=administration, level="high", rationale="Clinical view"
    )
    results = selectors.membership_results(user=tm, membership=membership)
    assert results["deviance"]["computed"]["level"] == "low"
    assert results["deviance"]["override"]["level"] == "high" and results["deviance"]["level"] == "high"
    assert list(
        DevianceAssessment.objects.filter(person=membership.referral.person).values_list("source", "level")
    ) == [("recorded", "high"), ("psychometric", "low")]


# --- a new battery version leaves old results as they were ---------------------------------------------------------


def test_a_battery_version_change_leaves_old_results_as_they_were(
    area, area_admin, facilitator, battery, before_start
):
    membership = member(area, facilitator=facilitator)
    b = battery_of(battery)
    _pre(facilitator, membership, sheet(b, CDS={"score": 40}))
    before = selectors.membership_results(user=facilitator, membership=membership)
    changed = demo_definition()
    changed["scales"][0].update(norm_mean=45, norm_sd=10, reliability=0.5)
    changed["rules"]["deviance_threshold"] = 1
    services.save_battery_version(actor=area_admin, definition=changed)
    after = selectors.membership_results(user=facilitator, membership=membership)
    assert after["scales"] == before["scales"] and after["deviance"] == before["deviance"]
    assert after["battery"]["version"] == 1
    # the post-programme administration is scored under the pre's version too
    before_start.move_to(AFTER_END, tick=False)
    complete_sessions(membership)
    post = _post(facilitator, membership, sheet(b, CDS={"score": 20}))
    assert post.battery_version == battery
    # a new member starts on the new version
    before_start.move_to(BEFORE_START, tick=False)
    newer = session_services.allocate(
        actor=membership.group.treatment_manager,
        group=membership.group,
        referral=referred_before(waiting_referral(area)),
    )
    assert _pre(facilitator, newer, sheet(b)).battery_version.version == 2


# --- reading: scope by role and area -----------------------------------------------------------------------------------


def test_oms_read_their_caseloads_results_only(
    area, om, facilitator, other_om, other_tm, battery, before_start
):
    mine = member(area, om=om, facilitator=facilitator)
    theirs = member(area, facilitator=facilitator, om=UserFactory(role=Role.OFFENDER_MANAGER, area=area))
    assert selectors.membership_for_user(om, mine.public_id) == mine
    with pytest.raises(Http404):
        selectors.membership_for_user(om, theirs.public_id)
    for outsider in (other_om, other_tm):
        with pytest.raises(Http404):
            selectors.membership_for_user(outsider, mine.public_id)


def test_facilitators_read_only_the_members_they_deliver_to(area, facilitator, battery, before_start):
    mine = member(area, facilitator=facilitator)
    other = member(area)
    assert set(selectors.memberships_for_user(facilitator)) == {mine}
    with pytest.raises(Http404):
        selectors.membership_for_user(facilitator, other.public_id)


def test_group_needs_profile_query_count_does_not_grow(
    area, facilitator, tm, battery, before_start, django_assert_max_num_queries
):
    membership = member(area, facilitator=facilitator)
    group = membership.group
    b = battery_of(battery)
    _pre(facilitator, membership, sheet(b, DENIAL=problem_score(b, "DENIAL")))
    with django_assert_max_num_queries(4):
        profile = selectors.group_needs_profile(group)
    assert profile["targets"][0]["members"] == 1 and profile["assessed"] == 1
    for _ in range(4):
        extra = session_services.allocate(
            actor=tm, group=group, referral=referred_before(waiting_referral(area))
        )
        _pre(facilitator, extra, sheet(b, CDS=problem_score(b, "CDS")))
    with django_assert_max_num_queries(4):
        profile = selectors.group_needs_profile(group)
    assert profile["assessed"] == 5 and profile["targets"][1]["members"] == 4
    assert Membership.objects.filter(group=group).count() == 5


def test_group_needs_profile_parses_each_battery_version_once(
    area, facilitator, tm, battery, before_start, monkeypatch
):
    """Issue 11 (perf10): parsing a battery's definition is most of the group page's Python time; five members
    assessed on one version parse it once, not once a member."""
    membership = member(area, facilitator=facilitator)
    b = battery_of(battery)
    _pre(facilitator, membership, sheet(b, DENIAL=problem_score(b, "DENIAL")))
    for _ in range(4):
        extra = session_services.allocate(
            actor=tm, group=membership.group, referral=referred_before(waiting_referral(area))
        )
        _pre(facilitator, extra, sheet(b, CDS=problem_score(b, "CDS")))
    calls = []
    real = selectors.parse_battery
    monkeypatch.setattr(selectors, "parse_battery", lambda definition: calls.append(1) or real(definition))
    profile = selectors.group_needs_profile(membership.group)
    assert profile["assessed"] == 5 and len(calls) == 1
