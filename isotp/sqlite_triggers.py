"""Put back SQLite triggers that a table rebuild dropped (`make run` only).

On SQLite Django rebuilds a table (create, copy, drop, rename) for most changes to it, such as a check constraint
or a longer column, and the rebuild drops the table's triggers. PostgreSQL alters tables in place and keeps them.
An app whose migration creates SQLite triggers lists them in that migration as `SQLITE_TRIGGERS` and calls
`keep_sqlite_triggers` from its `AppConfig.ready`: they are put back after every migrate (audit and reports do,
issue 12, tester no. 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate


def restore_sqlite_triggers(
    using: str, migration: tuple[str, str], triggers: Mapping[str, tuple[str, str]]
) -> None:
    """Create each of `triggers` (name -> (table, the statement after `CREATE TRIGGER name`)) that is missing, on
    SQLite, once `migration` (app label, name), which first made them, is applied and the table exists."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    from django.db.migrations.recorder import MigrationRecorder

    if migration not in MigrationRecorder(connection).applied_migrations():
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for name, (table, body) in triggers.items():
            if table in tables:
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")


def keep_sqlite_triggers(app: AppConfig, migration: str) -> None:
    """After every migrate of `app`, put back the `SQLITE_TRIGGERS` its `migration` (a name in its migrations
    package) creates. PostgreSQL keeps its triggers: nothing happens there."""

    def restore(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
        module = import_module(f"{app.name}.migrations.{migration}")
        restore_sqlite_triggers(using, (app.label, migration), module.SQLITE_TRIGGERS)

    post_migrate.connect(restore, sender=app, weak=False, dispatch_uid=f"{app.label}_keep_sqlite_triggers")
