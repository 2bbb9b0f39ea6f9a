"""`python manage.py seed_demo`: load the demo data of every app (each app's `demo.seed`), idempotently."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from isotp.hooks import app_hooks


class Command(BaseCommand):
    help = "Load demo areas, staff, people and programmes. Re-running it changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        log: list[str] = []
        with transaction.atomic():
            for seed in app_hooks("demo", "seed"):
                seed(log)
        self.stdout.write(f"Demo data ready ({len(log)} new records).")
