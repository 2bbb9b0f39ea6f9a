"""The role × area permission matrix, shared by every app.

Each app lists its routes in `tests/<app>/matrix.py` as `ROUTES = [Route(...), ...]`. `tests/test_permission_matrix.py`
then checks, for every route: anonymous users are sent to sign in (pages) or get 401 (API); each role of the home
area gets through only if listed; for routes about one record, a user of ANOTHER area gets 404 even with an
allowed role. A URL pattern that no matrix lists fails the suite, so every later view inherits the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ALL_ROLES = frozenset({"treatment_manager", "facilitator", "offender_manager", "area_admin"})
MANAGERS = frozenset({"treatment_manager", "area_admin"})


@dataclass(frozen=True)
class Route:
    """One URL pattern and who may use it.

    name:    the URL name (`app:name` or `api-…`).
    roles:   roles of the home area that get through (2xx or a redirect that is not to sign-in).
    method:  the method checked ("get", "post", "put", "patch" or "delete"); a write gets `data`.
    kwargs:  builds the URL kwargs: called with (area, personas) and returns a dict; the object must belong to
             `area` and, for caseload-scoped records, to `personas["offender_manager"]`.
    scoped:  True when the route is about one record: another area's user gets 404 whatever the role.
    data:    POST body (may be a callable of (area, personas)).
    api:     True for API routes (anonymous → 401, refused role → 403).
    public:  True for pages anyone may open (sign-in, health check).
    """

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    method: str = "get"
    kwargs: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    scoped: bool = False
    data: Any = None
    api: bool = False
    public: bool = False
    query: str = ""
