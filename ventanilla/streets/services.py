"""The write path of the street directory: importing a council's streets from a CSV file."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.core.models import Council
from ventanilla.streets.matching import fold_street
from ventanilla.streets.models import Street

#: accepted header names of each column (folded: lower case, no accents)
COLUMNS: dict[str, tuple[str, ...]] = {
    "street": ("street", "calle", "carrer", "name", "nombre", "via"),
    "numbers": ("numbers", "number", "numeros", "numero", "numeracion", "range"),
    "latitude": ("lat", "latitude", "latitud"),
    "longitude": ("lon", "lng", "long", "longitude", "longitud"),
    "district": ("district", "distrito", "districte", "barrio"),
}
REQUIRED = ("street", "latitude", "longitude")
_RANGE_RE = re.compile(r"^\s*(\d{1,6})\s*(?:[-–—/]|a|al)\s*(\d{1,6})\s*$")
_NUMBER_RE = re.compile(r"^\s*(\d{1,6})\s*$")


@dataclass(frozen=True)
class BadRow:
    line: int
    problem: str

    def __str__(self) -> str:
        return _("line %(line)d: %(problem)s") % {"line": self.line, "problem": self.problem}


class StreetImportError(Exception):
    """The file was refused: nothing was imported. ``bad_rows`` says where and why."""

    def __init__(self, message: str, bad_rows: Sequence[BadRow] = ()) -> None:
        super().__init__(message)
        self.bad_rows = list(bad_rows)


def _header_map(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = fold_street(raw, keep_type=True).replace(" ", "_")
        for column, names in COLUMNS.items():
            if name in names and column not in found:
                found[column] = index
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        raise StreetImportError(
            _("The first line must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    return found


def _coordinate(raw: str, low: float, high: float) -> float | None:
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and low <= value <= high else None


def parse_streets(lines: Iterable[str]) -> list[Street]:
    """Return the streets of a CSV file (not saved), or raise with every bad row.

    The first line names the columns: street, numbers (optional: ``1-99`` or one number),
    lat, lon, district (optional). Comma or semicolon separated.
    """
    lines = list(lines)
    sample = "".join(lines[:5])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(lines, dialect))
    if not rows:
        raise StreetImportError(_("The file is empty."))
    columns = _header_map(rows[0])
    streets: list[Street] = []
    bad: list[BadRow] = []

    def cell(row: Sequence[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    for line, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        name = " ".join(cell(row, "street").split())
        problems = []
        if not name:
            problems.append(_("the street has no name"))
        elif len(name) > 200:
            problems.append(_("the street name is longer than 200 characters"))
        latitude = _coordinate(cell(row, "latitude"), -90, 90)
        longitude = _coordinate(cell(row, "longitude"), -180, 180)
        if latitude is None:
            problems.append(_("the latitude is not a number from −90 to 90"))
        if longitude is None:
            problems.append(_("the longitude is not a number from −180 to 180"))
        numbers = cell(row, "numbers")
        number_from = number_to = None
        if numbers:
            matched = _RANGE_RE.match(numbers) or _NUMBER_RE.match(numbers)
            if matched is None:
                problems.append(_("the numbers are not a range such as 1-99"))
            else:
                number_from = int(matched.group(1))
                number_to = int(matched.groups()[-1])
                if number_from > number_to:
                    problems.append(_("the range of numbers goes backwards"))
        district = " ".join(cell(row, "district").split())
        if len(district) > 100:
            problems.append(_("the district is longer than 100 characters"))
        if problems:
            bad.append(BadRow(line, "; ".join(problems)))
            continue
        assert latitude is not None and longitude is not None
        streets.append(
            Street(
                name=name,
                folded=fold_street(name)[:200],
                number_from=number_from,
                number_to=number_to,
                latitude=latitude,
                longitude=longitude,
                district=district,
            )
        )
    if bad:
        raise StreetImportError(
            _("%(count)d rows are wrong; nothing was imported.") % {"count": len(bad)}, bad
        )
    if not streets:
        raise StreetImportError(_("The file has no streets."))
    return streets


@transaction.atomic
def import_streets(*, council: Council, lines: Iterable[str]) -> int:
    """Replace ``council``'s street directory by the file's streets, all or nothing."""
    streets = parse_streets(lines)
    for street in streets:
        street.council = council
    Street.objects.of(council).delete()
    Street.objects.bulk_create(streets, batch_size=1000)
    return len(streets)
