"""`python manage.py restore FOLDER --yes`: put a `backup` folder back: the database, then the report files.

The files are checked against the manifest first. The database named by DATABASE_URL is overwritten (restore
into an empty one, made with `createdb`); the report files are extracted into PRIVATE_MEDIA_ROOT.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from isotp.management.commands.backup import pg_env, sha256


class Command(BaseCommand):
    help = "Restore a backup folder (made by `backup`) into the configured database and PRIVATE_MEDIA_ROOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="Confirm: the database will be overwritten.")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError):
            raise CommandError(f"{folder} is not a backup folder (no readable manifest.json).") from None
        for name, digest in manifest["files"].items():
            if not (folder / name).exists() or sha256(folder / name) != digest:
                raise CommandError(f"{name} is missing or damaged (its SHA-256 does not match the manifest).")
        if manifest["vendor"] != connection.vendor:
            raise CommandError(
                f"This backup is of {manifest['vendor']}, the database is {connection.vendor}."
            )
        if not options["yes"]:
            raise CommandError("Restoring overwrites the database: run again with --yes.")
        db = connection.settings_dict
        connection.close()
        if connection.vendor == "postgresql":
            subprocess.run(  # noqa: S603
                [  # noqa: S607 - pg_restore from the PATH, as the Makefile's other PostgreSQL tools
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--dbname",
                    str(db["NAME"]),
                    str(folder / "database.dump"),
                ],
                env=pg_env(db),
                check=True,
            )
        else:
            shutil.copyfile(folder / "database.sqlite3", str(db["NAME"]))
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / "private_media.tar.gz", "r:gz") as archive:
            for member in archive.getmembers():
                if not member.name.startswith("private_media") or not (member.isfile() or member.isdir()):
                    raise CommandError("The file archive holds something other than report files.")
                relative = Path(member.name).relative_to("private_media")
                if ".." in relative.parts:
                    raise CommandError("The file archive holds an unsafe path.")
                target = root / relative
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                with source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
        self.stdout.write(f"Restored {folder}")
