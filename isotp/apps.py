from django.apps import AppConfig


class IsotpConfig(AppConfig):
    name = "isotp"

    def ready(self) -> None:
        from isotp import checks  # noqa: F401  (registers the system checks)
