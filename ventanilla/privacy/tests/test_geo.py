import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.privacy.geo import cell, distance_metres, snap

latitudes = st.floats(min_value=-90, max_value=90)
longitudes = st.floats(min_value=-180, max_value=180)
grids = st.floats(min_value=10, max_value=5_000)
fractions = st.floats(min_value=0.001, max_value=0.999)
# Points crowded where grids are hardest: the poles and the antimeridian.
edge_latitudes = st.one_of(
    st.floats(min_value=89.99, max_value=90), st.floats(min_value=-90, max_value=-89.99)
)
edge_longitudes = st.one_of(
    st.floats(min_value=179.99, max_value=180), st.floats(min_value=-180, max_value=-179.99)
)


@given(
    latitude=st.one_of(latitudes, edge_latitudes),
    longitude=st.one_of(longitudes, edge_longitudes),
    grid=grids,
    u=fractions,
    v=fractions,
)
def test_every_point_of_a_cell_snaps_to_the_same_place(latitude, longitude, grid, u, v):
    bounds = cell(latitude, longitude, grid_metres=grid)
    inside = (
        bounds.south + u * (bounds.north - bounds.south),
        bounds.west + v * (bounds.east - bounds.west),
    )

    assert snap(*inside, grid_metres=grid) == snap(latitude, longitude, grid_metres=grid)


@given(
    latitude=st.one_of(latitudes, edge_latitudes),
    longitude=st.one_of(longitudes, edge_longitudes),
    grid=grids,
)
def test_snapped_point_is_within_three_quarters_of_the_grid(latitude, longitude, grid):
    snapped = snap(latitude, longitude, grid_metres=grid)

    assert distance_metres((latitude, longitude), snapped) <= grid * 0.75


@given(latitude=latitudes, longitude=longitudes)
def test_snapped_point_is_a_valid_coordinate_rounded_to_six_decimals(latitude, longitude):
    snapped_latitude, snapped_longitude = snap(latitude, longitude)

    assert -90 <= snapped_latitude <= 90
    assert -180 <= snapped_longitude <= 180
    assert snapped_latitude == round(snapped_latitude, 6)
    assert snapped_longitude == round(snapped_longitude, 6)


@given(latitude=latitudes, longitude=longitudes)
def test_snapping_is_stable(latitude, longitude):
    snapped = snap(latitude, longitude)

    assert snap(latitude, longitude) == snapped
    # The centre lies in its own cell (6-decimal rounding is ~0.1 m, far from a border).
    assert snap(*snapped) == snapped


def test_neighbouring_doors_share_a_point_and_distant_ones_do_not():
    # Two doors 10 m apart on the Rambla in Barcelona, and one 300 m away.
    door = (41.380500, 2.173500)
    neighbour = (41.380500, 2.173620)
    far = (41.383200, 2.173500)
    bounds = cell(*door)
    # Move the neighbour into the same cell if the 10 m step crossed a border.
    if not bounds.west <= neighbour[1] < bounds.east:
        neighbour = (door[0], door[1] - 0.00012)

    assert snap(*door) == snap(*neighbour)
    assert snap(*door) != snap(*far)
    assert snap(*door) != door


@pytest.mark.parametrize("latitude", [90, -90, 89.9999999, -89.9999999])
@pytest.mark.parametrize("longitude", [0, 180, -180, 179.9999999, -179.9999999, 45])
def test_poles_and_antimeridian_do_not_crash(latitude, longitude):
    snapped = snap(latitude, longitude)

    assert distance_metres((latitude, longitude), snapped) <= 50 * 0.75


def test_antimeridian_is_one_cell_whichever_sign_is_used():
    assert snap(10, 180) == snap(10, -180)
    assert snap(10, 540) == snap(10, 180)
    assert snap(-33.0, 190) == snap(-33.0, -170)


def test_cells_are_about_the_grid_size():
    bounds = cell(40.4168, -3.7038, grid_metres=50)  # Puerta del Sol, Madrid
    height = distance_metres((bounds.south, bounds.west), (bounds.north, bounds.west))
    width = distance_metres(
        ((bounds.south + bounds.north) / 2, bounds.west),
        ((bounds.south + bounds.north) / 2, bounds.east),
    )

    assert 45 <= height <= 50
    assert 45 <= width <= 50


def test_larger_grid_blurs_more():
    point = (40.4168, -3.7038)

    assert distance_metres(point, snap(*point, grid_metres=500)) > 0
    assert snap(*point, grid_metres=500) != snap(*point, grid_metres=50)


@pytest.mark.parametrize(
    ("latitude", "longitude", "grid"),
    [
        (91, 0, 50),
        (-90.5, 0, 50),
        (math.nan, 0, 50),
        (0, math.inf, 50),
        (0, 0, 0),
        (0, 0, -5),
        (0, 0, 0.5),
        (0, 0, math.nan),
    ],
)
def test_invalid_input_is_refused(latitude, longitude, grid):
    with pytest.raises(ValueError):
        snap(latitude, longitude, grid_metres=grid)


def test_distance_metres_matches_a_known_distance():
    # Madrid (Puerta del Sol) to Barcelona (Plaça de Catalunya): about 505 km.
    assert distance_metres((40.4168, -3.7038), (41.3870, 2.1700)) == pytest.approx(
        505_000, rel=0.01
    )
