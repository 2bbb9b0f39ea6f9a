"""The role × area matrix of the services: the services are the one gate (issue 7).

Each app lists its public service functions in `tests/<app>/service_matrix.py`:

    SERVICES = [Service(people.create_person, roles=..., kwargs=...), ...]
    NOT_SERVICES = [NotAService(validation.full_clean, "a check the services share; no write"), ...]

`tests/test_service_matrix.py` then checks, for every service: it takes the acting user as the keyword-only
`actor`; each role of the home area gets through only if listed (a refused role raises PermissionDenied, 403); for
services about one record, a user of ANOTHER area gets Http404 even with an allowed role. "Gets through" means the
call passed the gate: it may still be refused by a rule (ValidationError, DomainConflict), never by permission.
A public function of any `<app>/services` module that neither list names fails the suite, so a new service inherits
the checks the moment it is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.matrix import ALL_ROLES, MANAGERS

__all__ = ["ALL_ROLES", "MANAGERS", "NotAService", "Service"]


@dataclass(frozen=True)
class Service:
    """One public service and who may call it.

    func:      the service function.
    roles:     roles of the home area that get through the gate.
    kwargs:    builds the arguments other than `actor`: called with (area, personas) and returns a dict; records
               must belong to `area` and, for caseload-scoped ones, to `personas["offender_manager"]`. A builder
               with a third parameter also gets the actor (for records of their own: their device).
    scoped:    True when the service is about records of one area: another area's user gets Http404.
    superuser: True for configuration saved through the Django admin: only a superuser gets through.
    known_gap: a gap the owning engineer is closing, with who and why: its role and area checks are expected to
               fail until then (xfail, not strict), while it stays listed.
    area_gap:  the same, for the other-area check only (the service refuses another area's record with 403
               instead of 404, or does not check the area at all).
    """

    func: Callable[..., Any]
    roles: frozenset[str] = field(default_factory=frozenset)
    kwargs: Callable[..., dict[str, Any]] | None = None
    scoped: bool = False
    superuser: bool = False
    known_gap: str = ""
    area_gap: str = ""

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"


@dataclass(frozen=True)
class NotAService:
    """A public function of a services module that is not a gated service, and why (a shared check, a pure
    computation with no write, the audit trail itself, a system-level call made by other services)."""

    func: Callable[..., Any]
    why: str

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"
