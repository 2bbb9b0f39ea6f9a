"""`python manage.py dispatch_outbox`: send the tasks kept in the database while the broker was down."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from isotp.outbox import _dispatch_ids


class Command(BaseCommand):
    help = "Publish pending outbox messages to the Celery broker (beat also does this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{_dispatch_ids(None)} sent")
