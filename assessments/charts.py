"""The psychometric chart (domain.md §7, §8): pre, post and the normal range per scale, as a server-side SVG.

A pure function of the plain results (`selectors.membership_results(...)["scales"]`): no JavaScript, no Django,
so the results page and the Post-Programme Report PDF (WeasyPrint renders inline SVG) draw the same figure.
Each scale has its own row and axis (the scales' ranges differ). Pre and post are told apart by shape as well as
colour (a ring and a diamond that fits inside it, so equal scores stay visible), the normal range is a shaded band, and every figure is also written as text in
the SVG's description and in the table the page shows beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH = 480
LEFT = 12
RIGHT = WIDTH - 12
ROW = 52
TOP = 54
PRE_COLOUR = "#1d70b8"  # GOV.UK blue
POST_COLOUR = "#d4351c"  # GOV.UK red
BAND_COLOUR = "#cce2d8"  # GOV.UK light green
AXIS_COLOUR = "#505a5f"
TEXT_COLOUR = "#0b0c0c"


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _x(value: float, low: float, high: float) -> float:
    span = high - low or 1
    clamped = min(max(value, low), high)
    return round(LEFT + (clamped - low) / span * (RIGHT - LEFT), 1)


def _describe(row: Mapping[str, Any]) -> str:
    band = row["normal_range"]
    text = (
        f"{row['name']} (range {_num(row['score_min'])} to {_num(row['score_max'])}): normal range "
        f"{_num(band['low'])} to {_num(band['high'])}; pre {_num(row.get('pre'))}"
    )
    if row.get("post") is not None:
        text += f", post {_num(row['post'])}"
    change = row.get("change")
    if change:
        text += f", {change['classification_label'].lower()}"
    return text + "."


def results_chart(
    scales: Sequence[Mapping[str, Any]], *, title: str = "Psychometric results", illustrative: bool = False
) -> str:
    """An accessible SVG (title, desc, text labels) of each scale's pre and post scores and its normal range."""
    rows = [row for row in scales if row.get("pre") is not None or row.get("post") is not None]
    height = TOP + ROW * max(len(rows), 1) + 8
    desc = " ".join(_describe(row) for row in rows) or "No scores recorded yet."
    if illustrative:
        desc = "The normal ranges use illustrative norms (replace with your area's values). " + desc
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-labelledby="psy-chart-title psy-chart-desc" class="app-psychometric-chart" '
        f'font-family="Arial, sans-serif">',
        f'<title id="psy-chart-title">{escape(title)}</title>',
        f'<desc id="psy-chart-desc">{escape(desc)}</desc>',
        # Legend: shape and colour both tell pre from post.
        f'<rect x="{LEFT}" y="10" width="22" height="12" fill="{BAND_COLOUR}" stroke="{AXIS_COLOUR}" '
        f'stroke-width="0.5"/>',
        f'<text x="{LEFT + 28}" y="20" font-size="13" fill="{TEXT_COLOUR}">'
        f"Normal range{' (illustrative)' if illustrative else ''}</text>",
        f'<circle cx="{LEFT + 7}" cy="38" r="6" fill="#ffffff" stroke="{PRE_COLOUR}" stroke-width="3"/>',
        f'<text x="{LEFT + 18}" y="42" font-size="13" fill="{TEXT_COLOUR}">Pre-programme</text>',
        f'<path d="M {LEFT + 146} 33 l 5 5 l -5 5 l -5 -5 z" fill="{POST_COLOUR}"/>',
        f'<text x="{LEFT + 159}" y="42" font-size="13" fill="{TEXT_COLOUR}">Post-programme</text>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        low, high = float(row["score_min"]), float(row["score_max"])
        band = row["normal_range"]
        bar_y = y + 22
        band_x1, band_x2 = _x(band["low"], low, high), _x(band["high"], low, high)
        label = escape(row["name"])
        parts.append(f'<g class="app-psychometric-chart__scale" data-scale="{escape(str(row["code"]))}">')
        parts.append(
            f'<text x="{LEFT}" y="{y + 12}" font-size="13" font-weight="bold" fill="{TEXT_COLOUR}">{label}</text>'
        )
        parts.append(
            f'<line x1="{LEFT}" y1="{bar_y}" x2="{RIGHT}" y2="{bar_y}" stroke="{AXIS_COLOUR}" stroke-width="1"/>'
        )
        parts.append(
            f'<rect x="{band_x1}" y="{bar_y - 7}" width="{round(band_x2 - band_x1, 1)}" height="14" '
            f'fill="{BAND_COLOUR}" stroke="{AXIS_COLOUR}" stroke-width="0.5"/>'
        )
        parts.append(
            f'<text x="{LEFT}" y="{bar_y + 20}" font-size="11" fill="{AXIS_COLOUR}">{_num(low)}</text>'
        )
        parts.append(
            f'<text x="{RIGHT}" y="{bar_y + 20}" font-size="11" fill="{AXIS_COLOUR}" '
            f'text-anchor="end">{_num(high)}</text>'
        )
        if row.get("pre") is not None:
            px = _x(float(row["pre"]), low, high)
            parts.append(
                f'<circle cx="{px}" cy="{bar_y}" r="7" fill="#ffffff" stroke="{PRE_COLOUR}" stroke-width="3">'
                f"<title>Pre-programme {_num(row['pre'])}</title></circle>"
            )
        if row.get("post") is not None:
            qx = _x(float(row["post"]), low, high)
            parts.append(
                f'<path d="M {qx} {bar_y - 5} l 5 5 l -5 5 l -5 -5 z" fill="{POST_COLOUR}">'
                f"<title>Post-programme {_num(row['post'])}</title></path>"
            )
        parts.append("</g>")
    if not rows:
        parts.append(
            f'<text x="{LEFT}" y="{TOP + 16}" font-size="13" fill="{TEXT_COLOUR}">No scores recorded yet.</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
