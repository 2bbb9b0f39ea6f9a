from django.apps import AppConfig

from isotp.sqlite_triggers import keep_sqlite_triggers


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # SQLite (`make run`): 0002's append-only triggers are dropped when later migrations rebuild the tables
        # (0003's check constraint, 0004's longer column); put them back after every migrate.
        keep_sqlite_triggers(self, "0002_append_only")
