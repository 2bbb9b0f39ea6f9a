from tests.matrix import ALL_ROLES, MANAGERS, Route


def _facilitator(area, personas):
    return {"public_id": personas["facilitator"].public_id}


def _closure(area, personas):
    from tests.factories import ClosureFactory

    return {"pk": ClosureFactory(area=area).pk}


def _venue(area, personas):
    from tests.factories import VenueFactory

    return {"pk": VenueFactory(area=area).pk}


def _training(area, personas):
    record = personas["facilitator"].training_records.first()  # the persona is trained (tests/conftest.py)
    return {"public_id": personas["facilitator"].public_id, "pk": record.pk}


def _invitation(area, personas):
    return {"uidb64": "bm90LWEtdXVpZA", "token": "spent-token"}


ADMIN = frozenset({"area_admin"})


def _facilitator_token(area, personas):
    import datetime as dt

    from accounts.models import ApiToken

    token = ApiToken.objects.create(
        user=personas["facilitator"],
        name="matrix",
        key_digest=f"{personas['facilitator'].pk:064d}",
        prefix="matrix",
        expires_at=dt.datetime(2200, 1, 1, tzinfo=dt.UTC),
    )
    return {"public_id": token.public_id}


# A token can be revoked by its owner (here the facilitator) and an administrator of the owner's area.
TOKEN_REVOKERS = frozenset({"facilitator", "area_admin"})

ROUTES = [
    Route("accounts:your_account", roles=ALL_ROLES),
    Route("accounts:password_change", roles=ALL_ROLES),
    Route(
        "accounts:api_token_revoke",
        roles=TOKEN_REVOKERS,
        method="post",
        kwargs=_facilitator_token,
        scoped=True,
    ),
    Route("api-token-list", roles=ALL_ROLES, api=True),
    # An API token cannot mint another (issued from a signed-in browser session, checked in tests/accounts).
    Route("api-token-list", roles=frozenset(), method="post", api=True),
    Route(
        "api-token-revoke",
        roles=TOKEN_REVOKERS,
        api=True,
        method="post",
        kwargs=_facilitator_token,
        scoped=True,
    ),
    Route("home", roles=ALL_ROLES),
    Route("healthz", public=True),
    Route("ping", roles=ALL_ROLES),
    Route("accessibility", public=True),
    Route("accounts:login", public=True),
    Route("accounts:two_factor", public=True),
    Route("accounts:two_factor_setup", public=True),
    Route("accounts:logout", public=True),
    Route("accounts:staff_list", roles=MANAGERS),
    Route("accounts:staff_detail", roles=MANAGERS, kwargs=_facilitator, scoped=True),
    Route(
        "accounts:staff_supervision_end",
        roles=MANAGERS,
        method="post",
        kwargs=_facilitator,
        scoped=True,
        data={"ended_on_0": "1", "ended_on_1": "12", "ended_on_2": "2026"},
    ),
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
    Route("accounts:closure_remove", roles=ADMIN, kwargs=_closure, scoped=True),
    # Issue 13: the administrator's journeys.
    Route("accounts:staff_invite", roles=ADMIN),
    Route("accounts:staff_deactivated", roles=ADMIN),
    Route("accounts:staff_role", roles=ADMIN, kwargs=_facilitator, scoped=True),
    Route("accounts:staff_deactivate", roles=ADMIN, kwargs=_facilitator, scoped=True),
    Route("accounts:staff_deactivate", roles=ADMIN, method="post", kwargs=_facilitator, scoped=True),
    Route("accounts:staff_reactivate", roles=ADMIN, method="post", kwargs=_facilitator, scoped=True),
    Route("accounts:training_remove", roles=ADMIN, kwargs=_training, scoped=True),
    Route("accounts:training_remove", roles=ADMIN, method="post", kwargs=_training, scoped=True),
    Route("accounts:invitation", public=True, kwargs=_invitation),
    Route("accounts:venue_add", roles=ADMIN),
    Route("accounts:venue_edit", roles=ADMIN, kwargs=_venue, scoped=True),
    Route("accounts:venue_retire", roles=ADMIN, kwargs=_venue, scoped=True),
    Route("accounts:venue_retire", roles=ADMIN, method="post", kwargs=_venue, scoped=True),
    Route("accounts:venue_reinstate", roles=ADMIN, method="post", kwargs=_venue, scoped=True),
    Route("api-me", roles=ALL_ROLES, api=True),
    Route("api-staff-list", roles=MANAGERS, api=True),
    Route(
        "api-staff-supervision-end",
        roles=MANAGERS,
        method="post",
        api=True,
        kwargs=_facilitator,
        scoped=True,
        data={"ended_on": "2026-12-01"},
    ),
    Route("api-venue-list", roles=ALL_ROLES, api=True),
    Route("api-closure-list", roles=ALL_ROLES, api=True),
    Route("api-schema", public=True, query="?format=json"),
    Route("api-docs", public=True),
]
