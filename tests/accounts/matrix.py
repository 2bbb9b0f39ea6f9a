from tests.matrix import ALL_ROLES, MANAGERS, Route


def _facilitator(area, personas):
    return {"public_id": personas["facilitator"].public_id}


def _closure(area, personas):
    from tests.factories import ClosureFactory

    return {"pk": ClosureFactory(area=area).pk}


ROUTES = [
    Route("home", roles=ALL_ROLES),
    Route("healthz", public=True),
    Route("accessibility", public=True),
    Route("accounts:login", public=True),
    Route("accounts:two_factor", public=True),
    Route("accounts:two_factor_setup", public=True),
    Route("accounts:logout", public=True),
    Route("accounts:staff_list", roles=MANAGERS),
    Route("accounts:staff_detail", roles=MANAGERS, kwargs=_facilitator, scoped=True),
    Route(
        "accounts:staff_supervisor",
        roles=MANAGERS,
        method="post",
        kwargs=_facilitator,
        scoped=True,
        data=lambda area, personas: {
            "treatment_manager": str(personas["treatment_manager"].public_id),
            "started_on_0": "1",
            "started_on_1": "12",
            "started_on_2": "2026",
        },
    ),
    Route(
        "accounts:staff_reset_second_factor",
        roles=frozenset({"area_admin"}),
        method="post",
        kwargs=_facilitator,
        scoped=True,
    ),
    Route("accounts:venue_list", roles=MANAGERS),
    Route("accounts:closure_list", roles=MANAGERS),
    Route(
        "accounts:closure_remove",
        roles=frozenset({"area_admin"}),
        method="post",
        kwargs=_closure,
        scoped=True,
    ),
    Route("api-me", roles=ALL_ROLES, api=True),
    Route("api-staff-list", roles=MANAGERS, api=True),
    Route("api-venue-list", roles=ALL_ROLES, api=True),
    Route("api-closure-list", roles=ALL_ROLES, api=True),
    Route("api-schema", public=True, query="?format=json"),
    Route("api-docs", public=True),
]
