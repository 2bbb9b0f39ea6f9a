"""Every referrals API route for the permission matrix (tests/matrix.py explains the rules).

Per-record routes build a record in the home area on `personas["offender_manager"]`'s caseload, so that OM gets
through and another area's users get 404. POST routes send an empty body: an allowed role gets as far as the
field validation (400), a refused role gets 403 first.
"""

from __future__ import annotations

from tests.matrix import ALL_ROLES, MANAGERS, Route

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


def _offence(area, personas):
    return {"code": "cja1988_s160"}


ROUTES = [
    # Stateless calculators: any member of staff.
    Route("api-rm2000-score", roles=ALL_ROLES, method="post", api=True),
    Route("api-ogrs3-score", roles=ALL_ROLES, method="post", api=True),
    Route("api-eligibility-check", roles=ALL_ROLES, method="post", api=True),
    # Reference data.
    Route("api-offence-list", roles=READERS, api=True),
    Route("api-offence-detail", roles=READERS, api=True, kwargs=_offence),
    # People.
    Route("api-person-list", roles=READERS, api=True),
    Route("api-person-list", roles=CASEWORKERS, method="post", api=True),
    Route("api-person-detail", roles=READERS, api=True, kwargs=_person, scoped=True),
    Route(
        "api-person-detail",
        roles=CASEWORKERS,
        method="patch",
        api=True,
        kwargs=_person,
        scoped=True,
        data={"iq": 95},
    ),
    Route("api-person-convictions", roles=CASEWORKERS, method="post", api=True, kwargs=_person, scoped=True),
    Route("api-person-conviction-detail", roles=READERS, api=True, kwargs=_conviction, scoped=True),
    Route(
        "api-person-conviction-detail",
        roles=CASEWORKERS,
        method="delete",
        api=True,
        kwargs=_conviction,
        scoped=True,
    ),
    Route("api-person-sentences", roles=CASEWORKERS, method="post", api=True, kwargs=_person, scoped=True),
    Route("api-person-rm2000", roles=CASEWORKERS, method="post", api=True, kwargs=_person, scoped=True),
    Route(
        "api-person-rm2000-calculate", roles=CASEWORKERS, method="post", api=True, kwargs=_person, scoped=True
    ),
    Route("api-person-rosh", roles=CASEWORKERS, method="post", api=True, kwargs=_person, scoped=True),
    Route(
        "api-person-ogrs3",
        roles=CASEWORKERS,
        method="post",
        api=True,
        kwargs=_person,
        scoped=True,
        data={"one_year_percent": 20, "two_year_percent": 30, "assessed_on": "2026-01-05"},
    ),
    Route("api-person-deviance", roles=frozenset({TM}), method="post", api=True, kwargs=_person, scoped=True),
    # Referrals.
    Route("api-referral-list", roles=READERS, api=True),
    Route("api-referral-list", roles=frozenset({OM}), method="post", api=True),
    Route("api-referral-detail", roles=READERS, api=True, kwargs=_referral("submitted"), scoped=True),
    # Only the person's OM edits a draft.
    Route(
        "api-referral-detail",
        roles=frozenset({OM}),
        method="patch",
        api=True,
        kwargs=_referral("draft"),
        scoped=True,
        data={"notes": "Seen on Tuesday"},
    ),
    Route(
        "api-referral-transitions",
        roles=CASEWORKERS,
        method="post",
        api=True,
        kwargs=_referral("submitted"),
        scoped=True,
    ),
    Route(
        "api-referral-assessment",
        roles=frozenset({TM}),
        method="post",
        api=True,
        kwargs=_referral("submitted"),
        scoped=True,
    ),
    Route("api-referral-history", roles=READERS, api=True, kwargs=_referral("submitted"), scoped=True),
    Route("api-waiting-list", roles=MANAGERS, api=True, query="?programme=isotp&format=group"),
]
