"""Nightly data protection work (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from dataprotection.services.retention import refresh_candidates


@shared_task
def find_retention_candidates() -> int:
    """List the people past the retention period for their area's administrators; safe to run twice."""
    return refresh_candidates()
