"""Writing audit events. Callers are services, inside their own `transaction.atomic` block."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from uuid import UUID

from django.db import models

from audit.models import AccessLog, AuditEvent

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
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or str(getattr(obj, "public_id", None) or getattr(obj, "pk", "")),
        object_label=object_label,
        area_id=_area_id(obj, area_id),
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        reason=reason,
    )


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


def record_search(*, actor: User, list_name: str, query: Mapping[str, Any], via: str = "page") -> AccessLog:
    """Log that `actor` searched or listed people (`list_name`: people, referrals, waiting_list): who, when and
    the query (search text and filters, page included), so a search by a name or a CRN can be traced later.

    Call it from the page or API view that shows the list (a count on a home page is not a list of people).
    """
    text = urlencode(sorted((str(k), str(v)) for k, v in query.items() if v not in ("", None)))
    return AccessLog.objects.create(
        actor=actor,
        object_type="search",
        object_id=list_name,
        object_label=text[:200],
        area_id=getattr(actor, "area_id", None),
        via=via,
    )
