"""Open data: the public record and the statistics as CSV and JSON, under CC BY 4.0.

Each CSV file starts with one comment line ("# ...") that states the source and the
licence; the JSON documents carry the same in ``source`` and ``licence``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.core.models import Council
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.statistics import Figures, Statistics

LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

RECORD_FIELDS = [
    "reference",
    "url",
    "service_code",
    "category",
    "department",
    "status",
    "status_detail",
    "summary",
    "street",
    "latitude",
    "longitude",
    "reported_at",
    "updated_at",
    "deadline",
    "resolved_at",
    "supports",
]
STATISTICS_FIELDS = [
    "group",
    "key",
    "name",
    "received",
    "published",
    "published_share",
    "median_first_response_hours",
    "median_resolution_hours",
    "deadline_counted",
    "resolved_within_deadline",
    "resolved_within_deadline_share",
    "satisfaction_average",
    "satisfaction_count",
]


def licence_line(council: Council) -> str:
    return _("Source: %(council)s. Licence: %(licence)s (%(url)s).") % {
        "council": council.name,
        "licence": LICENCE_NAME,
        "url": LICENCE_URL,
    }


def _moment(value: Any) -> str | None:
    return value.isoformat() if value else None


def record_row(record: PublicRecord, *, url: str) -> dict[str, Any]:
    """Return one row of the public record. Only the record's own fields are read."""
    return {
        "reference": record.reference,
        "url": url,
        "service_code": record.category.code,
        "category": record.category.name,
        "department": record.department.name,
        "status": "open" if record.status in OPEN_STATUSES else "closed",
        "status_detail": str(Status(record.status).label),
        "summary": record.summary,
        "street": record.street,
        "latitude": record.latitude,
        "longitude": record.longitude,
        "reported_at": _moment(record.requested_at),
        "updated_at": _moment(record.updated_at),
        "deadline": _moment(record.expected_at),
        "resolved_at": _moment(record.resolved_at),
        "supports": record.support_count,
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def figures_row(group: str, key: str, name: str, figures: Figures) -> dict[str, Any]:
    return {
        "group": group,
        "key": key,
        "name": name,
        "received": figures.received,
        "published": figures.published,
        "published_share": _round(figures.published_share, 4),
        "median_first_response_hours": _round(figures.median_first_response_hours),
        "median_resolution_hours": _round(figures.median_resolution_hours),
        "deadline_counted": figures.deadline_counted,
        "resolved_within_deadline": figures.within_deadline,
        "resolved_within_deadline_share": _round(figures.within_deadline_share, 4),
        "satisfaction_average": _round(figures.satisfaction_average),
        "satisfaction_count": figures.satisfaction_count,
    }


def statistics_rows(stats: Statistics, *, total_name: str) -> list[dict[str, Any]]:
    rows = [figures_row("total", "total", total_name, stats.total)]
    rows += [figures_row("department", r.key, r.name, r.figures) for r in stats.departments]
    rows += [figures_row("category", r.key, r.name, r.figures) for r in stats.categories]
    return rows


#: first characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """Return ``value`` as a CSV cell no spreadsheet runs: text that could start a formula
    gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(
    *, council: Council, filename: str, fields: list[str], rows: Iterable[dict[str, Any]]
) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write(f"# {licence_line(council)}\n")
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    _attach(response, filename)
    return response


def json_response(
    *, council: Council, filename: str, key: str, payload: Any, extra: dict[str, Any] | None = None
) -> HttpResponse:
    document = {
        "source": council.name,
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "generated_at": timezone.now().isoformat(),
        **(extra or {}),
        key: payload,
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    _attach(response, filename)
    return response


def _attach(response: HttpResponse, filename: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
