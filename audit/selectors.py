"""Reads of the audit trail: managers see their own area's events only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, cast

from django.apps import apps
from django.db.models import Q, QuerySet

from accounts.permissions import can_view_audit
from audit.models import AccessLog, AuditEvent
from audit.wording import EventWords, describe
from isotp.hooks import app_hooks

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def events_for_search(
    user: User | AnonymousUser,
    *,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    actor_email: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    person: str = "",
) -> QuerySet[AuditEvent]:
    """Managers: their area's audit events, newest first, with the actor preloaded (one query per page).
    `person`: a name or CRN; the events about that person's records (see `about_people`)."""
    if not can_view_audit(user):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.filter(area_id=user.area_id).select_related("actor")  # type: ignore[union-attr]
    if action:
        qs = qs.filter(action__istartswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if person:
        qs = qs.filter(about_people(user, person))
    if actor_email:
        qs = qs.filter(actor__email__iexact=actor_email)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def access_for_search(
    user: User | AnonymousUser, *, object_id: str = "", person: str = ""
) -> QuerySet[AccessLog]:
    """Managers: who viewed which person's record in their area (`person`: a name or CRN, as for events)."""
    if not can_view_audit(user):
        return AccessLog.objects.none()
    qs = AccessLog.objects.filter(area_id=user.area_id).select_related("actor")  # type: ignore[union-attr]
    if object_id:
        qs = qs.filter(object_id=object_id)
    if person:
        qs = qs.filter(about_people(user, person))
    return qs.order_by("-at", "-id")


def about_people(user: User | AnonymousUser, search: str) -> Q:
    """Entries about the people of the user's area a name or CRN finds (issue 13): their person record, referrals,
    memberships, catch-ups and reports, each app naming its own through the `audit_trail` hook
    (`records_of_people`), or labelled with the CRN. A fixed number of queries whatever the matches."""
    ids: set[str] = set()
    for hook in app_hooks("audit_trail", "records_of_people"):
        ids |= hook(user, search)
    return Q(object_id__in=sorted(ids)) | Q(object_label__iexact=search.strip())


def value_words() -> dict[str, dict[str, str]]:
    """Each app's labels of its coded values (`audit_trail.VALUE_WORDS`), merged by field name."""
    merged: dict[str, dict[str, str]] = {}
    for words in app_hooks("audit_trail", "VALUE_WORDS"):
        for field, labels in cast("Mapping[str, Mapping[str, str]]", words).items():
            merged.setdefault(field, {}).update(labels)
    return merged


def record_type(object_type: str) -> str:
    """'referrals.person' -> 'Person' (the model's own name for itself); 'search' -> 'Search'."""
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = object_type.rsplit(".", 1)[-1].replace("_", " ")
    return name[:1].upper() + name[1:]


def in_words(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, EventWords, str]]:
    """Each event with what it says in words ("Attendance recorded: Unacceptable absence → Attended") and the
    kind of record it is about, for the audit page. No query."""
    values = value_words()
    return [(e, describe(e.action, e.changes, values), record_type(e.object_type)) for e in events]
