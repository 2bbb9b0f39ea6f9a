"""`python manage.py refresh_statistics`: compute and cache the statistics' default figures now (every area and
national, every programme filter), as the `refresh-statistics` beat job does every half TTL (issue 11)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from isotp import clock
from quality.tables import refresh_statistics


class Command(BaseCommand):
    help = "Compute and cache the statistics' default figures of every area and national (all programme filters)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        cached = refresh_statistics(clock.today())
        if not cached:
            self.stdout.write("The statistics cache is off (STATISTICS_CACHE_SECONDS=0): nothing to refresh.")
            return
        self.stdout.write(f"{cached} answers cached in {time.perf_counter() - started:.1f} s.")
