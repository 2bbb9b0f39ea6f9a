"""Load data set (issue 11): the audit trail and the access log that the data set's records would have left.

Runs after every other app's hook (`generate_after`: audit comes before referrals in INSTALLED_APPS). For each
referral five audit events (started, submitted, assessed, status changes) by its offender manager and treatment
manager, and for each person three views of his record (page or API) by his offender manager, spread over the
two years before the data set's day; so the audit pages and the API list page through hundreds of thousands of
rows per the national figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from accounts.models import Role
from audit.models import AccessLog, AuditEvent
from isotp.loadgen import Context
from referrals.models import Person, Referral

ACTIONS = ["referral.created", "referral.submitted", "referral.status_changed", "referral.status_changed",
           "referral.status_changed"]  # fmt: skip
VIEWS_PER_PERSON = 3


def generate_after(ctx: Context) -> None:
    rng, today = ctx.rng, ctx.today
    staff = ctx.ids["staff"]
    referrals = Referral.objects.order_by("id").values_list(
        "public_id", "area_id", "referred_by_id", "created_at", "person__crn"
    )

    def events() -> Iterator[tuple[Any, ...]]:
        for public_id, area_id, om, created, crn in referrals.iterator(chunk_size=20_000):
            tm = staff[area_id][Role.TREATMENT_MANAGER][
                public_id.int % len(staff[area_id][Role.TREATMENT_MANAGER])
            ]
            at = created
            for k, action in enumerate(ACTIONS):
                changes = {"status": {"from": "draft", "to": "submitted"}} if k == 1 else {}
                yield (min(at, ctx.at(today, 9)), om if k < 2 else tm, action, "referrals.referral", str(public_id),
                       crn, area_id, changes, "")  # fmt: skip
                at = at + dt.timedelta(days=rng.randrange(1, 20))

    ctx.copy(
        AuditEvent,
        [
            "at",
            "actor_id",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "area_id",
            "changes",
            "reason",
        ],
        events(),
    )
    people = Person.objects.order_by("id").values_list("public_id", "area_id", "offender_manager_id", "crn")

    def views() -> Iterator[tuple[Any, ...]]:
        for public_id, area_id, om, crn in people.iterator(chunk_size=20_000):
            for _ in range(VIEWS_PER_PERSON):
                at = ctx.at(
                    today - dt.timedelta(days=rng.randrange(730)), rng.randrange(8, 18), rng.randrange(60)
                )
                yield (
                    at,
                    om,
                    "referrals.person",
                    str(public_id),
                    crn,
                    area_id,
                    rng.choice(["page", "page", "api"]),
                )

    ctx.copy(
        AccessLog, ["at", "actor_id", "object_type", "object_id", "object_label", "area_id", "via"], views()
    )
