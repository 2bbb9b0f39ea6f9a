from django.apps import AppConfig


class ProgrammeSessionsConfig(AppConfig):
    """Programme catalogue, groups, one-to-one plans and scheduled sessions.

    Label `programme_sessions`: the name `sessions` clashes with `django.contrib.sessions`.
    """

    name = "sessions"
    label = "programme_sessions"
    verbose_name = "Programme delivery"
