"""The private iCalendar feed's secret: issued, rotated and revoked by its owner (or a manager)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import can_manage_feed, require, require_in_area
from audit.services import record_event
from sessions.models import FeedToken


@transaction.atomic
def issue_feed_token(*, actor: User, user: User) -> FeedToken:
    """A new feed token for `user`, revoking any current one (rotation: the old URL stops working at once).

    Callers: the user themself (a facilitator), or a manager of their area. Locks the user's tokens. Audited.
    """
    require_in_area(actor, user)
    require(can_manage_feed(actor, user), "Only the facilitator or a manager of their area manages this feed")
    User.objects.select_for_update().filter(pk=user.pk).first()
    revoked = FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = FeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))
    record_event(
        actor=actor,
        action="feed_token.rotated" if revoked else "feed_token.issued",
        object_type="accounts.user",
        object_id=str(user.public_id),
        area_id=user.area_id,
    )
    return token


@transaction.atomic
def revoke_feed_token(*, actor: User, user: User) -> int:
    """The user themself (a facilitator) or a manager of their area: stop `user`'s feed URL working (no new one is
    issued). Returns how many tokens were revoked. Audited."""
    require_in_area(actor, user)
    require(can_manage_feed(actor, user), "Only the facilitator or a manager of their area manages this feed")
    revoked = FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        record_event(
            actor=actor,
            action="feed_token.revoked",
            object_type="accounts.user",
            object_id=str(user.public_id),
            area_id=user.area_id,
        )
    return revoked
