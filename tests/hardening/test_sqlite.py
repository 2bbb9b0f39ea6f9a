"""`make run`'s embedded SQLite serves a handful of concurrent writers without "database is locked".

The suite itself runs on PostgreSQL, so this starts a separate Python process with `make run`'s settings
(DJANGO_DEBUG, a SQLite file) and has eight threads do read-then-write transactions, as views do.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = r"""
import threading
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction

errors = []

def writer(n):
    try:
        for i in range(25):
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SELECT COUNT(*) FROM counter")
                    (count,) = cur.fetchone()
                    cur.execute("INSERT INTO counter (value) VALUES (%s)", [count + 1])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()

with connection.cursor() as cur:
    cur.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
    cur.execute("PRAGMA journal_mode")
    print("journal", cur.fetchone()[0])
connection.close()
threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as cur:
    cur.execute("SELECT COUNT(*), MAX(value) FROM counter")
    print("rows", *cur.fetchone())
print("errors", len(errors), errors[:1])
"""


def test_concurrent_writes_on_sqlite_never_lock(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "isotp.settings",
    }
    result = subprocess.run(  # noqa: PLW1510 - the test reads the return code itself
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["journal"] == "wal"
    assert lines["errors"].startswith("0"), lines["errors"]
    # Every transaction saw the rows before it: 200 rows numbered 1..200, no lost update.
    assert lines["rows"] == "200 200"
