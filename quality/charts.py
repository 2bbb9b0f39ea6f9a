"""Server-side SVG charts for the statistics pages (no JavaScript): horizontal bars, each with its value written
beside it, and a title for screen readers. Every chart sits next to a table with the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from textwrap import wrap

WIDTH = 560
ROW = 28
LABEL_WIDTH = 200
BAR_MAX = WIDTH - LABEL_WIDTH - 80
CHAR_WIDTH = (
    8  # an upper estimate of one character at 15 px, to leave room for the text beside the longest bar
)
COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#f47738")
LABEL_CHARS = 24  # what fits in LABEL_WIDTH at 15 px on one line
LINE = 17  # the height of one label line
AXIS = 28  # room under the bars for the axis and its tick labels


def wrap_label(label: str) -> list[str]:
    """The label over as many lines as it needs in the label column, so the full text shows (tester of issue 14,
    finding C: "Impulsiveness: attentio…" was cut). A single word longer than the column is split."""
    return wrap(label, LABEL_CHARS, break_on_hyphens=False) or [""]


def _row_height(lines: int) -> int:
    return ROW + LINE * (lines - 1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed or not measured (drawn as a note, no bar)
    text: str  # what is written beside the bar
    low: float | None = None  # an interval, drawn as a whisker (same scale as value)
    high: float | None = None
    marker: float | None = None  # e.g. the predicted rate, drawn as a diamond
    series: int = 0


def bar_chart(
    title: str, bars: Sequence[Bar], *, maximum: float | None = None, ticks: Sequence[float] = ()
) -> str:
    """A horizontal bar chart as an inline SVG string (values scaled to `maximum`, or to the largest value).
    `ticks` (on the same scale) draws an axis under the bars with a label and a faint gridline at each, as
    percentages when `maximum` is 1."""
    values = [v for b in bars for v in (b.value, b.high, b.marker) if v is not None]
    top = maximum if maximum is not None else max(values, default=0) or 1
    # The bars shrink so that the text written after the longest one still fits inside the SVG.
    text_room = max((len(b.text) for b in bars if b.value is not None), default=0) * CHAR_WIDTH + 12
    bar_max = max(120, min(BAR_MAX, WIDTH - LABEL_WIDTH - text_room))
    labels = [wrap_label(b.label) for b in bars]
    rows_height = sum(_row_height(len(lines)) for lines in labels)
    height = rows_height + 16 + (AXIS if ticks else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet" '
        'font-family="GDS Transport, Liberation Sans, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
    ]
    if ticks:
        axis_y = 8 + rows_height
        parts.append(
            f'<path d="M{LABEL_WIDTH} 8V{axis_y}H{LABEL_WIDTH + bar_max}" stroke="#505a5f" fill="none"/>'
        )
        for tick in ticks:
            x = LABEL_WIDTH + bar_max * tick / top
            label = f"{tick * 100:g}%" if maximum == 1 else f"{tick:g}"
            # Faint gridlines only where bars are drawn (a written note such as "Suppressed" is not struck through).
            grid_top = 8 if any(b.value is not None for b in bars) else axis_y
            parts.append(
                f'<path d="M{x:.1f} {grid_top}V{axis_y + 5}" stroke="#b1b4b6" stroke-dasharray="2 3" fill="none"/>'
                f'<text x="{x:.1f}" y="{axis_y + 20}" text-anchor="middle" font-size="14" fill="#505a5f">'
                f"{escape(label)}</text>"
            )
    y = 8
    for bar, lines in zip(bars, labels, strict=True):
        tspans = "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" dy="{0 if n == 0 else LINE}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="15" fill="#0b0c0c">'
            f"<title>{escape(bar.label)}</title>{tspans}</text>"
        )
        row_y, y = y, y + _row_height(len(lines))
        if bar.value is None:
            parts.append(
                f'<text x="{LABEL_WIDTH + 6}" y="{row_y + 17}" font-size="15" fill="#505a5f">'
                f"{escape(bar.text)}</text>"
            )
            continue
        parts.extend(_drawn_bar(bar, row_y, bar_max, top))
    parts.append("</svg>")
    return "".join(parts)


def _drawn_bar(bar: Bar, y: int, bar_max: float, top: float) -> list[str]:
    assert bar.value is not None
    parts = []
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
    parts.append(f'<text x="{end:.1f}" y="{y + 17}" font-size="15" fill="#0b0c0c">{escape(bar.text)}</text>')
    return parts
