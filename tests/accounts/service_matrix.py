"""The accounts services for the service matrix: area administrators keep closure dates, training records and
second factors; managers assign supervisors; everyone confirms their own authenticator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.services import administration
from tests.factories import ClosureFactory, UserFactory, VenueFactory
from tests.service_matrix import ALL_ROLES, MANAGERS, NotAService, Service

ADMIN = frozenset({"area_admin"})


def _new_facilitator(area: Any) -> Any:
    return UserFactory(role="facilitator", area=area)


def _supervised_facilitator(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    from accounts.models import Supervision

    facilitator = _new_facilitator(area)
    Supervision.objects.create(
        treatment_manager=personas["treatment_manager"],
        facilitator=facilitator,
        started_on=dt.date(2026, 1, 5),
    )
    return {"facilitator": facilitator, "ended_on": dt.date(2026, 11, 30)}


def _token_of_facilitator(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    token, _ = services.issue_api_token(actor=personas["facilitator"], name="Laptop")
    return {"token": token}


SERVICES = [
    # Any member of staff changes their own password (there is no changing another's).
    Service(
        services.change_password,
        roles=ALL_ROLES,
        kwargs=lambda a, p: {"new_password": "a-new-Passphrase-2026"},
    ),
    # Any member of staff, for themselves; the owner or an administrator of the owner's area revokes.
    Service(services.issue_api_token, roles=ALL_ROLES, kwargs=lambda a, p: {"name": "Laptop"}),
    Service(
        services.revoke_api_token,
        roles=frozenset({"facilitator", "area_admin"}),
        kwargs=_token_of_facilitator,
        scoped=True,
    ),
    Service(
        services.add_closure, roles=ADMIN, kwargs=lambda a, p: {"date": dt.date(2027, 2, 1), "reason": "Move"}
    ),
    Service(
        services.remove_closure,
        roles=ADMIN,
        kwargs=lambda a, p: {"closure": ClosureFactory(area=a)},
        scoped=True,
    ),
    Service(
        services.add_training_record,
        roles=ADMIN,
        kwargs=lambda a, p: {
            "facilitator": _new_facilitator(a),
            "kind": "assessment_centre",
            "programme": "",
            "date_passed": dt.date(2026, 6, 1),
        },
        scoped=True,
    ),
    Service(services.end_supervision, roles=MANAGERS, kwargs=_supervised_facilitator, scoped=True),
    Service(
        services.start_supervision,
        roles=MANAGERS,
        kwargs=lambda a, p: {
            "treatment_manager": p["treatment_manager"],
            "facilitator": _new_facilitator(a),
            "started_on": dt.date(2026, 11, 1),
        },
        scoped=True,
    ),
    # Everyone confirms their own new authenticator (someone else's device is not found).
    Service(
        services.confirm_totp_device,
        roles=ALL_ROLES,
        kwargs=lambda a, p, actor: {
            "device": TOTPDevice.objects.create(user=actor, name="new", confirmed=False)
        },
    ),
    Service(
        services.reset_second_factor,
        roles=ADMIN,
        kwargs=lambda a, p: {"member": p["treatment_manager"]},
        scoped=True,
    ),
]

NOT_SERVICES = [
    NotAService(services.record_sign_in, "the sign-in pages audit an attempt before anyone is signed in"),
    NotAService(
        administration.invitation_link, "builds the link for an account an administrator has just invited"
    ),
    NotAService(
        administration.invited_member, "reads which account a one-time link is for (nobody is signed in)"
    ),
    NotAService(
        administration.accept_invitation,
        "the holder of a valid one-time link sets their own password (the token is the permission)",
    ),
]


def _training_record(area: Any, personas: dict[str, Any]) -> dict[str, Any]:
    from accounts.models import FacilitatorTraining

    record = FacilitatorTraining.objects.create(
        facilitator=_new_facilitator(area),
        kind="assessment_centre",
        programme="",
        date_passed=dt.date(2019, 3, 1),
    )
    return {"record": record}


SERVICES += [
    # Issue 13: the administrator's journeys.
    Service(
        administration.invite_staff,
        roles=ADMIN,
        kwargs=lambda a, p: {
            "email": "new.starter@example.org",
            "full_name": "New Starter",
            "role": "facilitator",
        },
    ),
    Service(
        administration.change_role,
        roles=ADMIN,
        kwargs=lambda a, p: {"member": _new_facilitator(a), "role": "treatment_manager"},
        scoped=True,
    ),
    Service(
        administration.set_active,
        roles=ADMIN,
        kwargs=lambda a, p: {"member": _new_facilitator(a), "active": False},
        scoped=True,
    ),
    Service(administration.remove_training_record, roles=ADMIN, kwargs=_training_record, scoped=True),
    Service(administration.add_venue, roles=ADMIN, kwargs=lambda a, p: {"name": "Annexe", "capacity": 10}),
    Service(
        administration.update_venue,
        roles=ADMIN,
        kwargs=lambda a, p: {"venue": VenueFactory(area=a), "capacity": 9},
        scoped=True,
    ),
    Service(
        administration.set_venue_active,
        roles=ADMIN,
        kwargs=lambda a, p: {"venue": VenueFactory(area=a), "active": False},
        scoped=True,
    ),
    Service(
        administration.check_closure_date, roles=ADMIN, kwargs=lambda a, p: {"date": dt.date(2027, 2, 1)}
    ),
]
