"""`python manage.py demo_logins`: print the demo accounts and how to pass the second factor (`make run` only: ISOTP_DEMO)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import AREAS, DEMO_PASSWORD, DEMO_TOTP_BASE32, STAFF, demo_email


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or settings.DEBUG):
            raise CommandError("demo_logins is for the demo only (`make run`, ISOTP_DEMO=true).")
        out = self.stdout.write
        out("")
        out(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for area in AREAS:
            for local, role, name in STAFF[area["code"]]:
                if local in {"admin", "tm", "facilitator", "om"}:
                    out(f"  {demo_email(local, area['code']):32} {role.label} ({name})")
        out("")
        out("Second factor: add this key to any authenticator app (TOTP, 6 digits, 30 s):")
        out(f"  {DEMO_TOTP_BASE32}")
        out("or print the current code:  make totp EMAIL=tm@cheshire.example")
        out("")
