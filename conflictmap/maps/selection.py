"""From a click on the map back to the places under it.

A click means the marker under the mouse, as the reader saw it: measured in screen
pixels at the zoom of the click, not in kilometres and not by searching names. So
we project the click and every drawn point marker with Web Mercator (the
projection Leaflet draws with) at that zoom, keep the markers whose circle holds
the click, and take the nearest centre. Markers whose centres are about as near
(within `TIE_PX`) are handed back too, for a short "also here" chooser.

Areas (countries, provinces, regions) lie under the points: a click that hits no
point marker falls back to the clicked shape's tooltip (`place_at`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from conflictmap.distance import km_grid
from conflictmap.maps.scale import make_scale
from conflictmap.maps.style import MAX_PLACES, POINT_KINDS, draw_order, drawn_places, style_for, tooltip_text, validated_places

__all__ = ["Hit", "TIE_PX", "place_at", "places_under", "screen_xy"]

#: Two markers whose centres are this close (in px) to a click are equally "under" it.
TIE_PX = 2.0
#: A click this far (px) outside a small circle still counts: fingers and trackpads are not exact.
SLACK_PX = 3.0
#: At most this many places in the chooser.
MAX_CHOICES = 6


@dataclass(frozen=True)
class Hit:
    """What a click selects: the place, and the others drawn about as near."""

    place: int
    nearby: tuple[int, ...] = ()


def screen_xy(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Leaflet's world pixel coordinates (EPSG:3857, 256-px tiles) of a point at a zoom."""
    scale = 256.0 * 2.0**zoom
    lat = max(-85.0511, min(85.0511, float(lat)))
    x = (float(lon) + 180.0) / 360.0 * scale
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * scale
    return x, y


def places_under(
    places: pd.DataFrame,
    click: Mapping[str, Any] | None,
    zoom: float | None,
    *,
    tooltip: str | None = None,
    presenter: bool = False,
    colour_by: str = "recency",
    window: tuple[date, date] | None = None,
    selected: int | None = None,
    max_places: int | None = MAX_PLACES,
) -> Hit | None:
    """The place a click at `click` ({"lat", "lng"}) at `zoom` opens, or None.

    Pass the same frame and options the map was built with, so the markers
    measured here are the ones drawn (their radius comes from `style_for`).
    """
    if not click or zoom is None or places is None or len(places) == 0:
        return None
    lat, lng = click.get("lat"), click.get("lng")
    if lat is None or lng is None:
        return None
    frame = validated_places(places)
    scale = make_scale(frame, colour_by=colour_by, window=window)
    drawn = drawn_places(frame, selected=selected, max_places=max_places)
    points = drawn[drawn["kind"].astype(str).isin(POINT_KINDS)]
    cx, cy = screen_xy(float(lat), float(lng), float(zoom))
    world = 256.0 * 2.0 ** float(zoom)
    hits: list[tuple[float, int, int]] = []
    # in draw order, so among equal distances the marker drawn on top (later) wins
    for order, row in enumerate(draw_order(points).to_dict("records")):
        x, y = screen_xy(float(row["lat"]), float(row["lon"]), float(zoom))
        dx = abs(x - cx)
        dx = min(dx, world - dx)  # the map repeats sideways (worldCopyJump)
        dist = math.hypot(dx, y - cy)
        if dist <= float(style_for(row, scale=scale, presenter=presenter)["radius"]) + SLACK_PX:
            hits.append((dist, -order, int(row["place_id"])))
    if hits:
        hits.sort()
        best = hits[0][0]
        near = tuple(pid for dist, _o, pid in hits[1:] if dist - best < TIE_PX)[: MAX_CHOICES - 1]
        return Hit(hits[0][2], near)
    areas = drawn[~drawn["kind"].astype(str).isin(POINT_KINDS)]
    if tooltip and len(areas):
        pid = place_at(areas, float(lat), float(lng), tooltip=tooltip, tolerance_km=0.0)
        if pid is not None:
            return Hit(int(pid))
    return None


def place_at(
    places: pd.DataFrame,
    lat: float | None,
    lng: float | None,
    *,
    tooltip: str | None = None,
    tolerance_km: float = 1.0,
) -> int | None:
    """The place_id a map click refers to, or None.

    Pass streamlit-folium's `last_object_clicked` lat/lng and, whenever you
    have it, `last_object_clicked_tooltip`:

    1. If `tooltip` equals some place's `tooltip_text`, only those places are
       candidates (this is what makes clicks on large circles and on country
       outlines exact: Leaflet reports the marker's own centre only for
       circles of radius <= 10 px, otherwise the mouse position).
    2. A candidate whose coordinates equal (lat, lng) to 6 decimals wins;
       if several share a point, the one drawn on top (fewest mentions).
    3. Otherwise, with a matching tooltip, the nearest candidate wins; with
       none, the nearest place within `tolerance_km`, else None.

    A stale tooltip (streamlit-folium keeps the last one when the clicked
    object has none, e.g. a cluster bubble) only ever selects the place that
    was already selected.
    """
    if lat is None or lng is None or places is None or len(places) == 0:
        return None
    frame = places[places["lat"].notna() & places["lon"].notna()]
    if frame.empty:
        return None
    candidates = frame
    matched_tooltip = False
    if tooltip:
        wanted = " ".join(str(tooltip).split())
        labels = frame.apply(lambda r: " ".join(tooltip_text(r).split()), axis=1)
        by_label = frame[labels == wanted]
        if not by_label.empty:
            candidates, matched_tooltip = by_label, True

    exact = candidates[
        ((candidates["lat"].astype(float) - float(lat)).abs() < 5e-7)
        & ((candidates["lon"].astype(float) - float(lng)).abs() < 5e-7)
    ]
    if not exact.empty:
        return int(draw_order(exact).iloc[-1]["place_id"])

    dist = pd.Series(km_grid([float(lat)], [float(lng)], candidates["lat"].astype(float), candidates["lon"].astype(float))[0],
                     index=candidates.index)
    best = dist.idxmin()
    if matched_tooltip or float(dist.loc[best]) <= tolerance_km:
        return int(candidates.loc[best, "place_id"])
    return None
