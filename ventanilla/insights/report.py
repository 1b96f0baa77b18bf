"""The monthly or annual report for the complaints commission and the plenary, as a PDF.

Drawn with reportlab (pure Python): the figures against the previous period, the volumes
as a chart, the service charter, the worst-performing categories, the oldest open cases by
reference only, and the residents' comments after redaction. No staff names, no resident
data: the agent breakdown stays on the staff dashboard.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ventanilla.insights import tables
from ventanilla.insights.statistics import CharterRow, Statistics

BLUE = colors.HexColor("#1d4f91")
ORANGE = colors.HexColor("#a14a00")


def period_of(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of "2026-11" (a month) or "2026" (a year).

    Raise ValueError for anything else.
    """
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if len(text) == 7 and text[4] == "-":
            year, month = int(text[:4]), int(text[5:])
            start = dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return start, following - dt.timedelta(days=1)
    except ValueError:
        pass
    raise ValueError(_("A period is a month (2026-11) or a year (2026)."))


def _cell(value: object) -> str:
    return tables.display(value)


def _table(table: tables.Table, widths: list[float] | None = None) -> Table:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    data = [[Paragraph(escape(str(c)), small) for c in table.columns]]
    data += [[Paragraph(escape(_cell(v)), small) for v in row] for row in table.rows]
    out = Table(data, colWidths=widths, repeatRows=1)
    out.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#767f8c")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return out


def _volumes_chart(stats: Statistics) -> Drawing:
    drawing = Drawing(16 * cm, 6 * cm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 30, 15 * cm - 30, 4.5 * cm
    chart.data = [
        [p.received for p in stats.volumes] or [0],
        [p.resolved for p in stats.volumes] or [0],
    ]
    every = max(1, round(len(stats.volumes) / 12))
    chart.categoryAxis.categoryNames = [
        p.start.strftime("%d/%m") if i % every == 0 else "" for i, p in enumerate(stats.volumes)
    ]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = ORANGE
    drawing.add(chart)
    drawing.add(String(30, 6 * cm - 10, _("Received"), fillColor=BLUE, fontSize=8))
    drawing.add(String(110, 6 * cm - 10, _("Resolved"), fillColor=ORANGE, fontSize=8))
    return drawing


def pdf(stats: Statistics, charter_rows: list[CharterRow]) -> bytes:
    """Return the report of ``stats`` as PDF bytes."""
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Service report: %(council)s") % {"council": stats.council.name},
        author=stats.council.name,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
    )
    start = formats.date_format(stats.start, "DATE_FORMAT")
    end = formats.date_format(stats.end, "DATE_FORMAT")
    previous = _("Compared with %(start)s to %(end)s.") % {
        "start": formats.date_format(stats.previous_start, "DATE_FORMAT"),
        "end": formats.date_format(stats.previous_end, "DATE_FORMAT"),
    }
    story: list[object] = [
        Paragraph(escape(stats.council.name), styles["Title"]),
        Paragraph(
            escape(_("Service report from %(start)s to %(end)s") % {"start": start, "end": end}),
            styles["Heading2"],
        ),
        Paragraph(escape(previous), styles["BodyText"]),
        Spacer(1, 0.3 * cm),
        _table(tables.summary(stats), [8 * cm, 3 * cm, 3 * cm, 3 * cm]),
        Spacer(1, 0.4 * cm),
        Paragraph(escape(_("Cases received and resolved")), styles["Heading3"]),
        _volumes_chart(stats),
    ]
    if charter_rows:
        story += [
            Paragraph(escape(_("Service charter")), styles["Heading3"]),
            _table(tables.charter(charter_rows)),
        ]
    worst = tables.Table(
        "worst",
        _("Worst-performing categories"),
        [_("Category"), _("On time (%)"), _("Cases due"), _("Resolution, median (working days)")],
        [
            [
                row.name,
                tables.percent(row.figures.on_time_share),
                row.figures.deadline_counted,
                tables.rounded(row.figures.resolution_days.median),
            ]
            for row in stats.worst_categories
        ],
    )
    story += [
        Paragraph(escape(worst.title), styles["Heading3"]),
        _table(worst),
        Paragraph(escape(_("Backlog")), styles["Heading3"]),
        _table(tables.backlog(stats), [8 * cm, 3 * cm]),
        Paragraph(escape(_("Oldest open cases")), styles["Heading3"]),
        _table(tables.oldest(stats), [4 * cm, 3 * cm]),
        Paragraph(escape(_("Satisfaction ratings")), styles["Heading3"]),
        _table(tables.satisfaction(stats), [3 * cm, 3 * cm]),
    ]
    for dimension in ("department", "category", "channel", "district"):
        table = tables.breakdown(stats, dimension)
        story += [Paragraph(escape(table.title), styles["Heading3"]), _table(table)]
    story.append(Paragraph(escape(_("Residents' comments")), styles["Heading3"]))
    if stats.comments:
        story += [Paragraph(escape(f"“{c}”"), styles["BodyText"]) for c in stats.comments]
    else:
        story.append(Paragraph(escape(_("No comments in this period.")), styles["BodyText"]))
    document.build(story)
    return out.getvalue()
