"""Every psychometric write (domain.md §7): keyword-only, the acting user passed in and checked through
`accounts.permissions`, atomic, with the audit event in the same transaction.

Bad input raises Django's ValidationError (400 / form errors; a scale's error is keyed `scores.<CODE>`); a rule
refusing a state change raises `isotp.errors.DomainConflict` (409 with its code).
"""

from .administrations import (
    check_administration,
    current_battery_version,
    deviance_override_target,
    first_session_date,
    last_session_date,
    override_deviance,
    record_administration,
    recordable_kinds,
    sessions_complete,
    start_administration,
)
from .batteries import import_battery, save_battery_version

__all__ = [
    "check_administration",
    "current_battery_version",
    "deviance_override_target",
    "first_session_date",
    "import_battery",
    "last_session_date",
    "override_deviance",
    "record_administration",
    "recordable_kinds",
    "save_battery_version",
    "sessions_complete",
    "start_administration",
]
