from django.apps import AppConfig

from isotp.sqlite_triggers import keep_sqlite_triggers


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Post-Programme Reports"

    def ready(self) -> None:
        # SQLite (`make run`): 0002's triggers (no DELETE, no UPDATE of an issued version except marking it
        # superseded once, domain.md §8) are dropped when 0003's check constraint rebuilds the table; put them back
        # after every migrate.
        keep_sqlite_triggers(self, "0002_versions_immutable")
