"""Notification pages and API for the permission matrix: every role has its own list; a notification is its
recipient's alone (anyone else, in this area or another, gets 404)."""

from tests.matrix import ALL_ROLES, Route


def _tm_note(area, personas):
    from notifications.services import notify

    (note,) = notify(
        recipients=[personas["treatment_manager"]], kind="other", subject="A notice", body="Something."
    )
    return {"public_id": note.public_id}


ONLY_TM = frozenset({"treatment_manager"})

ROUTES = [
    Route("notifications:list", roles=ALL_ROLES),
    Route("notifications:read_all", roles=ALL_ROLES, method="post"),
    Route("notifications:read", roles=ONLY_TM, method="post", kwargs=_tm_note, scoped=True),
    Route("api-notification-list", roles=ALL_ROLES, api=True),
    Route("api-notification-read-all", roles=ALL_ROLES, api=True, method="post"),
    Route("api-notification-read", roles=ONLY_TM, api=True, method="post", kwargs=_tm_note, scoped=True),
]

# The attention list of notification emails the mail server refused (issue 12): the area's TMs only.
ROUTES.append(
    Route("attention_list", roles=ONLY_TM, kwargs=lambda area, personas: {"key": "emails-not-delivered"})
)
