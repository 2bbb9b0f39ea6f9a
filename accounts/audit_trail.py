"""What the audit trail needs from accounts (the `audit_trail` hook): the labels of sign-in outcomes and roles."""

from __future__ import annotations

from accounts.models import Role
from accounts.services import SIGN_IN_OUTCOMES

VALUE_WORDS: dict[str, dict[str, str]] = {"outcome": dict(SIGN_IN_OUTCOMES), "role": dict(Role.choices)}
