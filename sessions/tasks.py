"""Background jobs for delivery."""

from __future__ import annotations

from celery import shared_task

from sessions.services.completion import complete_finished


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def complete_finished_programmes() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): complete the groups and one-to-one plans whose programme is over but whose
    last register did not complete them (sessions.services.completion). Safe to run twice."""
    return complete_finished()
