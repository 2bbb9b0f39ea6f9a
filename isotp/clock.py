"""Today's date, in one place: the product's local date (settings.TIME_ZONE), which tests fix with time-machine."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """The local date now; rules take it as an argument, services and pages ask here."""
    return timezone.localdate()
