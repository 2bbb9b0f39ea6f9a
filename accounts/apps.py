from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Staff accounts and probation areas"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  registers the OpenAPI description of session auth
