from django.apps import AppConfig

from isotp.sqlite_triggers import keep_sqlite_triggers


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality assurance, programme statistics and outcomes"

    def ready(self) -> None:
        # SQLite (`make run`): 0003's triggers (a recording's copy of its session's date and start) are dropped when
        # a later migration rebuilds either table; put them back after every migrate.
        keep_sqlite_triggers(self, "0003_recording_session_date")
