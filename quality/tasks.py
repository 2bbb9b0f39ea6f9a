"""The audit-pack PDF, rendered in the background with the reports' WeasyPrint code (`reports.pdf.html_to_pdf`:
bundled fonts, no network, tagged PDF/UA-1) and stored in the reports' private storage.

The task takes the pack's id, re-reads it, and is safe to run twice: only a queued pack is rendered, and only the
first finished run marks it ready.
"""

from __future__ import annotations

import hashlib
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def render_audit_pack(pack_id: int) -> str:
    """Render one queued audit pack; returns "ready", "skipped" or "failed"."""
    from quality import packs
    from quality.models import AuditPack, AuditPackStatus

    pack = AuditPack.objects.filter(pk=pack_id, status=AuditPackStatus.QUEUED).first()
    if pack is None:
        return "skipped"
    try:
        content = packs.render(pack)
    except Exception as exc:  # a bug or bad data: record it for the page; the type only, never the data
        logger.error("Audit pack %s failed: %s", pack_id, type(exc).__name__)
        AuditPack.objects.filter(pk=pack_id, status=AuditPackStatus.QUEUED).update(
            status=AuditPackStatus.FAILED,
            failure_reason=f"The PDF could not be produced ({type(exc).__name__}).",
            finished_at=timezone.now(),
        )
        return "failed"
    with transaction.atomic():
        locked = AuditPack.objects.select_for_update().get(pk=pack_id)
        if locked.status != AuditPackStatus.QUEUED:
            return "skipped"
        locked.file.save(f"{locked.public_id}.pdf", ContentFile(content), save=False)
        locked.sha256 = hashlib.sha256(content).hexdigest()
        locked.status = AuditPackStatus.READY
        locked.finished_at = timezone.now()
        locked.save(update_fields=["file", "sha256", "status", "finished_at"])
    return "ready"


@shared_task
def refresh_statistics() -> int:
    """Beat (`refresh-statistics`, every half `STATISTICS_CACHE_SECONDS`): the statistics' default figures of every
    area and national computed ahead of their expiry (quality.tables.refresh_statistics)."""
    from isotp import clock
    from quality import tables

    return tables.refresh_statistics(clock.today())
