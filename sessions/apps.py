from django.apps import AppConfig

from isotp.sqlite_triggers import keep_sqlite_triggers


class ProgrammeSessionsConfig(AppConfig):
    """Programme catalogue, groups, one-to-one plans and scheduled sessions.

    Label `programme_sessions`: the name `sessions` clashes with `django.contrib.sessions`.
    """

    name = "sessions"
    label = "programme_sessions"
    verbose_name = "Programme delivery"

    def ready(self) -> None:
        # SQLite (`make run`): 0014's triggers (the links' copy of their session's date and status) are dropped
        # when a later migration rebuilds either table; put them back after every migrate.
        keep_sqlite_triggers(self, "0014_session_facilitator_date")
