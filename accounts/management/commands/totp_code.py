"""`python manage.py totp_code EMAIL`: the current second-factor code of a DEMO account (`make run` only: ISOTP_DEMO)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code for a demo account. Refuses to run outside the demo (ISOTP_DEMO)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("totp_code is for the demo only (`make run`, ISOTP_DEMO=true).")
        if not options["email"].endswith(".example"):
            raise CommandError("totp_code only answers for demo accounts (@….example).")
        device = TOTPDevice.objects.filter(user__email__iexact=options["email"], confirmed=True).first()
        if device is None:
            raise CommandError("That account has no confirmed authenticator.")
        self.stdout.write(f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}")
