"""`python manage.py api_token EMAIL`: issue and print a new API token for that member of staff.

Only a digest of each key is stored, so an existing token cannot be printed again: every run issues a new one
(named "manage.py api_token", with the configured lifetime); `--rotate` revokes the member's other tokens first.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue and print a new API token for a member of staff (--rotate revokes their other tokens)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--rotate", action="store_true", help="Revoke the member's existing tokens first."
        )
        parser.add_argument("--name", default="manage.py api_token", help="A name for the token.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(email__iexact=options["email"], is_active=True)
        except User.DoesNotExist:
            raise CommandError("No active member of staff has that email address.") from None
        with transaction.atomic():
            if options["rotate"]:
                ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
            _token, key = services.issue_api_token(actor=user, name=options["name"])
        self.stdout.write(key)
