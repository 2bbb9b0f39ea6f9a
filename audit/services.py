"""Writing audit events. Callers are services, inside their own `transaction.atomic` block."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import models

from audit.models import AccessLog, AuditEvent
from isotp import bounds

if TYPE_CHECKING:
    from accounts.models import User


def _plain(value: Any) -> Any:
    """Make a value JSON-safe for the `changes` column."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _area_id(obj: models.Model | None, area_id: int | None) -> int | None:
    if area_id is not None or obj is None:
        return area_id
    return getattr(obj, "area_id", None)


def audit_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_label: str = "",
    area_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """The audit event `record_event` would append, not yet saved: a service writing many at once (a register's
    lines) appends them together with `record_events`."""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")),
        object_label=object_label,
        area_id=_area_id(obj, area_id),
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        reason=reason,
    )


def record_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    object_label: str = "",
    area_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event; call it inside the same transaction as the write it describes."""
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        area_id=area_id,
        changes=changes,
        reason=reason,
    )
    event.save(force_insert=True)
    return event


def record_events(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Append the events of `audit_event` in their order, in one INSERT; call it inside the same transaction as
    the writes they describe."""
    return AuditEvent.objects.bulk_create(events) if events else []


def diff(instance: models.Model, fields: Iterable[str], new_values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `instance` that `new_values` would change, as {field: {"from": old, "to": new}}."""
    changed: dict[str, Any] = {}
    for field in fields:
        if field not in new_values:
            continue
        old, new = getattr(instance, field), new_values[field]
        if old != new:
            changed[field] = {"from": _plain(old), "to": _plain(new)}
    return changed


def record_access(*, actor: User, obj: models.Model, via: str = "page", object_label: str = "") -> AccessLog:
    """Log that `actor` viewed a person's record (call from the view that shows it)."""
    return AccessLog.objects.create(
        actor=actor,
        object_type=obj._meta.label_lower,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        object_label=object_label,
        area_id=getattr(obj, "area_id", None),
        via=via,
    )


# The parameters each list of people takes, search terms first: only these are logged (an unknown parameter cannot
# push the search term out of the entry), each cut to the longest search the product accepts.
SEARCH_PARAMETERS: dict[str, tuple[str, ...]] = {
    "people": ("q", "search", "offender_manager", "open_referral", "has_open_referral", "sort", "page"),
    "referrals": ("q", "search", "status", "programme", "format", "sort", "page"),
    "waiting_list": ("q", "search", "programme", "format", "restart", "urgency", "export", "sort", "page"),
    "reports": ("status", "new", "page"),
    "transfers": ("page",),
    "notifications": ("page",),
    "group": ("group",),
    "one_to_one_plans": ("page",),
    "psychometric_administrations": ("page",),
    "register": ("session",),
}
SEARCH_LABEL_LENGTH = 500


def _escape(value: str) -> str:
    return value.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


def search_label(query: Mapping[str, Any], params: Sequence[str]) -> str:
    """`query`'s known parameters `params` as `name=value&...` in that order (the search term first), each value cut
    to bounds.SEARCH_MAX_LENGTH; unknown parameters are left out, and later parameters give way to earlier ones
    when the entry is full, so the search term is always kept."""
    parts: list[str] = []
    for name in params:
        values = query.getlist(name) if hasattr(query, "getlist") else [query.get(name)]
        for value in values:
            if value in ("", None):
                continue
            part = f"{name}={_escape(str(value)[: bounds.SEARCH_MAX_LENGTH])}"
            if len("&".join([*parts, part])) <= SEARCH_LABEL_LENGTH:
                parts.append(part)
    return "&".join(parts)


def record_search(
    *,
    actor: User,
    list_name: str,
    query: Mapping[str, Any],
    via: str = "page",
    params: Sequence[str] | None = None,
) -> AccessLog:
    """Log that `actor` searched or listed people (`list_name`: people, referrals, waiting_list, or a list page
    named with its `params`): who, when and the query (search text and filters, page included), so a search by a
    name or a CRN can be traced later. Only the list's known parameters are kept (SEARCH_PARAMETERS or `params`).

    Call it from the page or API view that shows the list (a count on a home page is not a list of people).
    """
    known = params if params is not None else SEARCH_PARAMETERS.get(list_name, ("q", "search", "page"))
    return AccessLog.objects.create(
        actor=actor,
        object_type="search",
        object_id=list_name,
        object_label=search_label(query, known),
        area_id=getattr(actor, "area_id", None),
        via=via,
    )
