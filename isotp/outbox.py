"""A transactional outbox for Celery: work that should be queued is never lost, whether the broker (Redis) is down
or the process dies between the commit and the publish.

One way in, one way out:

- Services record every task call with `enqueue("app.tasks.name", *ids)` inside their own transaction: the
  `OutboxMessage` row commits or rolls back with the write that asked for the work. After the commit the same
  process tries to publish it at once (`transaction.on_commit`) and marks it dispatched; a publish that fails (the
  broker or the result store unreachable) is logged, counted on the row and never fails or hangs the request.
- `dispatch_outbox` (Celery beat, every minute; also `manage.py dispatch_outbox`) publishes whatever is still
  pending: a message whose publish failed, or whose process died after the commit. Rows are taken with
  `select_for_update(skip_locked=True)` and marked dispatched in the transaction that holds the lock, so two
  dispatchers (or the request and the sweep) never publish one row twice. If the process dies after publishing
  but before that transaction commits, the row is published again: every task is idempotent (it claims its row with
  a conditional update: one email, one issued report version, one audit pack).

Publishing is bounded (settings: broker connect timeout, one publish retry, result-store connect timeout and
retries) and skips the result store (`ignore_result`): nobody waits for these results.

`OutboxTask` (every task's base class) is a safety net for a direct `.delay()` / `.apply_async()` (a task's own
`retry`, a shell): if the broker or result store cannot be reached the call is written to the outbox instead of
raising.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
from functools import partial
from typing import Any

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The broker or the result store is unreachable: kombu's OperationalError, redis-py's errors, socket errors, and
# the RuntimeError Celery's Redis result store raises when it gives up reconnecting ("Retry limit exceeded").
BROKER_DOWN: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisError,
    ConnectionError,
    OSError,
    RuntimeError,
)
BATCH = 500
# A dispatched message is kept this long (to see what was sent when), then deleted by the sweep.
KEEP_DISPATCHED = dt.timedelta(days=7)


class OutboxTask(Task):
    """A Celery task whose publishing falls back to the database outbox when the broker cannot be reached."""

    def apply_async(
        self, args: Any = None, kwargs: Any = None, task_id: str | None = None, **options: Any
    ) -> Any:
        from_outbox = options.pop("_from_outbox", False)
        if self.app.conf.task_always_eager or from_outbox:
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
    """Services, inside their transaction: record a task call (ids only); it is published after the commit, or by
    the sweep if that publish fails or never happens."""
    message = _store(task_name, args, kwargs)
    transaction.on_commit(partial(_dispatch_after_commit, message.pk))
    return message


def _dispatch_after_commit(message_id: int) -> None:
    """After the caller's commit: publish its message now. Never raises: the row is saved and the sweep retries."""
    try:
        _dispatch_ids([message_id])
    except Exception as exc:  # e.g. the database gone after the commit: the row is there for the sweep
        logger.warning("outbox: message %s left for the sweep (%s)", message_id, type(exc).__name__)


def _publish(task: Task, message: Any) -> None:
    """Send one outbox message to the broker (a seam tests replace to route it to their own worker's queue)."""
    task.apply_async(
        message.args, message.kwargs, task_id=str(message.task_id), ignore_result=True, _from_outbox=True
    )


def _task(app: Any, name: str) -> Task | None:
    """The registered task `name` ("app.tasks.function"), importing its module first: a web process has not
    necessarily imported every tasks module (the worker has)."""
    if name not in app.tasks:
        with contextlib.suppress(ImportError):
            importlib.import_module(name.rpartition(".")[0])
    return app.tasks.get(name)


def _count_failure(message: Any, error: str) -> None:
    """A publish that did not happen: one more attempt on the row, and why (the exception's class name)."""
    message.attempts += 1
    message.last_error = error
    message.save(update_fields=["attempts", "last_error"])


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
            task = _task(current_app, message.task_name)
            if task is None:
                _count_failure(message, "UnknownTask")
                continue
            try:
                _publish(task, message)
            except BROKER_DOWN as exc:
                _count_failure(message, type(exc).__name__)
                logger.warning("outbox: broker still unreachable (%s)", type(exc).__name__)
                break
            except Exception as exc:  # this message cannot be sent (a bug): count it, send the others
                _count_failure(message, type(exc).__name__)
                logger.error("outbox: message %s not sent (%s)", message.pk, type(exc).__name__)
                continue
            message.dispatched_at = timezone.now()
            message.save(update_fields=["dispatched_at"])
            sent += 1
    return sent


@shared_task(name="isotp.outbox.dispatch_outbox")
def dispatch_outbox() -> int:
    """Beat, every minute: publish every pending outbox message (safe to run concurrently and twice), and forget
    the messages dispatched more than KEEP_DISPATCHED ago."""
    from isotp.models import OutboxMessage

    sent = _dispatch_ids(None)
    OutboxMessage.objects.filter(dispatched_at__lt=timezone.now() - KEEP_DISPATCHED).delete()
    return sent
