"""Data protection: the subject access export (UK GDPR art. 15; DPA 2018 s.45 for law-enforcement processing).

An area administrator exports everything the service holds about one person: their record and every record that
hangs from it (convictions, sentences, risk, referrals and their history, memberships, attendance, psychometrics,
reports), the audit events and access log entries about any of them, and the issued report PDFs, as one ZIP.
Found by walking the relations from the person, so a model added later is included without a change here.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from typing import Any

from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_export_subject_access, require_in_area
from audit.models import AccessLog, AuditEvent
from audit.services import record_event

# Not part of the person's record: staff, and the audit trail (added separately, filtered to the person).
SKIPPED_APPS = frozenset({"accounts", "audit", "auth", "contenttypes", "sessions", "admin", "isotp"})
MAX_DEPTH = 8


def _related(root: models.Model) -> list[models.Model]:
    """Every row reachable from `root` through reverse foreign keys (one-to-many and one-to-one), breadth first."""
    seen: set[tuple[str, Any]] = {(root._meta.label_lower, root.pk)}
    found: list[models.Model] = [root]
    frontier: list[models.Model] = [root]
    for _ in range(MAX_DEPTH):
        following: list[models.Model] = []
        for obj in frontier:
            for rel in obj._meta.related_objects:
                if (
                    not (rel.one_to_many or rel.one_to_one)
                    or rel.related_model._meta.app_label in SKIPPED_APPS
                ):
                    continue
                model = rel.related_model
                for child in model._default_manager.filter(**{rel.field.name: obj}):
                    key = (child._meta.label_lower, child.pk)
                    if key not in seen:
                        seen.add(key)
                        found.append(child)
                        following.append(child)
        if not following:
            break
        frontier = following
    return found


def _ids(objects: list[models.Model]) -> set[str]:
    ids = set()
    for obj in objects:
        ids.add(str(obj.pk))
        if public := getattr(obj, "public_id", None):
            ids.add(str(public))
    return ids


def export_subject_access(*, actor: User, person: Any) -> bytes:
    """Area administrators of the person's area: a ZIP of JSON (records, audit, access log) and report PDFs.

    The export itself is audited (who, when, for whom) before the bytes leave the service.
    """
    require_in_area(actor, person)
    if not can_export_subject_access(actor, person):
        raise PermissionDenied
    objects = _related(person)
    by_model: dict[str, list[models.Model]] = defaultdict(list)
    for obj in objects:
        by_model[obj._meta.label_lower].append(obj)
    ids = _ids(objects)
    labels = {obj._meta.label_lower for obj in objects}
    events = AuditEvent.objects.filter(object_type__in=labels, object_id__in=ids).order_by("at", "id")
    access = AccessLog.objects.filter(object_type__in=labels, object_id__in=ids).order_by("at", "id")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, rows in sorted(by_model.items()):
            archive.writestr(f"records/{label}.json", serializers.serialize("json", rows, indent=2))
        archive.writestr("audit/events.json", serializers.serialize("json", events, indent=2))
        archive.writestr("audit/access_log.json", serializers.serialize("json", access, indent=2))
        files = []
        for obj in objects:
            for field in obj._meta.concrete_fields:
                value = getattr(obj, field.attname, None)
                if isinstance(field, models.FileField):
                    value = getattr(obj, field.name)
                if isinstance(value, FieldFile) and value.name:
                    with value.storage.open(value.name, "rb") as handle:
                        archive.writestr(f"files/{value.name}", handle.read())
                    files.append(value.name)
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "person": str(person.public_id),
                    "crn": person.crn,
                    "exported_at": timezone.now().isoformat(),
                    "exported_by": str(actor.public_id),
                    "records": {label: len(rows) for label, rows in sorted(by_model.items())},
                    "audit_events": events.count(),
                    "access_log_entries": access.count(),
                    "files": files,
                },
                indent=2,
            ),
        )
    with transaction.atomic():
        record_event(
            actor=actor,
            action="person.subject_access_exported",
            obj=person,
            object_label=person.crn,
            changes={"records": len(objects), "files": len(files)},
        )
    return buffer.getvalue()
