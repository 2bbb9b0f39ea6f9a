"""Every psychometrics page and API route for the permission matrix (tests/matrix.py explains the rules).

The member is in a group delivered by `personas["facilitator"]` and on `personas["offender_manager"]`'s caseload, in
the home area, with the demo battery set up there; another area's users get 404 whatever their role.
"""

from __future__ import annotations

import datetime as dt

from tests.matrix import ALL_ROLES, Route

TM, FAC, OM, ADMIN = "treatment_manager", "facilitator", "offender_manager", "area_admin"
ONLY_TM = frozenset({TM})
ENTERERS = frozenset({TM, FAC})
BATTERY_READERS = frozenset({TM, FAC, ADMIN})
ONLY_ADMIN = frozenset({ADMIN})


def _membership(area, personas):
    from tests.assessments.factories import demo_battery, member

    demo_battery(area)
    return member(
        area,
        facilitator=personas[FAC],
        om=personas[OM],
        tm=personas[TM],
        start_date=dt.date.today() + dt.timedelta(days=14),
    )


def _member_id(area, personas):
    return {"public_id": _membership(area, personas).public_id}


def _member_kind(area, personas):
    return {"public_id": _membership(area, personas).public_id, "kind": "pre"}


def _administration_id(area, personas):
    from assessments import services
    from assessments.rules import parse_battery
    from tests.assessments.factories import sheet

    membership = _membership(area, personas)
    version = services.current_battery_version(area.pk)
    administration = services.record_administration(
        actor=personas[FAC],
        membership=membership,
        kind="pre",
        administered_on=dt.date.today(),
        scores=sheet(parse_battery(version.definition)),
    )
    return {"public_id": administration.public_id}


def _battery(area, personas):
    from tests.assessments.factories import demo_battery

    return {"code": demo_battery(area).battery.code}


def _battery_version(area, personas):
    from tests.assessments.factories import demo_battery

    version = demo_battery(area)
    return {"code": version.battery.code, "version": version.version}


ROUTES = [
    # Pages.
    Route("assessments:results", roles=ALL_ROLES, kwargs=_member_id, scoped=True),
    Route("assessments:record", roles=ENTERERS, kwargs=_member_kind, scoped=True),
    Route("assessments:record", roles=ENTERERS, method="post", kwargs=_member_kind, scoped=True),
    Route("assessments:deviance_override", roles=ONLY_TM, kwargs=_member_id, scoped=True),
    Route("assessments:deviance_override", roles=ONLY_TM, method="post", kwargs=_member_id, scoped=True),
    Route("assessments:battery_list", roles=BATTERY_READERS),
    Route("assessments:battery_import", roles=ONLY_ADMIN),
    Route("assessments:battery_import", roles=ONLY_ADMIN, method="post"),
    Route("assessments:battery_detail", roles=BATTERY_READERS, kwargs=_battery, scoped=True),
    Route("assessments:battery_export", roles=BATTERY_READERS, kwargs=_battery_version, scoped=True),
    # API.
    Route("api-psychometric-change", roles=ALL_ROLES, method="post", api=True),
    Route("api-battery-list", roles=BATTERY_READERS, api=True),
    Route("api-battery-list", roles=ONLY_ADMIN, method="post", api=True),
    Route("api-battery-detail", roles=BATTERY_READERS, api=True, kwargs=_battery, scoped=True),
    Route("api-battery-version", roles=BATTERY_READERS, api=True, kwargs=_battery_version, scoped=True),
    Route("api-membership-psychometrics", roles=ALL_ROLES, api=True, kwargs=_member_id, scoped=True),
    Route(
        "api-membership-psychometrics",
        roles=ENTERERS,
        method="post",
        api=True,
        kwargs=_member_id,
        scoped=True,
    ),
    Route("api-psychometric-administration-list", roles=ALL_ROLES, api=True),
    Route(
        "api-psychometric-administration-detail",
        roles=ALL_ROLES,
        api=True,
        kwargs=_administration_id,
        scoped=True,
    ),
    Route(
        "api-psychometric-deviance-override",
        roles=ONLY_TM,
        method="post",
        api=True,
        kwargs=_administration_id,
        scoped=True,
    ),
]
