"""Every test worker names the queues it consumes: `start_worker(app, queues=[...])` leaves its choice on the shared
Celery app (`app.amqp.queues.select`), so a later worker started without `queues=` in the same process consumes from
the earlier test's queue and never sees its own tasks (CI, 2026-11-30: the outbox test waited 300 s for an email)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
CALL = re.compile(r"start_worker\((?P<arguments>[^)]*)\)")


def test_every_test_worker_names_its_queues():
    calls = [
        (f"{path.relative_to(TESTS)}", match.group("arguments"))
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for match in CALL.finditer(path.read_text())
    ]
    assert calls, "the scan found no workers: the pattern no longer matches how tests start them"
    assert not [where for where, arguments in calls if "queues=" not in arguments]
