"""Turn a frame of places into a folium map.

`build_map` is pure: a DataFrame (one row per place in view) and options in,
a `folium.Map` out; nothing is read from disk or the network. Layers, top to
bottom of the layer tree:

* basemap: country outlines drawn from `outlines` ("offline", no tiles) or a
  tile layer ("online"); never in the layer control. It sits in its own pane
  below everything else;
* "Countries & regions": places that are whole areas (country, admin1,
  region, continent) - a shaded outline where `outlines` has the country,
  otherwise a large dashed circle;
* "Places": the point places (city, landmark, admin2) as ONE GeoJson layer
  of Point features drawn as circle markers, clustered when there are more
  than `CLUSTER_THRESHOLD`; the selected place is drawn on its own, on top;
* "Heat (mentions)": an optional HeatMap weighted by mentions (heat=True);
* LayerControl, added last.

Size: each place is one small GeoJSON feature (`place_id` and the escaped
tooltip `label`) plus its style, looked up by `place_id` through a
`style_function`, so a map of 2,000 places is a few hundred kB rather than a
Jinja-rendered CircleMarker (1-2 kB) per place. At most `max_places` places
are drawn, the most mentioned first; the legend says how many are in view
when that cuts any off, and the heat layer still counts all of them.

The outline geometry is only embedded here; `conflictmap.assets.local_assets`
swaps it for the copy Streamlit serves (see there and docs/offline-map.md)
and `standalone_html` keeps it inline. Layers built from `outlines` carry an
`maps.layers.OutlineLayer` (role "basemap" or "countries", and the outlines
they came from), which is how `local_assets` finds them.

Colour encodes recency (or country), circle *area* encodes the number of
mentions, and the tooltip spells the number out, so no meaning rests on
colour alone. The legend says all of this in words.

Every string that came from an article or a gazetteer goes through
`safe_text` (html.escape plus the characters that matter inside folium's JS
template literals) before it reaches a tooltip or the legend.

Click mapping: streamlit-folium reports `last_object_clicked` (lat/lng) and
`last_object_clicked_tooltip` (the tooltip's text). `place_at` turns those
back into exactly one place_id; see its docstring. Every drawn shape also
carries its id in its Leaflet options (`placeId`) and in its CSS class
(`cm-place-<id>`, next to `cm-place`, `cm-area` or `cm-outline`), for tests
and for anyone reading the page.
"""

from __future__ import annotations

from datetime import date

import folium
import numpy as np
import pandas as pd
from branca.element import Element

from conflictmap.distance import km_grid
from conflictmap.errors import MapDataError
from conflictmap.maps.extras import MapExtras
from conflictmap.maps.layers import add_areas, add_basemap, add_heat, add_points
from conflictmap.maps.legend import LEGEND_ROOM, legend_corner, legend_html
from conflictmap.maps.scale import as_date, make_scale
from conflictmap.maps.style import AREA_KINDS, MAX_PLACES, POINT_KINDS, drawn_places, is_uncertain, validated_places

__all__ = ["MapDataError", "build_map", "focus_bounds"]


#: the first view holds at least this share of the mentions of towns and landmarks ...
FOCUS_SHARE = 0.75
#: ... but stops growing once more than this share is inside when the next place is far beyond the ones inside
FOCUS_MIN_SHARE = 0.5
#: how far around a place its neighbours count toward where the story is densest
DENSITY_KM = 300.0
def focus_bounds(places: pd.DataFrame, share: float = FOCUS_SHARE) -> list[list[float]]:
    """Bounds around where the mentions are, not around every outlier.

    A story about Iraq that names Washington, the Pentagon and London should open on
    Iraq: the box grows from the place where mentions are densest (most mentions within
    `DENSITY_KM`), nearest places first, until it holds `share` of the mentions, or
    stops sooner (past `FOCUS_MIN_SHARE`) where the next place is much farther than
    the ones already inside. Far places stay on the map, a zoom-out away.
    Towns and landmarks decide it when there are any: a country's centre says
    little about where its story is.
    """
    frame = places[places["lat"].notna() & places["lon"].notna()]
    local = frame[frame["kind"].astype(str).isin(POINT_KINDS)]
    if len(local):
        frame = local
    frame = frame.sort_values("mentions", ascending=False, kind="stable").head(2000)
    lat = frame["lat"].to_numpy(dtype=float)
    lon = frame["lon"].to_numpy(dtype=float)
    weights = np.clip(frame["mentions"].to_numpy(dtype=float), 1.0, None)
    seeds = slice(0, 300)  # the densest place is among the most mentioned
    density = (km_grid(lat[seeds], lon[seeds], lat, lon) <= DENSITY_KM) @ weights
    seed = int(np.argmax(density))
    away = km_grid(lat[seed:seed + 1], lon[seed:seed + 1], lat, lon)[0]
    order = np.argsort(away, kind="stable")
    inside = np.cumsum(weights[order]) / weights.sum()
    count = len(order)
    for k in range(len(order)):
        if inside[k] >= share - 1e-9:
            count = k + 1
            break
        far_jump = k + 1 < len(order) and away[order[k + 1]] > 2 * away[order[k]] + 500.0
        if inside[k] > FOCUS_MIN_SHARE and far_jump:
            count = k + 1
            break
    chosen = order[:count]
    # longitudes relative to the seed, so a box across the date line stays small
    rel = (lon[chosen] - lon[seed] + 180.0) % 360.0 - 180.0
    lat_lo, lat_hi = float(lat[chosen].min()), float(lat[chosen].max())
    lon_lo, lon_hi = float(lon[seed] + rel.min()), float(lon[seed] + rel.max())
    # a margin of a quarter of the box (and at least a degree), so the edge places and
    # their surroundings are in view and the legend does not sit on them
    pad_lat = max(1.0, (lat_hi - lat_lo) / 4)
    pad_lon = max(1.0, (lon_hi - lon_lo) / 4)
    return [[max(-85.0, lat_lo - pad_lat), lon_lo - pad_lon], [min(85.0, lat_hi + pad_lat), lon_hi + pad_lon]]


def build_map(
    places: pd.DataFrame,
    *,
    presenter: bool = False,
    basemap: str = "offline",
    heat: bool = False,
    selected: int | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    colour_by: str = "recency",
    window: tuple[date, date] | None = None,
    outlines: dict | None = None,
    max_places: int | None = MAX_PLACES,
    labels: int = 0,
    shapes: dict[int, dict] | None = None,
    focus: pd.DataFrame | None = None,
) -> folium.Map:
    """Draw the places in view as a folium map (see the module docstring).

    `places` has one row per place: place_id, name, lat, lon, country_code,
    kind, mentions, articles, first_seen, last_seen. `outlines` is a GeoJSON
    FeatureCollection whose features carry `iso_a2` and `name`; it draws the
    offline basemap and the shaded country outlines. Without `center` and
    `zoom` the map fits the places. `max_places` bounds how many places are
    drawn (the most mentioned, plus the selected one; None for all); `shapes`
    gives areas their real shapes (GeoJSON features by gazetteer id, as
    `conflictmap.maps.areas.area_features` returns them); `focus` is the frame whose
    bulk the first view fits (default `places`: pass every date's places so that
    play, stepping the window, never re-frames the map); colour
    and size scales, the heat layer and the fitted view use every place.

    The result still points at folium's CDN URLs and embeds the outlines;
    pass it through `conflictmap.assets.local_assets` (or `standalone_html`)
    before showing it.
    """
    if basemap not in {"offline", "online"}:
        raise MapDataError(f"basemap={basemap!r} is not known; use 'offline' or 'online'")
    if max_places is not None and max_places < 1:
        raise MapDataError(f"max_places={max_places!r} must be a positive number or None")
    frame = validated_places(places)
    scale = make_scale(frame, colour_by=colour_by, window=window)
    is_point = frame["kind"].astype(str).isin(POINT_KINDS)
    all_points = frame[is_point]

    drawn = drawn_places(frame, selected=selected, max_places=max_places)
    points = drawn[drawn["kind"].astype(str).isin(POINT_KINDS)]
    areas = drawn[drawn["kind"].astype(str).isin(AREA_KINDS)]

    fit = center is None and zoom is None
    if center is None:
        center = (
            (float(frame["lat"].mean()), float(frame["lon"].mean())) if len(frame) else (20.0, 0.0)
        )
    if zoom is None:
        zoom = 5 if len(frame) == 1 else 2
    m = folium.Map(
        location=[float(center[0]), float(center[1])],
        zoom_start=int(zoom),
        tiles=None,
        control_scale=True,
        font_size="1.3rem" if presenter else "0.9rem",
        world_copy_jump=True,
    )
    # Map-level zoom limits: with no tile layer nothing else sets them, and
    # MarkerCluster refuses to start ("Map has no maxZoom specified"), which
    # leaves streamlit-folium's frame blank.
    m.options["min_zoom"] = 1
    m.options["max_zoom"] = 18
    tiles = add_basemap(m, basemap, presenter, outlines)
    framed = validated_places(focus) if focus is not None and len(focus) else frame
    # the first view's box: fitted to when the map is not told where to be, and where the legend goes either way
    home = focus_bounds(framed) if len(framed) > 1 else None
    bounds = home if fit else None
    # no animation: the first view is where the map starts, and a fit still animating when the view
    # is reported (maps/extras.py, "cm-settled") reports the zoom it started from
    fit_options = {"paddingTopLeft": [30, 30], "paddingBottomRight": [30, LEGEND_ROOM[presenter]], "maxZoom": 8,
                   "animate": False}
    MapExtras(presenter=presenter, tiles=tiles, fit={"bounds": bounds, "options": fit_options} if bounds else None).add_to(m)
    if len(areas):
        add_areas(m, areas, scale=scale, presenter=presenter, selected=selected, outlines=outlines, shapes=shapes)
    if len(points):
        add_points(m, points, scale=scale, presenter=presenter, selected=selected, labels=labels)
    if heat and len(all_points):
        add_heat(m, all_points)
    if bounds:
        m.fit_bounds(bounds, padding_top_left=(30, 30), padding_bottom_right=(30, LEGEND_ROOM[presenter]), max_zoom=8)
    unknown_dates = scale.colour_by == "recency" and any(
        as_date(v) is None for v in drawn["last_seen"]
    )
    m.get_root().html.add_child(
        Element(
            legend_html(
                scale,
                presenter=presenter,
                window=window,
                has_points=bool(len(points)),
                has_areas=bool(len(areas)),
                heat=heat and bool(len(all_points)),
                unknown_dates=unknown_dates,
                shown=len(drawn),
                total=len(frame),
                uncertain=bool(len(points)) and any(is_uncertain(r) for r in points.to_dict("records")),
                corner=legend_corner(framed, home),
            )
        ),
        name="conflictmap_legend",
    )
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


