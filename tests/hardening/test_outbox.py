"""Redis (the Celery broker) stopped and started for real: queued work is kept in the database and sent after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from django.db import transaction

from isotp.celery import app
from isotp.models import OutboxMessage
from isotp.outbox import dispatch_outbox, enqueue
from notifications.tasks import send_notification_email
from tests.hardening.redis_server import ThrowawayRedis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_broker() -> Iterator[ThrowawayRedis]:
    """Point the Celery app at a Redis this test owns (and may stop), then back at the shared one."""
    server = ThrowawayRedis()
    server.start()
    # The write URL wins over broker_url (which Django's CELERY_BROKER_URL keeps setting).
    app.conf.broker_write_url = server.url
    app.conf.broker_transport_options = {"socket_connect_timeout": 0.5}
    app.conf.task_publish_retry = False
    _reset_connections()
    try:
        yield server
    finally:
        server.stop()
        app.conf.broker_write_url = None
        app.conf.broker_transport_options = {}
        app.conf.task_publish_retry = True
        _reset_connections()


def _reset_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


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
