from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

from isotp.sqlite_triggers import restore_sqlite_triggers

# The append-only tables (audit/migrations/0002_append_only.py makes them so).
APPEND_ONLY_TABLES = ("audit_auditevent", "audit_accesslog")
SQLITE_TRIGGERS = {
    f"{table}_no_{op.lower()}": (
        table,
        f"BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
    )
    for table in APPEND_ONLY_TABLES
    for op in ("UPDATE", "DELETE")
}


def keep_sqlite_append_only(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """SQLite (`make run`): put back the RAISE(ABORT) triggers that refuse UPDATE and DELETE on the audit tables.

    Migration 0002 creates them, but on SQLite Django rebuilds a table (create, copy, drop, rename) for most later
    changes to it, such as 0003's check constraint and 0004's longer column, and the rebuild drops its triggers
    (issue 12, tester no. 7). PostgreSQL alters tables in place and keeps its triggers: nothing to do there."""
    restore_sqlite_triggers(using, ("audit", "0002_append_only"), SQLITE_TRIGGERS)


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        post_migrate.connect(
            keep_sqlite_append_only, sender=self, dispatch_uid="audit_keep_sqlite_append_only"
        )
