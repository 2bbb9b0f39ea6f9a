"""A real Celery worker (own Redis database, own queue) runs a task that writes to the database."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.tasks import deactivate_dormant_accounts
from audit.models import AuditEvent
from isotp.celery import app
from tests.factories import UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_deactivates_dormant_accounts(area, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test is about a real worker, not eager execution"
    long_ago = timezone.now() - dt.timedelta(days=settings.DORMANT_ACCOUNT_DAYS + 1)
    dormant = UserFactory(area=area, last_login=long_ago)
    active = UserFactory(area=area, last_login=timezone.now())
    queue = f"test-{uuid.uuid4().hex}"  # nobody else's worker can take this task
    with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=10):
        result = deactivate_dormant_accounts.apply_async(queue=queue)
        assert result.get(timeout=30) == 1
    dormant.refresh_from_db()
    active.refresh_from_db()
    assert dormant.is_active is False
    assert active.is_active is True
    assert AuditEvent.objects.filter(
        action="account.deactivated_dormant", object_id=str(dormant.public_id)
    ).exists()


def test_task_is_safe_to_run_twice(area, settings):
    long_ago = timezone.now() - dt.timedelta(days=settings.DORMANT_ACCOUNT_DAYS + 1)
    UserFactory(area=area, last_login=long_ago)
    assert deactivate_dormant_accounts.apply().get() == 1
    assert deactivate_dormant_accounts.apply().get() == 0
