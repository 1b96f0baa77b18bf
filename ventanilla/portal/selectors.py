"""Reads of the public record. Every public output starts from :func:`public_records`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from ventanilla.cases.models import Category, Department
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council
from ventanilla.portal.models import PublicEvent, PublicPhoto, PublicRecord, PublicRecordQuerySet

#: the public statuses, as Open311 names them
OPEN = "open"
CLOSED = "closed"


@dataclass(frozen=True)
class BoundingBox:
    west: float
    south: float
    east: float
    north: float

    @classmethod
    def parse(cls, text: str) -> BoundingBox | None:
        """Return the box of "west,south,east,north" (degrees), or None if it is not one."""
        try:
            west, south, east, north = (float(part) for part in text.split(","))
        except (TypeError, ValueError):
            return None
        if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
            return None
        return cls(west=west, south=south, east=east, north=north)

    def as_q(self) -> Q:
        latitude = Q(latitude__gte=self.south, latitude__lte=self.north)
        if self.west <= self.east:
            return latitude & Q(longitude__gte=self.west, longitude__lte=self.east)
        # A box across the antimeridian.
        return latitude & (Q(longitude__gte=self.west) | Q(longitude__lte=self.east))


@dataclass(frozen=True)
class RecordFilters:
    """What a reader asked for in the list, the map or a download. Empty means all."""

    category: str = ""
    department: int | None = None
    status: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    area: str = ""
    text: str = ""
    bbox: BoundingBox | None = None
    order: str = "recent"


def public_records(council: Council) -> PublicRecordQuerySet:
    """Return the records of ``council`` that anyone may see, ready to list."""
    return PublicRecord.objects.of(council).visible().select_related("category", "department")


def filter_records(
    records: QuerySet[PublicRecord], filters: RecordFilters
) -> QuerySet[PublicRecord]:
    """Return ``records`` narrowed by ``filters`` and in the order asked for."""
    if filters.category:
        records = records.filter(category__code=filters.category)
    if filters.department:
        records = records.filter(department_id=filters.department)
    if filters.status == OPEN:
        records = records.filter(status__in=OPEN_STATUSES)
    elif filters.status == CLOSED:
        records = records.exclude(status__in=OPEN_STATUSES)
    elif filters.status:
        records = records.filter(status=filters.status)
    if filters.start:
        records = records.filter(requested_at__gte=filters.start)
    if filters.end:
        records = records.filter(requested_at__lt=filters.end)
    if filters.area:
        records = records.filter(street__icontains=filters.area)
    if filters.text:
        records = records.filter(
            Q(summary__icontains=filters.text)
            | Q(street__icontains=filters.text)
            | Q(reference=filters.text.strip())
        )
    if filters.bbox:
        records = records.filter(filters.bbox.as_q())
    if filters.order == "supports":
        return records.order_by("-support_count", "-requested_at", "-id")
    return records.order_by("-requested_at", "-id")


def find_record(council: Council, reference: str) -> PublicRecord | None:
    """Return the visible record with ``reference``, or None."""
    return public_records(council).filter(reference=reference).first()


def most_supported_open(council: Council, *, limit: int = 10) -> list[PublicRecord]:
    """Return the open records with most supports (at least one), most supported first."""
    return list(
        public_records(council)
        .open()
        .filter(support_count__gt=0)
        .order_by("-support_count", "requested_at", "id")[:limit]
    )


def history(record: PublicRecord) -> list[PublicEvent]:
    return list(record.events.select_related("department"))


def photos(record: PublicRecord) -> list[PublicPhoto]:
    return list(record.photos.all())


def photo_of(council: Council, reference: str, photo_id: int) -> PublicPhoto | None:
    """Return a published photo of a visible record, or None."""
    return (
        PublicPhoto.objects.filter(
            pk=photo_id, record__in=public_records(council).filter(reference=reference)
        )
        .select_related("record")
        .first()
    )


def public_categories(council: Council) -> QuerySet[Category]:
    """Return the categories whose cases are public (active or not), by name."""
    return Category.objects.of(council).filter(public_by_default=True).select_related("department")


def public_departments(council: Council) -> QuerySet[Department]:
    """Return the departments that handle at least one public category."""
    return Department.objects.filter(council=council, categories__public_by_default=True).distinct()
