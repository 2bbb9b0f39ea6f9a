"""A transactional outbox for Celery: work that should be queued is never lost when the broker (Redis) is down.

Two ways in, one way out:

- Every task of the app uses `OutboxTask` as its base class, so an ordinary `.delay()` / `.apply_async()` (such
  as the `transaction.on_commit(... .delay(pk))` the apps already make) that cannot reach the broker is written to
  the `OutboxMessage` table instead of failing the request or vanishing.
- `enqueue("app.tasks.name", *args)` records the call in the caller's own transaction (rolled back with it) and
  publishes it once the transaction commits: not even a crash between commit and publish loses it.
- `dispatch_outbox` (Celery beat, every minute; also `manage.py dispatch_outbox`) publishes what is pending, in
  order, under a row lock (`skip_locked`) so two dispatchers never send one message twice. Tasks are written to be
  safe to run twice anyway (they claim their rows).
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The broker is unreachable: kombu's OperationalError, redis-py's errors, socket errors.
BROKER_DOWN = (KombuOperationalError, RedisError, ConnectionError, OSError)
BATCH = 500


class OutboxTask(Task):
    """A Celery task whose publishing falls back to the database outbox when the broker cannot be reached."""

    def apply_async(
        self, args: Any = None, kwargs: Any = None, task_id: str | None = None, **options: Any
    ) -> Any:
        if self.app.conf.task_always_eager or options.pop("_from_outbox", False):
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        try:
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        except BROKER_DOWN as exc:
            message = _store(self.name, args, kwargs, task_id=task_id, error=type(exc).__name__)
            logger.warning(
                "broker unreachable (%s): task %s kept in the outbox", type(exc).__name__, self.name
            )
            return self.AsyncResult(str(message.task_id))


def _store(task_name: str, args: Any, kwargs: Any, *, task_id: str | None = None, error: str = "") -> Any:
    from isotp.models import OutboxMessage

    fields: dict[str, Any] = {
        "task_name": task_name,
        "args": list(args or []),
        "kwargs": dict(kwargs or {}),
        "attempts": 1 if error else 0,
        "last_error": error,
    }
    if task_id:
        fields["task_id"] = task_id
    return OutboxMessage.objects.create(**fields)


def enqueue(task_name: str, *args: Any, **kwargs: Any) -> Any:
    """Services, inside their transaction: record a task call (ids only) that is published after commit."""
    message = _store(task_name, args, kwargs)
    transaction.on_commit(partial(_dispatch_ids, [message.pk]))
    return message


def _dispatch_ids(ids: list[int] | None) -> int:
    """Publish pending messages (these ids, or all pending), oldest first; stop at the first broker failure."""
    from celery import current_app

    from isotp.models import OutboxMessage

    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(dispatched_at__isnull=True)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        for message in pending.order_by("created_at", "id")[:BATCH]:
            task = current_app.tasks.get(message.task_name)
            if task is None:
                message.last_error = "UnknownTask"
                message.attempts += 1
                message.save(update_fields=["last_error", "attempts"])
                continue
            try:
                task.apply_async(
                    message.args, message.kwargs, task_id=str(message.task_id), _from_outbox=True
                )
            except BROKER_DOWN as exc:
                message.attempts += 1
                message.last_error = type(exc).__name__
                message.save(update_fields=["attempts", "last_error"])
                logger.warning("outbox: broker still unreachable (%s)", type(exc).__name__)
                break
            message.dispatched_at = timezone.now()
            message.save(update_fields=["dispatched_at"])
            sent += 1
    return sent


@shared_task(name="isotp.outbox.dispatch_outbox")
def dispatch_outbox() -> int:
    """Beat, every minute: publish every pending outbox message (safe to run concurrently and twice)."""
    return _dispatch_ids(None)
