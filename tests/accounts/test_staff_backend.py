"""accounts.backends.StaffBackend (issue 11): the signed-in user is read with their probation area, so a page that
reads `user.area` makes no query of its own for it; it still refuses an inactive user, as ModelBackend does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import STAFF_BACKEND, StaffBackend

pytestmark = pytest.mark.django_db


def test_the_staff_backend_is_the_sign_in_backend_after_axes():
    assert settings.AUTHENTICATION_BACKENDS == ["axes.backends.AxesStandaloneBackend", STAFF_BACKEND]


def test_the_signed_in_user_comes_with_their_area(tm):
    user = StaffBackend().get_user(tm.pk)
    assert user == tm
    assert user.__class__._meta.get_field("area").is_cached(user)


def test_an_inactive_user_is_not_signed_in(tm):
    tm.is_active = False
    tm.save(update_fields=["is_active"])
    assert StaffBackend().get_user(tm.pk) is None
    assert StaffBackend().get_user(10**9) is None


def test_the_home_page_reads_the_area_with_the_user(login, tm):
    client = login(tm)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_probationarea"')]
