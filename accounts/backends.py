"""The staff sign-in backend: Django's `ModelBackend`, reading the signed-in user with their probation area.

Every page is scoped to the user's area, and most read it (`user.area`: the catalogue, the LI/HI switch, the
holiday calendar): read with the user, it is one join on the query every request already makes, not a query of
its own per page (issue 11). The API's tokens read their user the same way (`ApiTokenAuthentication`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from accounts.models import User

# The dotted path stored in each signed-in session (`login(..., backend=STAFF_BACKEND)`): settings list it.
STAFF_BACKEND = "accounts.backends.StaffBackend"


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("area").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
