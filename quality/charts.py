"""Server-side SVG charts for the statistics pages (no JavaScript): horizontal bars, each with its value written
beside it, and a title for screen readers. Every chart sits next to a table with the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 560
ROW = 28
LABEL_WIDTH = 200
BAR_MAX = WIDTH - LABEL_WIDTH - 80
CHAR_WIDTH = (
    8  # an upper estimate of one character at 15 px, to leave room for the text beside the longest bar
)
COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#f47738")
LABEL_CHARS = 24  # what fits in LABEL_WIDTH at 15 px; the table beside the chart has the full name


def fit_label(label: str) -> str:
    """A label short enough for the label column (cut with an ellipsis), so none is clipped at the SVG's edge."""
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "\u2026"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed or not measured (drawn as a note, no bar)
    text: str  # what is written beside the bar
    low: float | None = None  # an interval, drawn as a whisker (same scale as value)
    high: float | None = None
    marker: float | None = None  # e.g. the predicted rate, drawn as a diamond
    series: int = 0


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None) -> str:
    """A horizontal bar chart as an inline SVG string (values scaled to `maximum`, or to the largest value)."""
    values = [v for b in bars for v in (b.value, b.high, b.marker) if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    # The bars shrink so that the text written after the longest one still fits inside the SVG.
    text_room = max((len(b.text) for b in bars if b.value is not None), default=0) * CHAR_WIDTH + 12
    bar_max = max(120, min(BAR_MAX, WIDTH - LABEL_WIDTH - text_room))
    height = ROW * len(bars) + 16
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet" '
        'font-family="GDS Transport, Liberation Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = 8 + i * ROW
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="15" fill="#0b0c0c">'
            f"<title>{escape(bar.label)}</title>{escape(fit_label(bar.label))}</text>"
        )
        if bar.value is None:
            parts.append(
                f'<text x="{LABEL_WIDTH}" y="{y + 17}" font-size="15" fill="#505a5f">{escape(bar.text)}</text>'
            )
            continue
        w = max(1.0, bar_max * bar.value / top)
        colour = COLOURS[bar.series % len(COLOURS)]
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{w:.1f}" height="18" fill="{colour}"/>')
        if bar.low is not None and bar.high is not None:
            x1, x2 = LABEL_WIDTH + bar_max * bar.low / top, LABEL_WIDTH + bar_max * bar.high / top
            parts.append(
                f'<path d="M{x1:.1f} {y + 13}H{x2:.1f}M{x1:.1f} {y + 7}V{y + 19}M{x2:.1f} {y + 7}V{y + 19}" '
                'stroke="#0b0c0c" stroke-width="2" fill="none"/>'
            )
        if bar.marker is not None:
            mx = LABEL_WIDTH + bar_max * bar.marker / top
            parts.append(
                f'<path d="M{mx:.1f} {y + 5}l7 8-7 8-7-8z" fill="#ffdd00" stroke="#0b0c0c" stroke-width="1.5"/>'
            )
        end = LABEL_WIDTH + max(w, bar_max * (bar.high or 0) / top) + 8
        parts.append(
            f'<text x="{end:.1f}" y="{y + 17}" font-size="15" fill="#0b0c0c">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
