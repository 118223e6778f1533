"""The one distance: point to point on the geoparser's path, arrays for the map, both the
reference scorer's haversine, and both agreeing with geopy's great circle."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle

from conflictmap.distance import EARTH_RADIUS_KM, km, km_grid

PLACES = {"Baghdad": (33.3406, 44.4009), "Mosul": (36.335, 43.1189), "Washington": (38.8951, -77.0364),
          "Wellington": (-41.2866, 174.7756), "Suva": (-18.1416, 178.4415)}


@pytest.mark.parametrize("a,b", [("Baghdad", "Mosul"), ("Baghdad", "Washington"), ("Suva", "Wellington"), ("Mosul", "Mosul")])
def test_km_is_geopy_s_great_circle_on_the_scorer_s_radius(a, b):
    expected = great_circle(PLACES[a], PLACES[b], radius=EARTH_RADIUS_KM).km
    assert km(*PLACES[a], *PLACES[b]) == pytest.approx(expected, abs=1e-6)


def test_km_grid_holds_every_pair_in_rows_and_columns():
    names = list(PLACES)
    lats, lons = [PLACES[n][0] for n in names], [PLACES[n][1] for n in names]
    grid = km_grid(lats[:2], lons[:2], lats, lons)
    assert grid.shape == (2, len(names))
    for i in range(2):
        for j, n in enumerate(names):
            assert grid[i, j] == pytest.approx(km(*PLACES[names[i]], *PLACES[n]), abs=1e-6)
    assert grid[0, 1] == pytest.approx(grid[1, 0]) and 350 < grid[0, 1] < 400  # Baghdad-Mosul, about 360 km
