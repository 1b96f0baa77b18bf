"""Open311 GeoReport v2: its formats, its parameters and its errors, to the letter.

XML is the format the specification requires; JSON follows the "Spark convention"
(a response whose root holds repeated elements is a JSON array, one holding a single
structure is an object). Dates are W3C date-times with their offset. Empty fields are
empty elements in XML and null in JSON.

Status is ``open`` or ``closed``: a closed request may have been resolved, rejected or a
duplicate, and ``status_notes`` says which; "closed" never stands for "fixed".
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML, never parse it
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.cases.workflow import OPEN_STATUSES, Status
from ventanilla.core.models import Council
from ventanilla.portal.models import PublicRecord

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: when this implementation's service list or definitions last changed shape
CHANGESET = "2026-11-27T00:00:00Z"
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
DESCRIPTION_MAX_LENGTH = 4000
OPEN = "open"
CLOSED = "closed"

# How repeated children are named inside a plural element (XML side of the Spark convention).
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML_RE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# "+01:00" arrives as " 01:00" when a client forgets to encode the plus sign.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LOST_PLUS_RE = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


class Open311Error(Exception):
    """An error answered in the specification's error format."""

    def __init__(self, status: int, *descriptions: str) -> None:
        self.status = status
        self.descriptions = descriptions or (_("General service error."),)
        super().__init__("; ".join(self.descriptions))


# -- rendering ------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML_RE.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list):
        item_name = _ITEM_NAMES[name]
        for child in value:
            _append(element, item_name, child)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    """Return ``data`` as an XML document whose root element is ``root``."""
    element = ET.Element(root)
    if isinstance(data, list):
        for item in data:
            _append(element, _ITEM_NAMES[root], item)
    else:
        for key, value in data.items():
            _append(element, key, value)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def _json_ready(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _json_ready(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_json_ready(child) for child in value]
    if value == "":
        return None
    return value


def to_json(data: Any) -> bytes:
    return json.dumps(_json_ready(data), ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """Return ``data`` as an Open311 response in ``fmt`` ("xml" or "json")."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": error.status, "description": text} for text in error.descriptions]
    return render(fmt, "errors", errors, status=error.status)


# -- the council asked about ----------------------------------------------------------------


def council_for(request: HttpRequest, jurisdiction_id: str) -> Council:
    """Return the council ``jurisdiction_id`` names, or the one this endpoint serves.

    ``jurisdiction_id`` is optional when the answer is unambiguous: the council whose
    domain is the request's host, the configured default council, or the only one.
    """
    jurisdiction_id = (jurisdiction_id or "").strip()
    if jurisdiction_id:
        council = Council.objects.filter(jurisdiction_id=jurisdiction_id).first()
        if council is None:
            raise Open311Error(404, _("jurisdiction_id provided was not found."))
        return council
    host = request.get_host().split(":")[0]
    council = Council.objects.filter(domain__iexact=host).first() if host else None
    if council is None and settings.VENTANILLA_DEFAULT_COUNCIL:
        council = Council.objects.filter(slug=settings.VENTANILLA_DEFAULT_COUNCIL).first()
    if council is None:
        councils = list(Council.objects.all()[:2])
        if len(councils) == 1:
            council = councils[0]
    if council is None:
        raise Open311Error(400, _("jurisdiction_id was not provided."))
    return council


# -- dates and query parameters -------------------------------------------------------------


def w3c(moment: dt.datetime | None, council: Council) -> str | None:
    """Return ``moment`` as a W3C date-time in the council's time zone, with its offset."""
    if moment is None:
        return None
    text = moment.astimezone(council.tz).replace(microsecond=0).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_w3c(name: str, value: str, council: Council) -> dt.datetime:
    """Return the moment a W3C date or date-time names; a date is its day's start."""
    value = _LOST_PLUS_RE.sub(r"\1+\2", value.strip())
    moment = None
    try:
        if _DATE_RE.fullmatch(value):
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time(0, 0), tzinfo=council.tz)
        else:
            moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(name)s must be a W3C date-time such as 2010-01-01T00:00:00Z.") % {"name": name},
        )
    if moment.tzinfo is None:
        raise Open311Error(
            400, _("%(name)s must include a time zone (Z or an offset).") % {"name": name}
        )
    return moment


def _list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


@dataclass(frozen=True)
class RequestsQuery:
    """The optional arguments of GET Service Requests, validated."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    @classmethod
    def parse(
        cls, params: Mapping[str, str], *, council: Council, now: dt.datetime
    ) -> RequestsQuery:
        ids = _list(params.get("service_request_id"))
        if ids:
            # "This overrides all other arguments."
            return cls(ids=tuple(ids[:MAX_RESULTS]))
        statuses = _list(params.get("status"))
        unknown = [s for s in statuses if s not in (OPEN, CLOSED)]
        if unknown:
            raise Open311Error(400, _("status must be open, closed or both, comma-separated."))
        start_text = (params.get("start_date") or "").strip()
        end_text = (params.get("end_date") or "").strip()
        start = parse_w3c("start_date", start_text, council) if start_text else None
        end = parse_w3c("end_date", end_text, council) if end_text else None
        if start is None and end is None:
            end = now
            start = now - DEFAULT_WINDOW
        elif start is None:
            assert end is not None
            start = end - DEFAULT_WINDOW
        elif end is None:
            end = start + DEFAULT_WINDOW
        if end < start:
            raise Open311Error(400, _("end_date is earlier than start_date."))
        if end - start > MAX_WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
        return cls(
            codes=tuple(_list(params.get("service_code"))),
            statuses=tuple(statuses),
            start=start,
            end=end,
        )

    def apply(self, records: Any) -> list[PublicRecord]:
        """Return the records this query selects, most recent first, at most MAX_RESULTS."""
        if self.ids:
            records = records.filter(reference__in=self.ids)
        else:
            records = records.filter(requested_at__gte=self.start, requested_at__lte=self.end)
            if self.codes:
                records = records.filter(category__code__in=self.codes)
            if set(self.statuses) == {OPEN}:
                records = records.filter(status__in=OPEN_STATUSES)
            elif set(self.statuses) == {CLOSED}:
                records = records.exclude(status__in=OPEN_STATUSES)
        return list(records.order_by("-requested_at", "-id")[:MAX_RESULTS])


# -- the documents --------------------------------------------------------------------------


def service_notice(days: int) -> str:
    return ngettext(
        "The council aims to resolve it within %(days)d working day.",
        "The council aims to resolve it within %(days)d working days.",
        days,
    ) % {"days": days}


def service_item(category: Any) -> dict[str, Any]:
    keywords = [word.strip() for word in category.keywords.splitlines() if word.strip()]
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": category.group or category.department.name,
    }


def service_definition(category: Any) -> dict[str, Any]:
    return {"service_code": category.code, "attributes": []}


def request_item(
    record: PublicRecord, *, council: Council, media_url: str | None = None
) -> dict[str, Any]:
    """Return the Open311 view of a public record. Only the record's fields are read."""
    return {
        "service_request_id": record.reference,
        "status": OPEN if record.status in OPEN_STATUSES else CLOSED,
        "status_notes": str(Status(record.status).label),
        "service_name": record.category.name,
        "service_code": record.category.code,
        "description": record.summary,
        "agency_responsible": record.department.name,
        "service_notice": service_notice(record.category.resolution_days),
        "requested_datetime": w3c(record.requested_at, council),
        "updated_datetime": w3c(record.updated_at, council),
        "expected_datetime": w3c(record.expected_at, council),
        "address": record.street,
        "address_id": None,
        "zipcode": None,
        "lat": record.latitude,
        "long": record.longitude,
        "media_url": media_url,
    }


def created_item(reference: str, notice: str) -> dict[str, Any]:
    return {"service_request_id": reference, "service_notice": notice, "account_id": None}


def discovery(*, url: str, contact: str, key_service: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def form_errors(errors: Mapping[str, Iterable[Any]]) -> list[str]:
    """Return one description per invalid field: "lat: Enter a number."."""
    return [f"{field}: {message}" for field, messages in errors.items() for message in messages]
