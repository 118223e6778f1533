"""The one great-circle distance: recognition, resolution, evaluation and the map's first view.

Haversine on the mean Earth radius, the formula and radius of the reference scorer
(`../shared/eval/score.py`), so a pin we call "within 161 km" is one the scorer counts.
It is written out here rather than taken from `geopy.distance.great_circle` because it
sits on the resolver's hot path (every candidate against its neighbours): measured on
the project machine, geopy's `great_circle(a, b).km` costs about 9× as much a pair (it builds two
`Point`s and a `Distance` each time; `scripts/bench_distance.py`, docs/benchmarks.md), with the same result to a
millimetre. geopy stays the reference for anything off the hot path.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def between(a, b) -> float:
    """Distance between two objects with `lat` and `lon` (gazetteer places)."""
    return km(a.lat, a.lon, b.lat, b.lon)


def km_grid(lat_a, lon_a, lat_b, lon_b):
    """Distances between every point a (rows) and every point b (columns), as a numpy array.

    The same formula and radius as `km`, over arrays: the map's first view weighs up to
    2,000 places against each other, which one call does in milliseconds.
    """
    import numpy as np  # only the map needs arrays; the geoparser's hot path stays on math

    p1, p2 = np.radians(np.asarray(lat_a, dtype=float))[:, None], np.radians(np.asarray(lat_b, dtype=float))[None, :]
    dl = np.radians(np.asarray(lon_b, dtype=float))[None, :] - np.radians(np.asarray(lon_a, dtype=float))[:, None]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
