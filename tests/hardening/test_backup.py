"""`make backup` / `make restore`: a backup restored into an empty database has every record and file intact."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from isotp.management.commands.backup import sha256
from tests.referrals.factories import referral_for

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
TABLES = ["accounts_user", "referrals_person", "referrals_referral", "audit_auditevent", "audit_accesslog"]


def _counts(dbname: str) -> dict[str, int]:
    db = connection.settings_dict
    with (
        psycopg2.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=dbname,
        ) as conn,
        conn.cursor() as cur,
    ):
        counts = {}
        for table in TABLES:
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cur.fetchone()[0]
        cur.execute("SELECT crn FROM referrals_person ORDER BY crn")
        counts["crns"] = [row[0] for row in cur.fetchall()]
    conn.close()
    return counts


def _admin_conn():
    db = connection.settings_dict
    conn = psycopg2.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def test_backup_restores_into_an_empty_database(tmp_path, settings, area, om, tm):
    media = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = media
    (media / "reports" / "2026").mkdir(parents=True)
    pdf = media / "reports" / "2026" / "report-v1.pdf"
    pdf.write_bytes(b"%PDF-1.7 " + os.urandom(4096))
    referral_for(area, om, status="submitted")
    source = _counts(connection.settings_dict["NAME"])
    assert source["referrals_referral"] == 1

    out = StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out)
    folder = Path(out.getvalue().strip())
    assert (folder / "database.dump").exists() and (folder / "manifest.json").exists()

    target = f"isotp_restore_{uuid.uuid4().hex[:12]}"
    admin = _admin_conn()
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    restored_media = tmp_path / "restored_media"
    db = connection.settings_dict
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{target}",
            "PRIVATE_MEDIA_ROOT": str(restored_media),
        }
        result = subprocess.run(  # noqa: PLW1510 - the test reads the return code itself
            [sys.executable, "manage.py", "restore", str(folder), "--yes"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert _counts(target) == source
        restored = restored_media / "reports" / "2026" / "report-v1.pdf"
        assert sha256(restored) == sha256(pdf)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()


def test_a_damaged_backup_is_refused(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    folder = Path(out.getvalue().strip())
    with (folder / "database.dump").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(CommandError, match="missing or damaged"):
        call_command("restore", str(folder), "--yes")


def test_restore_needs_confirmation(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("backup", output=str(tmp_path), stdout=out)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", out.getvalue().strip())
