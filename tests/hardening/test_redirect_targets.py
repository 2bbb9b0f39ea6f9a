"""Where a page sends the user back to: only a path on this site. A bare word (a view name to `redirect()`), another
host or a scheme-relative address is replaced by a safe default, never a server error or an open redirect."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from isotp.redirects import local_path, next_path
from tests.conftest import verified_client


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/people/", "/people/"),
        ("/people/?q=a", "/people/?q=a"),
        ("nope", ""),
        ("people:list", ""),
        ("//evil.example/x", ""),
        ("https://evil.example/", ""),
        ("http://testserver/people/", ""),
        ("/\\evil.example", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_only_a_path_on_this_site_is_followed(target: str | None, expected: str) -> None:
    request = RequestFactory().get("/")
    assert local_path(request, target) == expected


def test_next_comes_from_the_form_or_the_query_string() -> None:
    assert next_path(RequestFactory().post("/?next=/a/", {"next": "/b/"})) == "/b/"
    assert next_path(RequestFactory().get("/", {"next": "/a/"})) == "/a/"
    assert next_path(RequestFactory().get("/", {"next": "nope"})) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["nope", "people:list", "//evil.example/", "https://evil.example/"])
def test_a_verified_user_with_a_crafted_next_goes_home(tm, target: str) -> None:
    response = verified_client(tm).get("/accounts/two-factor/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"
