"""The print pipeline fetches nothing from the network: only the bundled fonts may be loaded."""

from __future__ import annotations

import pytest

from reports.pdf import FONTS, RemoteFetchRefused, html_to_pdf

PAGE = '<html lang="en-GB"><head><title>t</title>{head}</head><body><p>Text</p>{body}</body></html>'


@pytest.mark.parametrize(
    ("head", "body"),
    [
        ('<link rel="stylesheet" href="https://fonts.example.org/govuk.css">', ""),
        ("", '<img src="http://127.0.0.1:9/tracker.png" alt="">'),
        ("<style>@font-face { font-family: X; src: url(https://example.org/x.woff2); }</style>", ""),
        ("", '<img src="file:///etc/passwd" alt="">'),
    ],
)
def test_any_resource_but_the_bundled_fonts_stops_the_render(head, body):
    with pytest.raises(RemoteFetchRefused, match=r"Error fetching"):
        html_to_pdf(PAGE.format(head=head, body=body))


def test_the_bundled_fonts_load():
    style = f'<style>@font-face {{ font-family: R; src: url("{FONTS.as_uri()}/LiberationSans-Regular.ttf"); }} body {{ font-family: R; }}</style>'
    assert html_to_pdf(PAGE.format(head=style, body="")).startswith(b"%PDF-")
    assert (FONTS / "LICENSE-Liberation.txt").exists()
