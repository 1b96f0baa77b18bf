"""Reads of the public record. Every public output starts from :func:`public_records`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Avg, Q, QuerySet
from django.utils import timezone

from ventanilla.cases.models import Category, Department
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council
from ventanilla.portal.models import PublicEvent, PublicPhoto, PublicRecord, PublicRecordQuerySet
from ventanilla.streets.models import Street

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


#: metres in a degree of latitude (and of longitude at the equator)
METRES_PER_DEGREE = 111_320.0


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance between two points, in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def nearby_duplicates(
    council: Council,
    *,
    category: Category,
    latitude: float,
    longitude: float,
    limit: int = 5,
) -> list[PublicRecord]:
    """Return open public records of ``category`` near a point and recent, nearest first.

    Near is ``PORTAL_DUPLICATE_METRES`` from the point; the public points are snapped to a
    grid of ``PUBLIC_GRID_METRES``, so half a cell's diagonal is added to the distance
    allowed. Recent is reported within ``PORTAL_DUPLICATE_DAYS``.
    """
    reach = settings.PORTAL_DUPLICATE_METRES + settings.PUBLIC_GRID_METRES * math.sqrt(2) / 2
    dlat = reach / METRES_PER_DEGREE
    dlon = reach / (METRES_PER_DEGREE * max(math.cos(math.radians(latitude)), 0.01))
    since = timezone.now() - dt.timedelta(days=settings.PORTAL_DUPLICATE_DAYS)
    candidates = (
        public_records(council)
        .open()
        .filter(
            category=category,
            requested_at__gte=since,
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )[:200]
    )
    near = [
        (distance_metres(latitude, longitude, r.latitude, r.longitude), r)
        for r in candidates
        if r.latitude is not None and r.longitude is not None
    ]
    near = [(d, r) for d, r in near if d <= reach]
    near.sort(key=lambda pair: (pair[0], -pair[1].support_count))
    return [record for _distance, record in near[:limit]]


def map_centre(council: Council) -> tuple[float, float] | None:
    """Return where a map of ``council`` should open: the middle of its public cases, else
    of its street directory; None when neither has a point."""
    for rows in (
        public_records(council).filter(latitude__isnull=False, longitude__isnull=False),
        Street.objects.of(council),
    ):
        middle = rows.aggregate(latitude=Avg("latitude"), longitude=Avg("longitude"))
        if middle["latitude"] is not None and middle["longitude"] is not None:
            return float(middle["latitude"]), float(middle["longitude"])
    return None
