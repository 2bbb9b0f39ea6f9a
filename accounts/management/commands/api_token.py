"""`python manage.py api_token EMAIL`: print an API token for that member of staff, creating it if needed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from audit.services import record_event


class Command(BaseCommand):
    help = "Print the API token for a member of staff (creating one if they have none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--rotate", action="store_true", help="Replace any existing token with a new one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(email__iexact=options["email"], is_active=True)
        except User.DoesNotExist:
            raise CommandError("No active member of staff has that email address.") from None
        with transaction.atomic():
            if options["rotate"]:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
            if created:
                record_event(actor=None, action="api_token.issued", obj=user)
        self.stdout.write(token.key)
