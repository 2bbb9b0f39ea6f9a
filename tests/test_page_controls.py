"""Every action a page offers is a visible, clickable control in the page's body.

Issue 13: the staff page's "Reset authenticator and unlock account" form was rendered inside `<title>` (it sat in
the `page_title` block), so no administrator could press it. This test opens every page of the URL matrix as every
role that may open it and reads the HTML: nothing interactive in `<head>`, the `<title>` plain text, every form in
the body with a button to send it, and no `type=number` input.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import verified_client
from tests.test_permission_matrix import ROUTES, _url

CONTROLS = {"form", "button", "a", "input", "select", "textarea", "details"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Controls(HTMLParser):
    """Collects controls found in <head> and <title>, and forms of the body without a submit control."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.in_head: list[str] = []
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if ("head" in self.stack or "title" in self.stack) and tag in CONTROLS | {"h1", "h2", "div", "p"}:
            self.in_head.append(tag)
        if tag == "form":
            self.forms.append({"attrs": dict(attrs), "submit": False})
        kind = dict(attrs).get("type")
        sends = (tag == "button" and kind in (None, "submit")) or (tag == "input" and kind == "submit")
        if sends and self.forms and "form" in self.stack:
            self.forms[-1]["submit"] = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass


PAGES = [r for r in ROUTES if r.method == "get" and not r.api and not r.public and r.roles]


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGES, ids=lambda r: r.name)
def test_every_action_is_a_control_in_the_body(route, area, personas):
    url = _url(route, area, personas) + route.query
    for role in sorted(route.roles):
        response = verified_client(personas[role]).get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Controls()
        parser.feed(response.content.decode())
        assert not parser.in_head, f"{route.name} as {role}: {parser.in_head} rendered in <head>/<title>"
        # GOV.UK: counts are text inputs with a numeric keyboard, never type=number.
        assert 'type="number"' not in response.content.decode(), (
            f"{route.name} as {role}: a type=number input"
        )
        for form in parser.forms:
            assert form["submit"], (
                f"{route.name} as {role}: a form with no button to send it: {form['attrs']}"
            )


def test_the_checker_finds_a_form_in_the_title():
    """The checker itself: the staff page's old markup is caught."""
    parser = _Controls()
    parser.feed(
        "<html><head><title>Ann<form method=post><button>Reset</button></form></title></head><body></body></html>"
    )
    assert "form" in parser.in_head
