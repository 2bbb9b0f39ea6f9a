"""Rendering an approved report to PDF in the background (domain.md §8).

The task takes the report's id, claims the work with a conditional update (so a second delivery of the same
message, or a second worker, finds nothing to do: one issued version), renders outside any transaction, then
issues inside one. Transient errors (the database or the storage unreachable) are retried with exponential
backoff; anything else, or running out of retries, is recorded as a failure the page shows with a retry button.
"""

from __future__ import annotations

import datetime as dt
import logging

from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError as BotoClientError
from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from reports import services

logger = logging.getLogger(__name__)

# Errors worth another try: connections dropped, the storage briefly unavailable or refusing a write (a local disk
# or network file system raises OSError; S3 raises botocore's errors).
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    OSError,  # includes ConnectionError and TimeoutError
    BotoCoreError,
    BotoClientError,
)

# What the report's page says (one plain-English message; the details go to the server log only).
FAILED_FOR_GOOD = "Something went wrong in the system while the PDF was being produced."
FAILED_AFTER_RETRIES = "A service the PDF needs was unavailable, and it still was after {tries} attempts."
WAITING_TO_RETRY = "A service the PDF needs was briefly unavailable: it will be tried again shortly."


def _where(exc: BaseException) -> str:
    """Where an exception was raised (module and line), for the log: never its message, which could quote the
    report's contents."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "unknown"
    return f"{tb.tb_frame.f_globals.get('__name__', '?')}:{tb.tb_lineno}"


def backoff_seconds(retries: int) -> int:
    """Exponential backoff: 5 s, 10 s, 20 s, ... capped at 10 minutes."""
    return int(min(5 * 2**retries, 600))


@shared_task(bind=True, acks_late=True, max_retries=None)
def render_report(self: Task, report_id: int) -> str:
    """Render and issue one approved report; returns what happened ("issued", "skipped", "retrying", "failed")."""
    stale_after = dt.timedelta(seconds=settings.REPORT_RENDER_STALE_SECONDS)
    if not services.claim_render(report_id, stale_after=stale_after):
        return "skipped"
    try:
        rendered = services.render_claimed(report_id)
        version = services.issue_rendered(report_id, rendered)
    except TRANSIENT_ERRORS as exc:
        tries = self.request.retries + 1
        logger.warning(
            "Report render %s: transient %s at %s (attempt %s)",
            report_id,
            type(exc).__name__,
            _where(exc),
            tries,
        )
        if self.request.retries >= settings.REPORT_RENDER_MAX_RETRIES:
            services.record_render_failure(report_id, FAILED_AFTER_RETRIES.format(tries=tries))
            return "failed"
        services.requeue_render(report_id, WAITING_TO_RETRY)
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from None
    except Exception as exc:  # a bug or bad data: retrying would fail the same way
        logger.error("Report render %s failed: %s at %s", report_id, type(exc).__name__, _where(exc))
        services.record_render_failure(report_id, FAILED_FOR_GOOD)
        return "failed"
    return "issued" if version is not None else "skipped"
