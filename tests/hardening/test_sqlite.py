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


def _run_on_sqlite(tmp_path: Path, script: str, timeout: int) -> subprocess.CompletedProcess[str]:
    """Runs `script` in a fresh Python on make run's embedded default: a SQLite file of its own, no Redis, Celery
    tasks in-process; asserts it exited 0."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "isotp.settings",
    }
    result = subprocess.run(  # noqa: PLW1510 - the caller's assert reads the return code
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_concurrent_writes_on_sqlite_never_lock(tmp_path: Path):
    result = _run_on_sqlite(tmp_path, SCRIPT, timeout=300)
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["journal"] == "wal"
    assert lines["errors"].startswith("0"), lines["errors"]
    # Every transaction saw the rows before it: 200 rows numbered 1..200, no lost update.
    assert lines["rows"] == "200 200"


APPEND_ONLY_SCRIPT = r"""
import django
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0, interactive=False)
with connection.cursor() as cur:
    cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name LIKE 'audit_%' ORDER BY name")
    print("triggers", ",".join(name for (name,) in cur.fetchall()))
    # One row, whatever the columns are (row triggers fire only on a row); its references need not exist.
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.execute("PRAGMA table_info(audit_accesslog)")
    columns = [(name, kind.lower()) for _, name, kind, notnull, default, pk in cur.fetchall() if notnull and not pk]
    values = [1 if ("int" in kind or "bool" in kind) else "2026-01-01 00:00:00" if "date" in kind else "x"
              for _, kind in columns]
    cur.execute(
        f"INSERT INTO audit_accesslog ({', '.join(name for name, _ in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        values,
    )
    for statement in ("UPDATE audit_accesslog SET object_label = 'Y'", "DELETE FROM audit_accesslog"):
        try:
            cur.execute(statement)
            print("allowed", statement.split()[0])
        except Exception as exc:
            print("refused", statement.split()[0], type(exc).__name__)
"""


def test_the_audit_tables_stay_append_only_on_sqlite(tmp_path: Path):
    """Issue 12, tester no. 7: on `make run`'s SQLite the later audit migrations rebuilt the tables and dropped
    0002's triggers; they are put back after every migrate (isotp.sqlite_triggers.keep_sqlite_triggers)."""
    result = _run_on_sqlite(tmp_path, APPEND_ONLY_SCRIPT, timeout=600)
    lines = [line.split(" ") for line in result.stdout.splitlines()]
    triggers = next(line[1] for line in lines if line[0] == "triggers").split(",")
    assert set(triggers) == {
        f"{table}_no_{op}" for table in ("audit_auditevent", "audit_accesslog") for op in ("update", "delete")
    }
    assert [line[:2] for line in lines if line[0] in ("allowed", "refused")] == [
        ["refused", "UPDATE"],
        ["refused", "DELETE"],
    ]


REPORT_VERSIONS_SCRIPT = r"""
import django
django.setup()
from django.core.management import call_command
from django.db import connection

call_command("migrate", verbosity=0, interactive=False)
with connection.cursor() as cur:
    cur.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'reports_reportversion' ORDER BY name"
    )
    print("triggers", ",".join(name for (name,) in cur.fetchall()))
    # One issued version (number 1, a well-formed sha256), whatever the other columns are; references need not exist.
    cur.execute("PRAGMA foreign_keys = OFF")
    cur.execute("PRAGMA table_info(reports_reportversion)")
    columns = [(name, kind.lower()) for _, name, kind, notnull, default, pk in cur.fetchall() if notnull and not pk]
    values = ["{}" if name == "snapshot" else "a" * 64 if name == "sha256" else 1 if ("int" in kind or "bool" in kind)
              else "2026-01-01 00:00:00" if "date" in kind else "x" for name, kind in columns]
    cur.execute(
        f"INSERT INTO reports_reportversion ({', '.join(name for name, _ in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})",
        values,
    )
    for label, statement in (
        ("change", "UPDATE reports_reportversion SET amendment_reason = 'changed'"),
        ("delete", "DELETE FROM reports_reportversion"),
        ("supersede", "UPDATE reports_reportversion SET superseded_at = '2026-02-01 00:00:00'"),
        ("supersede-again", "UPDATE reports_reportversion SET superseded_at = '2026-03-01 00:00:00'"),
    ):
        try:
            cur.execute(statement)
            print("allowed", label)
        except Exception as exc:
            print("refused", label, type(exc).__name__)
"""


def test_issued_report_versions_stay_immutable_on_sqlite(tmp_path: Path):
    """Reports 0003's check constraint rebuilt reports_reportversion on SQLite and dropped 0002's triggers; they
    are put back after every migrate (isotp.sqlite_triggers.keep_sqlite_triggers). An issued version refuses
    UPDATE and DELETE; marking it superseded is allowed once, as on PostgreSQL."""
    result = _run_on_sqlite(tmp_path, REPORT_VERSIONS_SCRIPT, timeout=600)
    lines = [line.split(" ") for line in result.stdout.splitlines()]
    triggers = next(line[1] for line in lines if line[0] == "triggers").split(",")
    assert set(triggers) == {"reports_reportversion_no_update", "reports_reportversion_no_delete"}
    assert [line[:2] for line in lines if line[0] in ("allowed", "refused")] == [
        ["refused", "change"],
        ["refused", "delete"],
        ["allowed", "supersede"],
        ["refused", "supersede-again"],
    ]


PAGES_SCRIPT = r"""
import re
import django
django.setup()
from io import StringIO
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import Role, User

call_command("migrate", verbosity=0, interactive=False)
call_command("seed_demo", stdout=StringIO())
for role in Role.values:
    user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).first().persistent_id
    session.save()
    home = client.get("/")
    print("page", role, "/", home.status_code)
    links = sorted(set(re.findall(r'href="(/[^"#?]*)"', home.content.decode())))
    for path in links:
        if path.startswith("/static/") or "sign-out" in path or "logout" in path:
            continue
        print("page", role, path, client.get(path).status_code)
"""


def test_every_roles_home_and_the_pages_it_links_to_answer_on_sqlite(tmp_path: Path):
    """`make run`'s SQLite with the demo data: each role's home page, and every page it links to (the attention
    lists behind its cards, the navigation's lists), answers 200. The suite runs on PostgreSQL, and SQLite refuses
    some SQL PostgreSQL takes: the facilitator's home failed there (an ORDER BY inside a UNION's part)."""
    result = _run_on_sqlite(tmp_path, PAGES_SCRIPT, timeout=900)
    pages = [line.split(" ") for line in result.stdout.splitlines() if line.startswith("page ")]
    assert {role for _, role, _, _ in pages} == {
        "treatment_manager",
        "facilitator",
        "offender_manager",
        "area_admin",
    }
    assert len(pages) > 40
    failed = [(role, path, status) for _, role, path, status in pages if status != "200"]
    assert not failed, failed
    assert {path for _, _, path, _ in pages if path.startswith("/needs-attention/")} >= {
        "/needs-attention/my-sessions-today/",
        "/needs-attention/enforcement-due/",
        "/needs-attention/catch-ups-outstanding/",
    }
