"""`python manage.py backup --output DIR`: the database and the report files, in one timestamped folder.

PostgreSQL is dumped with `pg_dump --format=custom` (SQLite, for `make run`, with SQLite's online backup);
the private report files (PRIVATE_MEDIA_ROOT) go into a tar archive; `manifest.json` lists each file with its
SHA-256 so `restore` can check nothing was damaged on the way. Copy the folder off the machine: a backup on the
same disk is no backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils import timezone


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq variables for the Django database (the password never appears on a command line)."""
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "127.0.0.1"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


class Command(BaseCommand):
    help = "Back up the database and the report files into a new folder under --output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default="backups", help="Where to create the backup folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["output"]) / f"isotp-{timezone.now():%Y%m%dT%H%M%SZ}"
        folder.mkdir(parents=True, exist_ok=False)
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            database = folder / "database.dump"
            subprocess.run(  # noqa: S603
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(database)],  # noqa: S607
                env=pg_env(db),
                check=True,
            )
        else:
            database = folder / "database.sqlite3"
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(database))
            with target:
                source.backup(target)
            source.close()
            target.close()
        media = folder / "private_media.tar.gz"
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        with tarfile.open(media, "w:gz") as archive:
            if root.exists():
                archive.add(root, arcname="private_media")
        files = {path.name: sha256(path) for path in (database, media)}
        (folder / "manifest.json").write_text(
            json.dumps(
                {"created_at": timezone.now().isoformat(), "vendor": connection.vendor, "files": files}
            )
        )
        self.stdout.write(str(folder))
