"""The staff statistics: the dashboard, each table as CSV, the workbook and the PDF report.

Every figure is of the cases the signed-in member of staff may see (``case_scope``, the
filter behind ``Case.objects.visible_to``): supervisors, administrators and auditors see
their council, agents their departments.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ventanilla.inbox.access import staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.insights import charts, report, tables
from ventanilla.insights.forms import PeriodForm
from ventanilla.insights.statistics import Statistics, charter, statistics

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Section:
    table: tables.Table
    chart: SafeString | None = None


def _statistics(request: HttpRequest, scope: Scope) -> tuple[PeriodForm, Statistics]:
    form = PeriodForm(request.GET or None, council=scope.council)
    start, end = form.period()
    stats = statistics(
        scope.council,
        user=scope.user,
        start=start,
        end=end,
        granularity=form.granularity_value(),
    )
    return form, stats


def _bars(table: tables.Table, column: int, unit: str = "") -> list[charts.Bar]:
    return [
        charts.Bar(
            str(row[0]),
            float(value) if isinstance(value, int | float) else None,
            tables.display(value) + (unit if value is not None else ""),
        )
        for row in table.rows
        for value in [row[column]]
    ]


def sections(stats: Statistics) -> list[Section]:
    """Return the dashboard's sections: each table, with its chart when it has one."""
    volumes = tables.volumes(stats)
    backlog = tables.backlog(stats)
    satisfaction = tables.satisfaction(stats)
    department = tables.breakdown(stats, "department")
    category = tables.breakdown(stats, "category")
    on_time = 7  # the "On time (%)" column of a breakdown table
    return [
        Section(tables.summary(stats)),
        Section(
            volumes,
            charts.column_chart(
                chart_id="chart-volumes",
                title=_("Cases received and resolved"),
                description=_("Cases received and cases resolved in each part of the period."),
                series=(_("Received"), _("Resolved")),
                columns=[
                    charts.Column(str(row[0]), (float(row[1] or 0), float(row[2] or 0)))
                    for row in volumes.rows
                ],
            ),
        ),
        Section(
            backlog,
            charts.bar_chart(
                chart_id="chart-backlog",
                title=_("Open cases by age"),
                description=_("How many cases are open now, by how long ago they came in."),
                bars=_bars(tables.Table("", "", [], backlog.rows[3:]), 1),
            ),
        ),
        Section(tables.oldest(stats)),
        Section(
            satisfaction,
            charts.bar_chart(
                chart_id="chart-satisfaction",
                title=_("Satisfaction ratings"),
                description=_("How many residents gave each rating, from 1 to 5."),
                bars=_bars(satisfaction, 1),
            ),
        ),
        Section(
            department,
            charts.bar_chart(
                chart_id="chart-department",
                title=_("On time per department"),
                description=_("Share of the cases due that were resolved by their deadline."),
                bars=_bars(department, on_time, " %"),
            ),
        ),
        Section(
            category,
            charts.bar_chart(
                chart_id="chart-category",
                title=_("Cases received per category"),
                description=_("Number of cases received in the period."),
                bars=_bars(category, 1),
            ),
        ),
        *(Section(tables.breakdown(stats, d)) for d in ("channel", "district", "agent")),
    ]


@require_GET
@staff_required
def dashboard(request: HttpRequest, scope: Scope) -> HttpResponse:
    form, stats = _statistics(request, scope)
    charter_rows = charter(scope.council, start=stats.start, end=stats.end, public_only=False)
    return TemplateResponse(
        request,
        "insights/dashboard.html",
        {
            "scope": scope,
            "form": form,
            "stats": stats,
            "sections": sections(stats),
            "charter": tables.charter(charter_rows) if charter_rows else None,
            "query": f"start={stats.start.isoformat()}&end={stats.end.isoformat()}",
        },
    )


def _filename(stats: Statistics, extension: str) -> str:
    return (
        f"{stats.council.slug}-statistics-{stats.start.isoformat()}-"
        f"{stats.end.isoformat()}.{extension}"
    )


@require_GET
@staff_required
def table_csv(request: HttpRequest, scope: Scope, table: str) -> HttpResponse:
    _form, stats = _statistics(request, scope)
    found = {t.key: t for t in tables.all_tables(stats)}
    if table == "charter":
        found[table] = tables.charter(
            charter(scope.council, start=stats.start, end=stats.end, public_only=False)
        )
    if table not in found:
        raise Http404
    response = HttpResponse(tables.as_csv(found[table]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, table + ".csv")}"'
    return response


@require_GET
@staff_required
def workbook(request: HttpRequest, scope: Scope) -> HttpResponse:
    _form, stats = _statistics(request, scope)
    response = HttpResponse(tables.as_xlsx(tables.all_tables(stats)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, "xlsx")}"'
    return response


@require_GET
@staff_required
def report_pdf(request: HttpRequest, scope: Scope) -> HttpResponse:
    _form, stats = _statistics(request, scope)
    charter_rows = charter(scope.council, start=stats.start, end=stats.end)
    response = HttpResponse(report.pdf(stats, charter_rows), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, "pdf")}"'
    return response
