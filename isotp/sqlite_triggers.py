"""Put back SQLite triggers that a table rebuild dropped (`make run` only).

On SQLite Django rebuilds a table (create, copy, drop, rename) for most changes to it, such as a check constraint
or a longer column, and the rebuild drops the table's triggers. PostgreSQL alters tables in place and keeps them.
An app whose migration creates triggers connects a `post_migrate` handler that calls `restore_sqlite_triggers`
after every migrate (audit and reports do, issue 12, tester no. 7).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connections


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
