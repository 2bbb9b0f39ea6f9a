"""Domain errors shared by every app's services (no Django imports: rules may raise them too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DomainConflict(Exception):
    """A domain rule refuses a state change: the API answers 409, the pages show the message."""

    code = "CONFLICT"

    def __init__(
        self, detail: str, *, code: str | None = None, allowed: Iterable[str] | None = None, **extra: Any
    ):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.allowed = list(allowed) if allowed is not None else None
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "detail": self.detail}
        if self.allowed is not None:
            body["allowed"] = self.allowed
        body.update(self.extra)
        return body
