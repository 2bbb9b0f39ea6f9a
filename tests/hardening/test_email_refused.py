"""An email server that refuses (issue 12): a notification email is retried, marked failed after the limit, and
the recipient's treatment manager sees it on the "Emails not delivered" list (the home card links to it)."""

from __future__ import annotations

import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse
from django.utils import timezone

from isotp.celery import app
from notifications import services
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.factories import UserFactory
from tests.hardening.smtp_stub import refusing_smtp_server
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_mail(settings):
    with refusing_smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address[:2]
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        settings.NOTIFICATION_EMAIL_MAX_RETRIES = 2
        settings.NOTIFICATION_EMAIL_RETRY_SECONDS = 0
        yield server


def _notify(user, monkeypatch) -> Notification:
    monkeypatch.setattr(services, "_queue_email", lambda pk: None)  # sent below, to this test's worker
    (note,) = services.notify(
        recipients=[user],
        kind="absence",
        subject="Absence from a programme session",
        body="Missed session 4.",
    )
    return note


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_refused_email_is_retried_by_a_real_worker_then_marked_failed(
    refusing_mail, om, monkeypatch, settings
):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test is about a real worker, not eager execution"
    note = _notify(om, monkeypatch)
    queue = f"test-{uuid.uuid4().hex}"  # nobody else's worker can take this task; retries come back to it
    with start_worker(app, queues=[queue], perform_ping_check=False, shutdown_timeout=30):
        result = send_notification_email.apply_async(args=[note.pk], queue=queue)
        assert result.get(timeout=120) is False  # waits through the RETRY states to the last attempt
        note.refresh_from_db()
        assert (
            refusing_mail.refusals == 3
        )  # the first attempt and the two retries: the server said no each time
        assert note.email_attempts == 3
        assert note.email_failed_at is not None and note.emailed_at is None
        # Given up: a late duplicate of the task does not try again.
        again = send_notification_email.apply_async(args=[note.pk], queue=queue)
        assert again.get(timeout=60) is False
    assert refusing_mail.refusals == 3


def test_a_refusal_below_the_limit_is_not_yet_failed(refusing_mail, om, monkeypatch, settings):
    note = _notify(om, monkeypatch)
    retried: list[dict] = []
    monkeypatch.setattr(send_notification_email, "retry", lambda **kw: retried.append(kw) or RuntimeError())
    with pytest.raises(RuntimeError):
        send_notification_email.run(note.pk)
    note.refresh_from_db()
    assert note.email_attempts == 1 and note.email_failed_at is None and note.emailed_at is None
    assert retried[0]["max_retries"] == settings.NOTIFICATION_EMAIL_MAX_RETRIES


def test_the_tm_sees_the_undelivered_email_and_the_recipient_sees_it_tagged(
    login, om, tm, other_area, monkeypatch
):
    note = _notify(om, monkeypatch)
    Notification.objects.filter(pk=note.pk).update(email_attempts=3, email_failed_at=timezone.now())
    tm_client = login(tm)
    home = page_text(tm_client.get("/"))
    assert "Emails not delivered" in home
    url = reverse("attention_list", kwargs={"key": "emails-not-delivered"})
    listed = page_text(tm_client.get(url))
    assert om.full_name in listed and "Absence from a programme session" in listed and "3 attempts" in listed
    assert "Missed session 4" not in listed  # the body stays in the service
    assert "Email not delivered" in page_text(login(om).get(reverse("notifications:list")))
    # Not the OM's list to see; another area's TM sees nothing of it.
    assert login(om).get(url).status_code == 403
    other_tm = UserFactory(area=other_area, role="treatment_manager")
    assert om.full_name not in page_text(login(other_tm).get(url))
