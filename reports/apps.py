from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate

from isotp.sqlite_triggers import restore_sqlite_triggers

IMMUTABLE_MIGRATION = ("reports", "0002_versions_immutable")


def keep_sqlite_versions_immutable(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """SQLite (`make run`): put back the triggers that refuse DELETE and any UPDATE of an issued report version
    except marking it superseded once (domain.md §8). Migration 0002 creates them; 0003's check constraint rebuilds
    the table on SQLite, which drops them. PostgreSQL keeps its trigger: nothing to do there."""
    migration = import_module(f"reports.migrations.{IMMUTABLE_MIGRATION[1]}")
    restore_sqlite_triggers(using, IMMUTABLE_MIGRATION, migration.SQLITE_TRIGGERS)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Post-Programme Reports"

    def ready(self) -> None:
        post_migrate.connect(
            keep_sqlite_versions_immutable, sender=self, dispatch_uid="reports_keep_sqlite_versions_immutable"
        )
