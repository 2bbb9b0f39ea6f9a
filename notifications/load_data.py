"""Load data set (issue 11): a year of in-app notifications, three per referral, mostly to offender managers.

Spread over the year before the data set's day; four in five read, every one emailed a few minutes after it was
made except one in two hundred whose email was given up after five refusals (the TM's "Emails not delivered").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from accounts.models import Role
from isotp.loadgen import Context
from notifications.models import Notification

PER_REFERRAL = 3
SUBJECTS = [
    ("absence", "An absence was recorded", 30),
    ("enforcement", "An enforcement step was recorded", 10),
    ("restart", "A member must restart the programme", 5),
    ("catch_up", "A catch-up session was booked", 20),
    ("progress", "Progress on the programme", 15),
    ("report", "A report was issued", 15),
    ("concern", "A facilitator raised a concern", 5),
]
RECIPIENTS = [(Role.OFFENDER_MANAGER, 70), (Role.TREATMENT_MANAGER, 20), (Role.FACILITATOR, 10)]


def generate(ctx: Context) -> None:
    rng, areas = ctx.rng, ctx.ids["areas"]
    total = PER_REFERRAL * ctx.counts["referrals"]
    kinds, weights = [(k, s) for k, s, _ in SUBJECTS], [w for *_, w in SUBJECTS]
    roles, role_weights = [r for r, _ in RECIPIENTS], [w for _, w in RECIPIENTS]

    def rows() -> Iterator[tuple[Any, ...]]:
        for a, area_id in enumerate(areas):
            staff = ctx.ids["staff"][area_id]
            for _ in range(total // len(areas) + (a < total % len(areas))):
                kind, subject = rng.choices(kinds, weights)[0]
                recipient = rng.choice(staff[rng.choices(roles, role_weights)[0]])
                created = ctx.at(ctx.today - dt.timedelta(days=rng.randrange(365)), rng.randrange(8, 18))
                failed = rng.random() < 0.005
                read = created + dt.timedelta(days=1) if rng.random() < 0.8 else None
                emailed = None if failed else created + dt.timedelta(minutes=5)
                yield (ctx.uuid(), recipient, area_id, kind, subject,
                       "Open the service to see the details.\n\nThis message was sent by the load data set.",
                       created, read, emailed, 5 if failed else 1, created + dt.timedelta(hours=2) if failed else None)  # fmt: skip

    ctx.copy(
        Notification,
        ["public_id", "recipient_id", "area_id", "kind", "subject", "body", "created_at", "read_at", "emailed_at",
         "email_attempts", "email_failed_at"],
        rows(),
    )  # fmt: skip
