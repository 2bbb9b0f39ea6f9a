from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate

# The append-only tables (audit/migrations/0002_append_only.py makes them so).
APPEND_ONLY_TABLES = ("audit_auditevent", "audit_accesslog")


def keep_sqlite_append_only(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """SQLite (`make run`): put back the RAISE(ABORT) triggers that refuse UPDATE and DELETE on the audit tables.

    Migration 0002 creates them, but on SQLite Django rebuilds a table (create, copy, drop, rename) for most later
    changes to it, such as 0003's check constraint and 0004's longer column, and the rebuild drops its triggers
    (issue 12, tester no. 7). PostgreSQL alters tables in place and keeps its triggers: nothing to do there."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    from django.db.migrations.recorder import MigrationRecorder

    if ("audit", "0002_append_only") not in MigrationRecorder(connection).applied_migrations():
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            if table not in tables:
                continue
            for op in ("UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
                )


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        post_migrate.connect(
            keep_sqlite_append_only, sender=self, dispatch_uid="audit_keep_sqlite_append_only"
        )
