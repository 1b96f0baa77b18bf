"""The statistics as tables: the dashboard's accessible tables, the CSV, XLSX and PDF rows.

Every export is made of these tables, so that a figure reads the same everywhere. Values
are plain numbers (shares in per cent, times rounded to two decimals) or text; None is a
figure that cannot be worked out (no case to count).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ventanilla.insights import figures as F
from ventanilla.insights.statistics import CharterRow, Statistics

Value = str | int | float | None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Value]]


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


#: (key, label, getter) of each figure of a period
def _figure_getters() -> list[tuple[str, str, Callable[[F.Figures], float | int | None]]]:
    return [
        ("received", _("Cases received"), lambda f: f.received),
        ("resolved", _("Cases resolved"), lambda f: f.resolved),
        (
            "first_response_median",
            _("First response, median (working hours)"),
            lambda f: rounded(f.first_response_hours.median),
        ),
        (
            "first_response_p90",
            _("First response, 90th percentile (working hours)"),
            lambda f: rounded(f.first_response_hours.p90),
        ),
        (
            "resolution_median",
            _("Resolution, median (working days)"),
            lambda f: rounded(f.resolution_days.median),
        ),
        (
            "resolution_p90",
            _("Resolution, 90th percentile (working days)"),
            lambda f: rounded(f.resolution_days.p90),
        ),
        ("on_time", _("On time (%)"), lambda f: percent(f.on_time_share)),
        ("reopened", _("Reopened (%)"), lambda f: percent(f.reopen_rate)),
        ("satisfaction", _("Satisfaction (1-5)"), lambda f: rounded(f.satisfaction_average)),
        ("ratings", _("Ratings"), lambda f: f.satisfaction_count),
    ]


def summary(stats: Statistics) -> Table:
    rows: list[list[Value]] = []
    for _key, label, get in _figure_getters():
        now, before = get(stats.total), get(stats.previous)
        rows.append([label, now, before, rounded(F.change(now, before))])
    return Table(
        "summary",
        _("Summary"),
        [
            _("Figure"),
            _("This period"),
            _("Previous period"),
            pgettext("difference between two periods", "Change"),
        ],
        rows,
    )


def volumes(stats: Statistics) -> Table:
    return Table(
        "volumes",
        _("Cases received and resolved"),
        [_("From"), _("Received"), _("Resolved")],
        [[p.start.isoformat(), p.received, p.resolved] for p in stats.volumes],
    )


def backlog(stats: Statistics) -> Table:
    b = stats.backlog
    rows: list[list[Value]] = [
        [_("Open now"), b.open],
        [_("Overdue"), b.overdue],
        [_("Median age (days)"), rounded(b.median_age_days)],
    ]
    rows += [[_("%(band)s days old") % {"band": band}, n] for band, n in b.ages.items()]
    return Table("backlog", _("Backlog"), [_("Figure"), _("Cases")], rows)


def oldest(stats: Statistics) -> Table:
    return Table(
        "oldest",
        _("Oldest open cases"),
        [_("Reference"), _("Age (days)")],
        [[reference, age] for reference, age in stats.backlog.oldest],
    )


def satisfaction(stats: Statistics) -> Table:
    return Table(
        "satisfaction",
        _("Satisfaction ratings"),
        [_("Rating"), _("Residents")],
        [[score, n] for score, n in sorted(stats.total.satisfaction.items())],
    )


def dimension_title(dimension: str) -> str:
    return {
        "department": _("Per department"),
        "category": _("Per category"),
        "channel": _("Per channel"),
        "district": _("Per district"),
        "agent": _("Per agent"),
    }[dimension]


def breakdown(stats: Statistics, dimension: str) -> Table:
    getters = _figure_getters()
    return Table(
        dimension,
        dimension_title(dimension),
        [_("Name"), *(label for _key, label, _get in getters)],
        [
            [row.name, *(get(row.figures) for _key, _label, get in getters)]
            for row in stats.breakdowns[dimension]
        ],
    )


def charter(rows: list[CharterRow]) -> Table:
    months = rows[0].months if rows else []
    return Table(
        "charter",
        _("Service charter"),
        [
            _("Commitment"),
            _("Target (%)"),
            _("Met (%)"),
            *(m.month.strftime("%Y-%m") for m in months),
        ],
        [
            [
                row.statement,
                row.target_percent,
                percent(row.share),
                *(percent(m.share) for m in row.months),
            ]
            for row in rows
        ],
    )


def all_tables(stats: Statistics, *, agents: bool = True) -> list[Table]:
    """Return every table of ``stats``; ``agents=False`` leaves staff names out (reports)."""
    dimensions = [d for d in F.DIMENSIONS if agents or d != "agent"]
    return [
        summary(stats),
        volumes(stats),
        backlog(stats),
        oldest(stats),
        satisfaction(stats),
        *(breakdown(stats, d) for d in dimensions),
    ]


def as_csv(table: Table) -> str:
    """Return ``table`` as CSV text (header row first; an unknown figure is empty)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def as_xlsx(tables: list[Table]) -> bytes:
    """Return the tables as an Excel workbook, one sheet each."""
    # openpyxl only when a workbook is asked for: the web processes stay smaller without it
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.columns)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        sheet.column_dimensions["A"].width = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def display(value: Any) -> str:
    """Return a value as the tables show it ("—" for an unknown figure)."""
    if value is None:
        return "—"
    return str(value)
