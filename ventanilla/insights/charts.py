"""Bar charts drawn on the server as SVG: no script, readable with styles off.

Only presentation attributes are used (the Content Security Policy forbids inline
styles). Each chart is an image with a title and a description for screen readers; the
table next to it holds the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 90
BAR_HEIGHT = 20
ROW_HEIGHT = 30
TOP = 8
LABEL_MAX_CHARS = 30
BAR_COLOUR = "#1d4f91"  # the brand blue: 8.6:1 against white
SECOND_COLOUR = "#a14a00"  # a dark orange: 5.9:1 against white, told apart from the blue
TEXT_COLOUR = "#1b1f24"
RULE_COLOUR = "#767f8c"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…"


def bar_chart(*, chart_id: str, title: str, description: str, bars: list[Bar]) -> SafeString:
    """Return an SVG horizontal bar chart; bars without a value show only their text."""
    top_value = max((bar.value for bar in bars if bar.value), default=0) or 1
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + ROW_HEIGHT * max(len(bars), 1)
    rows = []
    for i, bar in enumerate(bars):
        y = TOP + i * ROW_HEIGHT
        length = round(area * (bar.value or 0) / top_value, 1)
        rows.append(
            (
                LABEL_WIDTH - 8,
                y + BAR_HEIGHT / 2,
                TEXT_COLOUR,
                _short(bar.label),
                LABEL_WIDTH,
                y,
                length,
                BAR_HEIGHT,
                BAR_COLOUR,
                LABEL_WIDTH + length + 6,
                y + BAR_HEIGHT / 2,
                TEXT_COLOUR,
                bar.text,
            )
        )
    body = format_html_join(
        "",
        '<g><text x="{}" y="{}" fill="{}" text-anchor="end" dominant-baseline="middle"'
        ' font-size="13">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text x="{}" y="{}" fill="{}" dominant-baseline="middle" font-size="13">{}</text></g>',
        rows,
    )
    return format_html(
        '<svg class="portal-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}"'
        ' width="100%" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line x1="{}" y1="0" x2="{}" y2="{}" stroke="{}"></line>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        LABEL_WIDTH,
        LABEL_WIDTH,
        height,
        RULE_COLOUR,
        body,
    )


@dataclass(frozen=True)
class Column:
    label: str
    values: tuple[float, ...]


COLUMN_AREA = 180
COLUMN_BOTTOM = 40
LEGEND_HEIGHT = 24


def column_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    series: tuple[str, ...],
    columns: list[Column],
) -> SafeString:
    """Return an SVG chart of columns over time, one colour per series, with a legend."""
    colours = (BAR_COLOUR, SECOND_COLOUR)
    top_value = max((v for c in columns for v in c.values), default=0) or 1
    left = 40
    slot = (WIDTH - left - 10) / max(len(columns), 1)
    width = max(min(slot / (len(series) + 1), 24), 1)
    base = LEGEND_HEIGHT + COLUMN_AREA
    label_every = max(1, round(len(columns) / 12))
    parts = []
    for i, name in enumerate(series):
        x = left + i * 180
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="14" height="14" fill="{}"></rect>'
                '<text x="{}" y="15" fill="{}" font-size="13">{}</text>',
                x,
                colours[i % len(colours)],
                x + 20,
                TEXT_COLOUR,
                name,
            )
        )
    for n, column in enumerate(columns):
        x0 = left + n * slot
        for i, value in enumerate(column.values):
            height = round(COLUMN_AREA * value / top_value, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                    round(x0 + i * width, 1),
                    round(base - height, 1),
                    round(width - 1, 1),
                    height,
                    colours[i % len(colours)],
                )
            )
        if n % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}" font-size="11">{}</text>',
                    round(x0, 1),
                    base + 16,
                    TEXT_COLOUR,
                    column.label,
                )
            )
    height = base + COLUMN_BOTTOM
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}"'
        ' width="100%" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<text x="0" y="{}" fill="{}" font-size="11">{}</text>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"></line>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        LEGEND_HEIGHT + 10,
        TEXT_COLOUR,
        _number(top_value),
        left,
        base,
        WIDTH,
        base,
        RULE_COLOUR,
        SafeString("".join(parts)),
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
