"""Reads: scoped to the area first and to an OM's caseload; 404 outside; preloaded; the waiting list; decisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from referrals import selectors
from referrals.candidates import (
    config_for_area,
    decision_for,
    supervision_months,
)
from referrals.models import EligibilityConfiguration, Referral, Rm2000ScoringTable
from referrals.programme_terms import catalogue_for
from referrals.rules import DEFAULT_CONFIG, DEFAULT_SCORING_TABLE
from tests.factories import UserFactory
from tests.referrals.factories import eligible_person, referral_for, years_ago

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def cases(area, other_area, om, other_om):
    """Two people on the OM's caseload, one on a colleague's, one in another area."""
    mine = [eligible_person(area, om, last_name="Able"), eligible_person(area, om, last_name="Baker")]
    colleague = eligible_person(area, UserFactory(role=Role.OFFENDER_MANAGER, area=area), last_name="Cole")
    elsewhere = eligible_person(other_area, other_om, last_name="Dean")
    return {"mine": mine, "colleague": colleague, "elsewhere": elsewhere}


def test_an_om_sees_only_their_caseload(om, cases):
    assert list(selectors.people_for_list(om)) == cases["mine"]


@pytest.mark.parametrize("role", ["treatment_manager", "area_admin"])
def test_managers_see_the_whole_area_and_nothing_else(personas, cases, role):
    names = [p.last_name for p in selectors.people_for_list(personas[role])]
    assert names == ["Able", "Baker", "Cole"]


def test_facilitators_see_nobody(facilitator, cases):
    assert not selectors.people_for_list(facilitator).exists()
    assert not selectors.referrals_for_list(facilitator).exists()


def test_person_for_user_is_404_outside_the_scope(om, tm, other_tm, cases):
    assert selectors.person_for_user(om, cases["mine"][0].public_id) == cases["mine"][0]
    assert selectors.person_for_user(tm, cases["colleague"].public_id) == cases["colleague"]
    for user, person in [(om, cases["colleague"]), (tm, cases["elsewhere"]), (other_tm, cases["mine"][0])]:
        with pytest.raises(Http404):
            selectors.person_for_user(user, person.public_id)
    with pytest.raises(Http404):
        selectors.person_for_user(tm, "not-a-uuid")


def test_person_record_is_preloaded(tm, area, om, django_assert_num_queries):
    person = eligible_person(area, om)
    referral_for(area, om).person  # noqa: B018 - another person's referral must not leak in
    loaded = selectors.person_for_user(tm, person.public_id)
    with django_assert_num_queries(0):
        [c.offence.category for c in loaded.convictions.all()]
        (
            list(loaded.sentences.all()),
            list(loaded.rm2000_assessments.all()),
            list(loaded.rosh_assessments.all()),
        )
        list(loaded.deviance_assessments.all()), loaded.referral_list, loaded.offender_manager.full_name


def test_referral_for_user_scoped_and_preloaded(om, tm, other_tm, area, django_assert_num_queries):
    referral = referral_for(area, om, status="submitted")
    with pytest.raises(Http404):
        selectors.referral_for_user(other_tm, referral.public_id)
    loaded = selectors.referral_for_user(tm, referral.public_id)
    config, catalogue = config_for_area(area), catalogue_for(area)
    with django_assert_num_queries(0):
        decision_for(loaded, TODAY, config=config, catalogue=catalogue)
        selectors.referral_history(loaded), selectors.latest_assessment(loaded)


def test_referrals_for_list_filters(tm, om, area):
    a = referral_for(area, om, status="submitted")
    b = referral_for(area, om, status="awaiting_allocation", programme="nsogp")
    assert list(selectors.referrals_for_list(tm, status=["submitted", "awaiting_allocation"])) == [b, a]
    assert list(selectors.referrals_for_list(tm, programme="nsogp")) == [b]
    assert list(selectors.referrals_for_list(tm, format="one_to_one")) == []


def test_waiting_list_is_oldest_first_with_age_and_urgency(tm, om, area):
    now = timezone.now()
    rows = []
    for days_ago, age in [(5, 30), (50, 45), (20, 22)]:
        referral = referral_for(area, om, status="awaiting_allocation")
        Referral.objects.filter(pk=referral.pk).update(awaiting_since=now - dt.timedelta(days=days_ago))
        referral.person.date_of_birth = years_ago(age)
        referral.person.save()
        rows.append(referral)
    soon = rows[2].person.sentences.get()
    soon.supervision_end_date = TODAY + dt.timedelta(
        weeks=40
    )  # 35 sessions with holidays: 2-6 weeks to start
    soon.save()
    referral_for(area, om, status="submitted")  # not on the list
    waiting = selectors.waiting_list(tm, programme="isotp", format="group", today=TODAY)
    assert [w.referral for w in waiting] == [rows[1], rows[2], rows[0]]
    assert [w.position for w in waiting] == [1, 2, 3]
    assert [w.age_at_start for w in waiting] == [45, 22, 30]
    assert waiting[1].urgency.level == "start_soon"
    # The catalogue's schedule: the 35 weekly sessions from the latest start, with the bank holidays, end by then.
    latest = waiting[1].urgency.latest_start
    assert latest == catalogue_for(area).latest_start("isotp", "group", soon.supervision_end_date, on=TODAY)
    assert latest <= soon.supervision_end_date - dt.timedelta(weeks=34)


def test_waiting_list_age_is_taken_on_the_planned_start(tm, om, area):
    start = TODAY + dt.timedelta(days=100)
    referral = referral_for(area, om, status="awaiting_allocation", planned_start=start)
    referral.person.date_of_birth = start.replace(year=start.year - 21)
    referral.person.save()
    (row,) = selectors.waiting_list(tm, programme="isotp", format="group", today=TODAY)
    assert (row.planned_start, row.age_at_start) == (start, 21)


def test_the_waiting_list_and_eligibility_share_one_schedule(area):
    """Issue 7: starting on the "must start by" date, eligibility finds no SUPERVISION_ENDS_TOO_SOON; a day later it
    does (the same calculation, from the catalogue, with the area's bank holidays and closures)."""
    catalogue = catalogue_for(area)
    end = dt.date(2028, 1, 10)
    latest = catalogue.latest_start("isotp", "group", end, on=TODAY)
    assert latest is not None
    ends_on = catalogue.terms(latest)[("isotp", "group")].ends_on
    assert ends_on is not None and ends_on <= end
    later = catalogue.terms(latest + dt.timedelta(days=1))[("isotp", "group")].ends_on
    assert later is not None and later > end


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (dt.date(2025, 1, 10), dt.date(2027, 1, 9), 24),  # 24 months from 10 January ends on 9 January
        (dt.date(2025, 1, 10), dt.date(2027, 1, 8), 23),
        (dt.date(2025, 1, 31), dt.date(2027, 1, 30), 24),
        (dt.date(2025, 3, 1), dt.date(2027, 2, 28), 24),
    ],
)
def test_supervision_months_counts_the_end_date(start, end, months):
    assert supervision_months(start, end) == months


def test_area_configuration(area):
    assert config_for_area(area) is DEFAULT_CONFIG
    area.lihi_enabled = True
    assert config_for_area(area).lihi_enabled
    EligibilityConfiguration.objects.create(area=area, values={"young_adult_band_enabled": True})
    config = config_for_area(area)
    assert config.young_adult_band_enabled and config.lihi_enabled


def test_decision_uses_the_area_young_adult_band(tm, om, area):
    referral = referral_for(area, om, status="submitted", planned_start=TODAY + dt.timedelta(days=7))
    referral.person.date_of_birth = years_ago(19)
    referral.person.save()
    assert decision_for(referral, TODAY).get("isotp", "group").eligible is False
    EligibilityConfiguration.objects.create(area=area, values={"young_adult_band_enabled": True})
    group = decision_for(referral, TODAY).get("isotp", "group")
    assert group.eligible and group.route == "young_adult_band"


def test_a_sentence_without_a_programme_requirement_gives_no_legal_basis(om, area):
    referral = referral_for(area, om, status="submitted")
    referral.person.sentences.update(programme_requirement=False)
    codes = {r.code for r in decision_for(referral, TODAY).get("isotp", "group").reasons}
    assert codes == {"NO_LEGAL_BASIS"}


def test_active_scoring_table_falls_back_to_the_default():
    assert selectors.active_scoring_table().version == DEFAULT_SCORING_TABLE["version"]
    Rm2000ScoringTable.objects.update(active=False)
    fallback = selectors.active_scoring_table()
    assert fallback.pk is None and fallback.table == DEFAULT_SCORING_TABLE


def test_offender_managers_for_lists_the_areas_oms(tm, om, other_om, facilitator):
    assert list(selectors.offender_managers_for(tm)) == [om]


def test_demo_data_fills_the_waiting_lists_and_is_idempotent(db):
    from accounts import demo as accounts_demo
    from accounts.models import User
    from referrals import demo

    log: list[str] = []
    accounts_demo.seed(log)
    demo.seed(log)
    count = Referral.objects.count()
    demo.seed(log)
    assert Referral.objects.count() == count == 2 * len(demo.CASES)
    tm = User.objects.get(email="tm@cheshire.example")
    group = selectors.waiting_list(tm, programme="isotp", format="group", today=TODAY)
    assert len(group) >= 16  # the delivery demo allocates six of them, leaving at least ten
    assert all(row.age_at_start >= 21 for row in group)
    assert [row.awaiting_since for row in group] == sorted(row.awaiting_since for row in group)
    assert sum(row.urgency.level == "start_soon" for row in group) >= 2
    one_to_one = selectors.waiting_list(tm, programme="isotp", format="one_to_one", today=TODAY)
    assert one_to_one and all(17 <= row.age_at_start <= 20 for row in one_to_one)
    assert selectors.waiting_list(tm, programme="nsogp", format="group", today=TODAY)
    statuses = set(selectors.referrals_for_list(tm).values_list("status", flat=True))
    assert {"draft", "submitted", "assessment", "not_suitable", "on_hold"} <= statuses
    provisional = [
        r
        for r in selectors.referrals_for_list(tm, status="submitted")
        if decision_for(r, TODAY).recommendation.provisional
    ]
    assert provisional
    om = User.objects.get(email="om@cheshire.example")
    assert all(p.offender_manager == om for p in selectors.people_for_list(om))
