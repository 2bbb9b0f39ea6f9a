"""Load data set (issue 11): transfers between areas, one person in a hundred over two years.

Eight in ten approved (the person now belongs to the receiving area, which is where the data set put him), one
in ten refused and one in ten still waiting for the holding area (at most one pending request per person).
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Role
from isotp.loadgen import Context, Rows
from referrals.models import Person
from transfers.models import TransferRequest

SHARE = 0.01


def generate(ctx: Context) -> None:
    rng, areas = ctx.rng, ctx.ids["areas"]
    staff = ctx.ids["staff"]
    people = list(Person.objects.order_by("id").values_list("id", "area_id", "offender_manager_id"))
    chosen = sorted(rng.sample(range(len(people)), max(len(areas), round(SHARE * len(people)))))
    rows: Rows = []
    for index in chosen:
        person, area_id, om = people[index]
        other = rng.choice([a for a in areas if a != area_id])
        status = rng.choices(["approved", "refused", "pending"], [8, 1, 1])[0]
        if status == "approved":
            from_area, to_area, taker = other, area_id, om
        else:
            from_area, to_area, taker = area_id, other, rng.choice(staff[other][Role.OFFENDER_MANAGER])
        days_ago = rng.randrange(10, 730) if status != "pending" else rng.randrange(0, 10)
        requested = ctx.at(ctx.today - dt.timedelta(days=days_ago), 10)
        decided = requested + dt.timedelta(days=7) if status != "pending" else None
        rows.append((ctx.uuid(), person, from_area, to_area, taker, "The person is moving to live in the area.",
                     status, rng.choice(staff[to_area][Role.TREATMENT_MANAGER]), requested,
                     rng.choice(staff[from_area][Role.TREATMENT_MANAGER]) if decided else None, decided,
                     "Supervision cannot be taken on yet." if status == "refused" else ""))  # fmt: skip
    ctx.copy(
        TransferRequest,
        ["public_id", "person_id", "from_area_id", "to_area_id", "offender_manager_id", "reason", "status",
         "requested_by_id", "requested_at", "decided_by_id", "decided_at", "decision_reason"],
        rows,
    )  # fmt: skip
