"""Redis (the Celery broker and result store) stopped and started for real: queued work is recorded in the
database in the caller's transaction and sent after, by the request or by the sweep, once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, transaction

from isotp import outbox
from isotp.celery import app
from isotp.models import OutboxMessage
from isotp.outbox import dispatch_outbox, enqueue
from notifications import services as notifications
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.hardening.redis_server import ThrowawayRedis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_broker() -> Iterator[ThrowawayRedis]:
    """Point the Celery app's broker and result store at a Redis this test owns (and may stop), then back."""
    server = ThrowawayRedis()
    server.start()
    saved = {
        key: app.conf[key]
        for key in ("broker_read_url", "broker_write_url", "result_backend", "broker_transport_options")
    }
    # The read and write URLs win over broker_url (which Django's CELERY_BROKER_URL keeps setting).
    app.conf.broker_read_url = app.conf.broker_write_url = server.url
    app.conf.result_backend = server.url
    app.conf.broker_transport_options = {**saved["broker_transport_options"], "socket_connect_timeout": 0.5}
    _reset_connections()
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            app.conf[key] = value
        _reset_connections()


def _reset_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None  # the result store: a new client for the URL now configured
    app._local.__dict__.pop("backend", None)


def _queued(server: ThrowawayRedis) -> int:
    return redis.Redis.from_url(server.url).llen("celery")


def test_a_task_queued_while_the_broker_is_down_is_sent_when_it_is_back(own_broker):
    own_broker.stop()
    # The apps' pattern: `.delay()` after commit. It must neither fail nor vanish.
    result = send_notification_email.delay(424242)
    assert result.id
    kept = OutboxMessage.objects.get()
    assert kept.task_name == send_notification_email.name and kept.args == [424242]
    assert kept.dispatched_at is None and kept.attempts == 1 and kept.last_error

    # Still down: the dispatcher tries, keeps it, counts the attempt.
    _reset_connections()
    assert dispatch_outbox() == 0
    kept.refresh_from_db()
    assert kept.dispatched_at is None and kept.attempts == 2

    own_broker.start()
    _reset_connections()
    assert dispatch_outbox() == 1
    kept.refresh_from_db()
    assert kept.dispatched_at is not None
    assert _queued(own_broker) == 1
    assert dispatch_outbox() == 0  # sent once


def test_enqueue_is_part_of_the_callers_transaction(own_broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(send_notification_email.name, 1)
        raise RuntimeError("the write fails")
    assert not OutboxMessage.objects.exists()  # rolled back with the write: nothing sent, nothing kept
    with transaction.atomic():
        enqueue(send_notification_email.name, 2)
        assert _queued(own_broker) == 0  # not before commit
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is not None and _queued(own_broker) == 1


def test_enqueue_with_the_broker_down_keeps_the_task(own_broker):
    own_broker.stop()
    with transaction.atomic():
        enqueue(send_notification_email.name, 3)
    message = OutboxMessage.objects.get()
    assert message.dispatched_at is None and message.attempts == 1
    own_broker.start()
    _reset_connections()
    assert dispatch_outbox() == 1
    assert _queued(own_broker) == 1


def _notify(user) -> Notification:
    """A real write that queues work: a notification whose email is sent by a task."""
    with transaction.atomic():
        (note,) = notifications.notify(
            recipients=[user], kind="absence", subject="Absence from a programme session", body="Missed."
        )
    return note


@pytest.mark.worker
def test_broker_and_result_store_down_the_write_succeeds_and_the_worker_sends_it_when_redis_is_back(
    om, own_broker
):
    own_broker.stop()  # the broker and the result store both
    note = _notify(om)  # commits, then the publish fails: logged, counted, no error
    kept = OutboxMessage.objects.get()
    assert kept.task_name == send_notification_email.name and kept.args == [note.pk]
    assert kept.dispatched_at is None and kept.attempts == 1 and kept.last_error
    # A direct `.delay()` (it also asks the dead result store) is kept in the outbox too, not raised.
    send_notification_email.delay(note.pk)
    assert OutboxMessage.objects.count() == 2
    assert not OutboxMessage.objects.filter(last_error="").exists()

    own_broker.start()
    _reset_connections()
    # Name the default queue: a worker started earlier in this process with `queues=[...]` left its choice on the
    # shared app (`app.amqp.queues.select`), and a worker started without queues would consume from that one.
    with start_worker(
        app, queues=[app.conf.task_default_queue], perform_ping_check=False, shutdown_timeout=30
    ):
        assert dispatch_outbox() == 2
        # Wait for the effect in the database, not for a task result: the result store's connection may still be
        # the one from before the restart (in the full suite a `.get()` here never answered). Bounded by a
        # limit far above the worker's need, so a slow machine only waits longer.
        give_up_at = time.monotonic() + 300
        while not Notification.objects.filter(pk=note.pk, emailed_at__isnull=False).exists() or _queued(
            own_broker
        ):
            assert time.monotonic() < give_up_at, "the worker did not send the kept email"
            time.sleep(0.2)
    # Leaving the block waits for the task in hand: the email went once; the second delivery found it claimed.
    note.refresh_from_db()
    assert note.emailed_at is not None
    assert len(mail.outbox) == 1
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    assert dispatch_outbox() == 0


def test_a_process_that_dies_between_commit_and_publish_loses_nothing(om, own_broker, monkeypatch):
    # The process "dies" after the commit: the publish it had registered never runs.
    monkeypatch.setattr(outbox, "_dispatch_after_commit", lambda message_id: None)
    note = _notify(om)
    kept = OutboxMessage.objects.get()  # committed with the notification
    assert kept.args == [note.pk] and kept.dispatched_at is None and kept.attempts == 0
    assert _queued(own_broker) == 0
    assert dispatch_outbox() == 1  # the beat sweep
    kept.refresh_from_db()
    assert kept.dispatched_at is not None and _queued(own_broker) == 1
    assert dispatch_outbox() == 0 and _queued(own_broker) == 1


def test_a_rolled_back_write_queues_nothing(om, own_broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(recipients=[om], kind="absence", subject="Absence", body="Missed.")
        raise RuntimeError("the write fails")
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()
    assert dispatch_outbox() == 0 and _queued(own_broker) == 0


def test_two_dispatchers_never_send_one_row_twice(own_broker, monkeypatch):
    monkeypatch.setattr(outbox, "_dispatch_after_commit", lambda message_id: None)  # left for the sweeps
    with transaction.atomic():
        message = enqueue(send_notification_email.name, 5)
    raced: list[int] = []
    publish = outbox._publish

    def second_dispatcher() -> int:
        try:
            return dispatch_outbox()
        finally:
            connection.close()  # this thread's own database connection

    def publish_while_another_sweeps(task, row) -> None:
        # While this dispatcher holds the row (locked, not yet marked), another one runs on its own connection.
        with ThreadPoolExecutor(max_workers=1) as pool:
            raced.append(pool.submit(second_dispatcher).result())
        publish(task, row)

    monkeypatch.setattr(outbox, "_publish", publish_while_another_sweeps)
    assert dispatch_outbox() == 1
    assert raced == [0]  # the row was locked: skipped, not sent again
    message.refresh_from_db()
    assert message.dispatched_at is not None
    assert dispatch_outbox() == 0
    assert _queued(own_broker) == 1


def test_the_sweep_forgets_messages_dispatched_a_week_ago(own_broker):
    from django.utils import timezone

    now = timezone.now()
    old = OutboxMessage.objects.create(task_name=send_notification_email.name, args=[1], dispatched_at=now)
    recent = OutboxMessage.objects.create(task_name=send_notification_email.name, args=[2], dispatched_at=now)
    OutboxMessage.objects.filter(pk=old.pk).update(
        dispatched_at=now - outbox.KEEP_DISPATCHED - dt.timedelta(hours=1)
    )
    assert dispatch_outbox() == 0
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_runtime_error_from_publishing_is_broker_down_kept_and_counted(om, own_broker, monkeypatch):
    """Celery's Redis result store raises RuntimeError ("Retry limit exceeded") when it gives up reconnecting:
    the outbox treats it as the broker down (BROKER_DOWN), not as a bug in one message. The caller's write still
    succeeds; the row is kept with its attempt counted and the error named; the sweep stops at the first such
    failure (the next message is not tried) and sends both once publishing works again."""
    real_publish = outbox._publish
    tried: list[int] = []

    def publish_fails(task, message):
        tried.append(message.pk)
        raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery redis result store")

    monkeypatch.setattr(outbox, "_publish", publish_fails)
    note = _notify(om)  # commits, then the publish raises RuntimeError: logged and counted, not raised
    assert Notification.objects.filter(pk=note.pk).exists()
    kept = OutboxMessage.objects.get()
    assert kept.args == [note.pk]
    assert (kept.dispatched_at, kept.attempts, kept.last_error) == (None, 1, "RuntimeError")

    monkeypatch.setattr(outbox, "_dispatch_after_commit", lambda message_id: None)  # left for the sweep
    second = _notify(om)
    later = OutboxMessage.objects.get(args=[second.pk])
    tried.clear()
    assert dispatch_outbox() == 0  # no error raised
    assert tried == [kept.pk]  # broker down: stopped at the first, the second not tried
    kept.refresh_from_db()
    later.refresh_from_db()
    assert (kept.dispatched_at, kept.attempts, kept.last_error) == (None, 2, "RuntimeError")
    assert (later.dispatched_at, later.attempts, later.last_error) == (None, 0, "")

    monkeypatch.setattr(outbox, "_publish", real_publish)
    assert dispatch_outbox() == 2
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()
    assert _queued(own_broker) == 2
