"""Notifications: the service, the email task (run twice sends one email), the list page and the API."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from notifications import selectors, services
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def _notify(user, **kw):
    values = {"kind": "absence", "subject": "Absence from a programme session", "body": "First.\n\nSecond."}
    values.update(kw)
    return services.notify(recipients=[user], **values)


def test_notify_records_the_email_in_the_outbox_and_publishes_it_only_after_commit(
    om, django_capture_on_commit_callbacks, monkeypatch
):
    from isotp import outbox
    from isotp.models import OutboxMessage

    published: list[list[int]] = []
    monkeypatch.setattr(outbox, "_publish", lambda task, message: published.append(message.args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (note,) = _notify(om)
    # Recorded in the notification's own transaction, nothing sent before it commits.
    message = OutboxMessage.objects.get()
    assert message.task_name == send_notification_email.name and message.args == [note.pk]
    assert published == []
    for callback in callbacks:
        callback()
    assert published == [[note.pk]]
    message.refresh_from_db()
    assert message.dispatched_at is not None


def test_the_email_task_run_twice_sends_one_email(om, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "_queue_email", lambda pk: None)
    (note,) = _notify(om, link="/notifications/")
    assert send_notification_email.apply(args=[note.pk]).get() is True
    assert send_notification_email.apply(args=[note.pk]).get() is False
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [om.email]
    assert email.subject == "Absence from a programme session"
    assert "First." in email.body and "Second." in email.body
    ((html, mime),) = email.alternatives
    assert mime == "text/html" and "<p>Second.</p>" in html
    note.refresh_from_db()
    assert note.emailed_at is not None


def test_a_failed_send_releases_the_claim_for_a_retry(om, monkeypatch):
    import smtplib

    monkeypatch.setattr(services, "_queue_email", lambda pk: None)
    (note,) = _notify(om)

    def boom(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    monkeypatch.setattr(send_notification_email, "retry", lambda exc, **kw: exc)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_notification_email.run(note.pk)
    note.refresh_from_db()
    assert note.emailed_at is None


@pytest.mark.parametrize(
    "subject", ["Indecent images case", "Offence details", "Conviction update", "", "Sexual offence"]
)
def test_a_subject_never_names_an_offence(om, subject):
    with pytest.raises(ValueError):
        _notify(om, subject=subject)


def test_a_dedupe_key_tells_each_recipient_once(om, tm):
    first = services.notify(
        recipients=[om, tm, om], kind="restart", subject="Restart", body="x", dedupe_key="k1"
    )
    again = services.notify(recipients=[om, tm], kind="restart", subject="Restart", body="x", dedupe_key="k1")
    assert len(first) == 2 and again == []


def test_inactive_or_missing_recipients_are_skipped(om):
    om.is_active = False
    om.save()
    assert services.notify(recipients=[om, None], kind="other", subject="Hi", body="x") == []


def test_the_header_shows_the_unread_count_and_the_list_marks_read(login, om, tm):
    _notify(om)
    _notify(om, subject="Enforcement step due")
    client = login(om)
    text = re.sub(r"<[^>]+>", "", page_text(client.get("/")))
    assert "Notifications 2 unread" in " ".join(text.split())
    page = page_text(client.get("/notifications/"))
    assert "Enforcement step due" in page and "Mark as read" in page
    note = Notification.objects.filter(recipient=om).first()
    client.post(f"/notifications/{note.public_id}/read/")
    assert selectors.unread_count(om) == 1
    client.post("/notifications/read-all/")
    assert selectors.unread_count(om) == 0
    assert "app-count-badge" not in page_text(client.get("/"))


def test_someone_elses_notification_is_not_found(login, om, tm):
    (note,) = _notify(om)
    assert login(tm).post(f"/notifications/{note.public_id}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_the_api_lists_only_ones_own_and_marks_read(api, om, tm):
    (note,) = _notify(om)
    _notify(tm)
    body = api(om).get("/api/v1/notifications/?unread=true").json()
    assert body["count"] == 1 and body["results"][0]["id"] == str(note.public_id)
    assert body["results"][0]["read"] is False
    done = api(om).post(f"/api/v1/notifications/{note.public_id}/read/").json()
    assert done["read"] is True
    assert api(om).get("/api/v1/notifications/?unread=true").json()["count"] == 0


@pytest.mark.parametrize("rows", [2, 12])
def test_the_list_query_count_does_not_grow(login, om, rows, django_assert_max_num_queries):
    for n in range(rows):
        _notify(om, subject=f"Notice {n}")
    client = login(om)
    # 12: the navigation asks once per request whether the user holds the national-statistics grant (Django's
    # permission lookup: the user's and their groups' permissions, cached on the user for the rest of the request).
    # 13: one more, the access-log entry for the list (issue 12); constant however many rows.
    with django_assert_max_num_queries(13):
        assert client.get("/notifications/").status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_the_api_list_query_count_does_not_grow(api, om, rows, django_assert_max_num_queries):
    """Review of issue 11: the API list at two sizes, unread filter included."""
    for n in range(rows):
        _notify(om, subject=f"Notice {n}")
    client = api(om)
    for url in ("/api/v1/notifications/", "/api/v1/notifications/?unread=true"):
        with django_assert_max_num_queries(8):
            body = client.get(url).json()
        assert body["count"] == rows
