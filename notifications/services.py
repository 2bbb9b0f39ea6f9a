"""Writing notifications: the one service every app calls to tell staff about something (issue 8).

`notify` is called inside the caller's transaction; the email task is recorded in the outbox in that same
transaction (`isotp.outbox.enqueue`) and published after the commit, so a rolled back write tells nobody, a broker
that is down or a process that dies after the commit loses nothing, and the task claims the row before sending,
so it sends at most once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_staff_member, require_found
from notifications.models import Kind, Notification

FORBIDDEN_IN_SUBJECT = ("offence", "offense", "conviction", "sexual", "indecent", "rape", "abuse")


def _check_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    lowered = subject.lower()
    # Email subjects are read on lock screens and in shared inboxes: they never name an offence.
    if not subject or any(word in lowered for word in FORBIDDEN_IN_SUBJECT):
        raise ValueError("A notification subject must be set and must not name an offence.")
    return subject[:150]


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    dedupe_key: str = "",
    email: bool = True,
    person: Any = None,
) -> list[Notification]:
    """Services of any app: tell `recipients` (active staff; None and duplicates skipped) about something.

    Creates one in-app notification each and queues its email after the transaction commits. With a
    `dedupe_key`, a recipient already told about that key is not told again. `person`: the person the
    notification is about, if any (erasure and the subject access export find it by this link). Returns the new
    notifications.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    subject = _check_subject(subject)
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not is_staff_member(user):
            continue
        seen.add(user.pk)
        if dedupe_key and Notification.objects.filter(recipient=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user,
                    area_id=user.area_id,  # type: ignore[misc]  # is_staff_member: always set
                    person=person,
                    kind=kind,
                    subject=subject,
                    body=body.strip(),
                    link=link,
                    dedupe_key=dedupe_key,
                    email=email and bool(user.email),
                )
        except IntegrityError:  # the same key written concurrently: already told
            continue
        created.append(note)
        if note.email:
            _queue_email(note.pk)
    return created


def _queue_email(notification_id: int) -> None:
    """In the caller's transaction: record the email task in the outbox; it is published after the commit."""
    from isotp.outbox import enqueue

    enqueue("notifications.tasks.send_notification_email", notification_id)


@transaction.atomic
def mark_read(*, actor: User, notification: Notification) -> Notification:
    """The recipient only: mark one notification read (reading someone else's is refused)."""
    require_found(notification.recipient_id == actor.pk)  # someone else's notification: not found
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def mark_all_read(*, actor: User) -> int:
    """Any member of staff: mark every unread notification of their own read; returns how many."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
