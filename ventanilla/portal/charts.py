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
