"""`manage.py generate_load_data --scale S`: the national load data set (issue 11) in an empty database."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from isotp import clock
from isotp.hooks import app_hooks
from isotp.loadgen import Context, Timer, counts_for


class Command(BaseCommand):
    help = (
        "Fill an empty PostgreSQL database with the national load data set (42 areas, 100,000 people at S=1; "
        "every count inside an area shrinks with the scale). Deterministic for a seed and a date: give --today "
        "(without it the data is built around the clock's today, so two runs on different days differ)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1 = national; 0.01 = a hundredth")
        parser.add_argument("--seed", type=int, default=2026, help="the same seed gives the same data set")
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="the date the data is built around (default: today by the clock; give it for a repeatable data set)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The load data set needs PostgreSQL (it is written with COPY).")
        reason = name_refusal(str(connection.settings_dict["NAME"]))
        if reason:
            raise CommandError(reason)
        from accounts.models import ProbationArea

        if ProbationArea.objects.exists():
            raise CommandError(
                "This database already has probation areas: point DATABASE_URL at an empty, migrated database."
            )
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        ctx = Context(
            scale=scale,
            seed=options["seed"],
            today=options["today"] or clock.today(),
            rng=random.Random(options["seed"]),  # noqa: S311 (reproducible test data, not secrets)
            counts=counts_for(scale),
            log=self.stdout.write,
        )
        generate(ctx)
        for label, n in sorted(ctx.written.items()):
            self.stdout.write(f"{label}: {n}")


def generate(ctx: Context) -> None:
    """Run every app's hook, then every `generate_after` hook, in one transaction; then analyse the tables."""
    with Timer(ctx.log, "load data set"), transaction.atomic():
        for hook in app_hooks("load_data", "generate"):
            with Timer(ctx.log, hook.__module__):
                hook(ctx)
        # Hooks over every other app's rows (the audit trail of the records the data set holds).
        for hook in app_hooks("load_data", "generate_after"):
            with Timer(ctx.log, hook.__module__ + " (after)"):
                hook(ctx)
        ctx.finish()
    from django.apps import apps

    with Timer(ctx.log, "analyse"), connection.cursor() as cursor:
        for label in sorted(ctx.written):
            cursor.execute(f'ANALYZE "{apps.get_model(label)._meta.db_table}"')


def name_refusal(database: str) -> str | None:
    """Why the generator must not fill this database (None: it may). It writes 100,000 invented people and their
    staff, so only a database named for it: one the load test makes (its name
    holds `_load_`, bench/loadtest/harness.py `db_url`) or a test database (Django names them `test_...`); an
    empty, migrated production database is refused by its name before anything is written."""
    if "_load_" in database or database.startswith("test_"):
        return None
    return (
        f"The database {database!r} is not a load data set's: its name must hold _load_ (the load test names its "
        "databases <db>_load_<scale>), so that a real database is never filled with invented people."
    )
