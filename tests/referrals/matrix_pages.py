"""Every referrals PAGE for the permission matrix (tests/matrix.py explains the rules).

Per-record routes build a record in the home area on `personas["offender_manager"]`'s caseload, so that OM gets
through and another area's users get 404 whatever their role. Facilitators never see people (403); area
administrators read people and referrals but change nothing.
"""

from __future__ import annotations

from tests.matrix import MANAGERS, Route

OM, TM, ADMIN = "offender_manager", "treatment_manager", "area_admin"
READERS = frozenset({OM, TM, ADMIN})
CASEWORKERS = frozenset({OM, TM})


def _person(area, personas):
    from tests.referrals.factories import eligible_person

    return {"public_id": eligible_person(area, personas[OM]).public_id}


def _conviction(area, personas):
    from tests.referrals.factories import eligible_person

    person = eligible_person(area, personas[OM])
    return {"public_id": person.public_id, "conviction_id": person.convictions.get().public_id}


def _referral(status):
    def build(area, personas):
        from tests.referrals.factories import referral_for

        return {"public_id": referral_for(area, personas[OM], status=status).public_id}

    return build


_draft, _submitted = _referral("draft"), _referral("submitted")


def _page(name, roles, kwargs=None, **extra):
    return Route(
        f"referrals:{name}", roles=frozenset(roles), kwargs=kwargs, scoped=kwargs is not None, **extra
    )


ROUTES = [
    # People and their record.
    _page("person_list", READERS),
    _page("person_create", CASEWORKERS),
    _page("person_detail", READERS, _person),
    _page("person_edit", CASEWORKERS, _person),
    _page("conviction_add", CASEWORKERS, _person),
    _page("conviction_remove", CASEWORKERS, _conviction, method="post"),
    _page("sentence_record", CASEWORKERS, _person),
    _page("rm2000_record", CASEWORKERS, _person),
    _page("rosh_record", CASEWORKERS, _person),
    _page("ogrs3_record", CASEWORKERS, _person),
    _page("ogrs3_calculator", CASEWORKERS, _person),
    _page("deviance_record", {TM}, _person),
    # The OM's referral journey (on a draft of their own caseload).
    _page("referral_start", {OM}, _person),
    _page("referral_tasks", {OM}, _draft),
    _page("referral_programme", {OM}, _draft),
    _page("referral_offences", {OM}, _draft),
    _page("referral_risk", {OM}, _draft),
    _page("referral_other", {OM}, _draft),
    _page("referral_check", {OM}, _draft),
    _page("referral_submitted", READERS, _submitted),
    # Referrals.
    _page("referral_list", READERS),
    _page("referral_detail", READERS, _submitted),
    _page("referral_status", CASEWORKERS, _submitted),  # TMs move it on; its OM may withdraw it
    _page("referral_assess", {TM}, _submitted),
    # Treatment managers' tools.
    _page("waiting_list", MANAGERS),
    _page("waiting_list_csv", MANAGERS),
    _page("rm2000_calculator", {TM}),
]
