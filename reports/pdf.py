"""Rendering a report to PDF with WeasyPrint from the print template (templates/reports/pdf/report.html).

No network fetch of any kind: the fonts are bundled in `reports/fonts/` (Liberation Sans, an open licence, with
Arial's metrics, the nearest open face to GOV.UK's typography) and the URL fetcher refuses every URL that is
not a file inside that folder. PDF/UA-1 tags the document for screen readers; the title and language are set.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

FONTS = Path(__file__).resolve().parent / "fonts"
PDF_VARIANT = "pdf/ua-1"


class RemoteFetchRefused(Exception):
    """The print template asked for a resource outside the bundled fonts."""


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFontsOnly(URLFetcher):
        """Serves only files inside the bundled fonts folder; any other URL (http, data, other files) stops
        the render (`fail_on_errors`), so a template change can never make the worker reach the network."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            prefix = FONTS.as_uri() + "/"
            if not url.startswith(prefix):
                raise RemoteFetchRefused(
                    f"Refused to fetch a {url.split(':', 1)[0]} resource: only bundled fonts"
                )
            path = (FONTS / url[len(prefix) :]).resolve()
            if FONTS not in path.parents or not path.is_file():
                raise RemoteFetchRefused("Refused a path outside the bundled fonts")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": "font/ttf"})

    return LocalFontsOnly(fail_on_errors=True, allowed_protocols=("file",))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def print_context(
    snapshot: dict[str, Any], *, version: int | None, draft: bool, chart_svg: str = ""
) -> dict[str, Any]:
    """The print template's context: the frozen facts and writing, dates parsed for display."""
    facts = snapshot.get("facts", {})
    content = snapshot.get("content", {})
    rated = content.get("targets") or {}
    from reports.rules import RATINGS, sections_for

    targets = [
        {
            **t,
            "rating": RATINGS.get((rated.get(t["code"]) or {}).get("rating", ""), "Not rated"),
            "evidence": (rated.get(t["code"]) or {}).get("evidence", ""),
            "evidence_outside": (rated.get(t["code"]) or {}).get("evidence_outside", ""),
        }
        for t in facts.get("targets", [])
    ]
    absences = [
        {**a, "date": _date(a["date"]), "caught_up_on": _date(a.get("caught_up_on"))}
        for a in facts.get("attendance", {}).get("absences", [])
    ]
    dates = {k: _date(v) if isinstance(v, str) else v for k, v in facts.get("dates", {}).items()}
    results = facts.get("psychometrics") or {}
    administered = {kind: _date((results.get(kind) or {}).get("administered_on")) for kind in ("pre", "post")}
    # Issue 9: a social-desirability score above its threshold flags the profile "interpret with caution" wherever it
    # is shown, naming the administration that raised it.
    cautions = [
        {**raised, "administered_on": _date(raised.get("administered_on"))}
        for raised in (results.get("caution") or {}).get("raised_by") or []
    ]
    # The needs name their scales (a report frozen before names were kept shows the codes).
    needs = [
        {**need, "scale_names": need.get("scale_names") or need.get("scales") or []}
        for need in results.get("treatment_needs") or []
    ]
    return {
        "facts": facts,
        "content": content,
        "targets": targets,
        "absences": absences,
        "dates": dates,
        "administered": administered,
        "cautions": cautions,
        "needs": needs,
        "date_of_birth": _date(facts.get("person", {}).get("date_of_birth")),
        # The rules' order (a JSON column does not keep a dict's order).
        "sections": [
            {"field": field, "label": label, "text": content.get(field, "")}
            for field, label in sections_for(facts.get("kind", "")).items()
        ],
        "signoff": snapshot.get("signoff", {}),
        "approved_on": _date(snapshot.get("signoff", {}).get("approved_on")),
        "version": version,
        "draft": draft,
        "chart_svg": chart_svg,
        "fonts_url": FONTS.as_uri() + "/",
        "title": (
            ("Exit report" if facts.get("kind") == "exit" else "Post-Programme Report")
            + f": {facts.get('person', {}).get('full_name', '')} ({facts.get('person', {}).get('crn', '')})"
        ),
    }


def chart_for(snapshot: dict[str, Any]) -> str:
    """The psychometric chart as inline SVG (drawn by issue 9's pure chart function when the facts were frozen):
    WeasyPrint keeps it as vector graphics."""
    results = snapshot.get("facts", {}).get("psychometrics") or {}
    # The page's chart fills its container's width; on paper the print CSS sizes it to fit one A4 page.
    return str(results.get("chart_svg") or "").replace(' width="100%"', "", 1)


def render_html(snapshot: dict[str, Any], *, version: int | None = None, draft: bool = False) -> str:
    return render_to_string(
        "reports/pdf/report.html",
        print_context(snapshot, version=version, draft=draft, chart_svg=chart_for(snapshot)),
    )


def html_to_pdf(html: str) -> bytes:
    """Bare WeasyPrint on the print HTML (the bench's floor): A4, fonts bundled, tagged PDF/UA-1."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    document = HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=_fetcher())
    try:
        return document.write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: made an ordinary, recorded failure
        raise RemoteFetchRefused(str(exc)) from None


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    pages: int


def render_pdf(snapshot: dict[str, Any], *, version: int | None = None, draft: bool = False) -> RenderedPdf:
    """Render a report snapshot to PDF bytes with their SHA-256 and page count."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    html = render_html(snapshot, version=version, draft=draft)
    try:
        document = HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=_fetcher()).render()
        content = document.write_pdf(pdf_variant=PDF_VARIANT)
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: made an ordinary, recorded failure
        raise RemoteFetchRefused(str(exc)) from None
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest(), pages=len(document.pages))
