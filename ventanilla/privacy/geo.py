"""Blur a reported location so that a published case never pinpoints a resident's door.

The globe is cut into bands of equal height from pole to pole, and each band into cells
of equal width; a point is published as the centre of its cell. Each band has as many
cells as its widest parallel needs, so no cell is wider or taller than ``grid_metres``
and every point lies within about ``grid_metres * 0.71`` (half the diagonal) of its
published centre. The
cells of a band divide 360° exactly, so the antimeridian is an ordinary cell border, and
the bands at the poles are wedges around the pole, still no wider than the grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Cell", "cell", "distance_metres", "snap"]

# Mean Earth radius (IUGG), the one the haversine formula assumes.
EARTH_RADIUS_METRES = 6_371_008.8
# Below a metre the grid is no blur at all and float rounding starts to decide the cell.
MIN_GRID_METRES = 1.0


@dataclass(frozen=True)
class Cell:
    """A grid cell, bounded by two parallels and two meridians, in degrees."""

    south: float
    north: float
    west: float
    east: float

    @property
    def centre(self) -> tuple[float, float]:
        """Return the (latitude, longitude) of the middle of the cell."""
        return (self.south + self.north) / 2, (self.west + self.east) / 2


def cell(latitude: float, longitude: float, *, grid_metres: float = 50) -> Cell:
    """Return the cell of a grid of about grid_metres that holds the point.

    Raise ValueError for a latitude outside [-90, 90], a coordinate that is not a
    finite number, or a grid smaller than a metre. Any finite longitude is accepted and
    wrapped around, so 190 is -170.
    """
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("coordinates must be finite numbers")
    if not -90 <= latitude <= 90:
        raise ValueError(f"latitude {latitude} is outside [-90, 90]")
    if not (math.isfinite(grid_metres) and grid_metres >= MIN_GRID_METRES):
        raise ValueError(f"grid_metres must be at least {MIN_GRID_METRES}")

    # ceil, not round: a band is never taller than the grid.
    bands = max(1, math.ceil(math.pi * EARTH_RADIUS_METRES / grid_metres))
    band_height = 180 / bands
    row = min(int((latitude + 90) // band_height), bands - 1)
    south = -90 + row * band_height
    north = 90.0 if row == bands - 1 else south + band_height

    # Size the cells on the band's widest parallel, the one nearest the equator.
    widest = 0.0 if south <= 0 <= north else min(abs(south), abs(north))
    circumference = 2 * math.pi * EARTH_RADIUS_METRES * math.cos(math.radians(widest))
    columns = max(1, math.ceil(circumference / grid_metres))
    width = 360 / columns
    wrapped = (longitude + 180) % 360
    column = min(int(wrapped // width), columns - 1)
    west = -180 + column * width
    east = 180.0 if column == columns - 1 else west + width
    return Cell(south=south, north=north, west=west, east=east)


def snap(latitude: float, longitude: float, *, grid_metres: float = 50) -> tuple[float, float]:
    """Return the centre of the point's grid cell, rounded to 6 decimals.

    Every point of a cell gives the same answer, so a published location says which
    block a report is about but not which door.
    """
    centre_latitude, centre_longitude = cell(latitude, longitude, grid_metres=grid_metres).centre
    return round(centre_latitude, 6), round(centre_longitude, 6)


def distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))
