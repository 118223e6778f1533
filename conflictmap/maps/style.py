"""What one place looks like on the map, and which places are drawn.

Shared by the layers (drawing), the legend (explaining) and the click reader
(measuring what is under the mouse), so the three always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from conflictmap.errors import MapDataError
from conflictmap.filters import LOW_CONFIDENCE
from conflictmap.maps.scale import Scale

POINT_KINDS = frozenset({"city", "landmark", "admin2"})
AREA_KINDS = frozenset({"admin1", "region", "country", "continent", "sea", "river", "lake", "island"})
REQUIRED_COLUMNS = (
    "place_id",
    "name",
    "lat",
    "lon",
    "country_code",
    "kind",
    "mentions",
    "articles",
    "first_seen",
    "last_seen",
)

#: Above this many point places, markers go into a MarkerCluster.
CLUSTER_THRESHOLD = 150

#: `build_map` draws at most this many places by default (the most mentioned
#: first; the selected place always). Each costs ~200 bytes of page, so this
#: bounds the map at well under 1 MB whatever the size of the archive.
MAX_PLACES = 2000

#: Leaflet pane (name, z-index) for the basemap: above tiles (200), below the
#: overlay pane (400) where everything else is drawn, so the land stays
#: under the markers even when its geometry arrives later, by URL. Country
#: outlines need no pane: Leaflet creates their paths (empty until the
#: geometry arrives) in layer order, so they are under the points already.
BASEMAP_PANE = ("cm-basemap", 250)

# Radius (px) of a point marker for the least and the most mentioned place.
RADIUS = {False: (4.0, 22.0), True: (7.0, 34.0)}
# Dashed circle radius (metres) for an area with no outline to draw.
_AREA_RADIUS_M = {"continent": 1_800_000, "region": 700_000, "country": 350_000, "admin1": 120_000, "sea": 400_000,
                  "river": 150_000, "lake": 40_000, "island": 30_000}

BASEMAP = {
    # (sea, land, border, border weight)
    False: ("#dceaf3", "#f7f5ef", "#9b9b9b", 0.6),
    True: ("#0b2239", "#f4f1e6", "#1a1a1a", 1.2),
}
# Online tiles need no API key. Presenter: Esri's light grey canvas, which
# keeps coloured markers the loudest thing on screen (CartoDB's positron
# would do, but now requires a key).
# (provider, highest zoom it has tiles for; Leaflet scales them beyond)
TILES = {False: ("OpenStreetMap", 19), True: ("Esri.WorldGrayCanvas", 16)}




def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def tooltip_text(row: Mapping[str, Any]) -> str:
    """The plain text a place's tooltip shows, e.g. "Aleppo — 12 mentions".

    This is what streamlit-folium hands back as `last_object_clicked_tooltip`,
    so `place_at` compares against it.
    """
    name = str(row["name"])
    kind = str(row["kind"])
    label = name if kind in POINT_KINDS else f"{name} ({kind})"
    return f"{label} — {_plural(int(row['mentions']), 'mention')}"



#: areas drawn quietly (whole countries and continents): context for the story, not where it happened
_QUIET_KINDS = frozenset({"country", "continent"})


def is_backdrop(row: Mapping[str, Any]) -> bool:
    """A whole country, a continent, or a news region spanning several countries ("Middle East",
    "Levant"): drawn quietly. A region inside one country (Kurdistan Region) is drawn like a province."""
    kind = str(row["kind"])
    return kind in _QUIET_KINDS or (kind == "region" and not str(row.get("country_code") or "").strip())


def style_for(row: Mapping[str, Any], *, scale: Scale, presenter: bool = False) -> dict[str, Any]:
    """folium path options for one place.

    Point places get a CircleMarker radius in pixels; areas get a dashed
    outline, a radius in metres (used when no outline polygon is drawn) and
    a fill whose opacity grows with the mention count.
    """
    colour = scale.colour(row)
    w = scale.weight(int(row["mentions"]))
    stroke = "#1a1a1a" if not presenter else "#000000"
    if str(row["kind"]) in POINT_KINDS:
        r_min, r_max = RADIUS[presenter]
        return {
            "radius": round(max(r_min, r_max * w), 2),
            "color": stroke,
            "weight": 1.5 if presenter else 1.0,
            "opacity": 0.9,
            "fill": True,
            "fill_color": colour,
            "fill_opacity": 0.85,
        }
    if is_backdrop(row):
        # A whole country is the backdrop of a story, not its place: a thin solid edge and a faint
        # tint, so provinces, regions and towns read first (a presenter's USA or Russia would
        # otherwise be the loudest shape on screen). Selected, it is drawn as loud as any other.
        return {
            "radius": _AREA_RADIUS_M.get(str(row["kind"]), 300_000),
            "color": colour,
            "weight": 1.2 if presenter else 0.8,
            "opacity": 0.55,
            "dash_array": None,
            "fill": True,
            "fill_color": colour,
            "fill_opacity": round(0.02 + 0.06 * w, 3),
        }
    return {
        # a region inside one country (Kurdistan Region, Sinai) is province-sized, not continent-sized
        "radius": _AREA_RADIUS_M["admin1"] if str(row["kind"]) == "region" and row.get("country_code")
        else _AREA_RADIUS_M.get(str(row["kind"]), 300_000),
        "color": colour,
        "weight": 3.0 if presenter else 2.0,
        "opacity": 0.95,
        "dash_array": "8 6",
        "fill": True,
        "fill_color": colour,
        # light: an area is context, the towns on top of it are the story
        "fill_opacity": round(0.03 + 0.15 * w, 3),
    }


def selected_style(style: dict[str, Any], presenter: bool) -> dict[str, Any]:
    out = dict(style)
    out.update(color="#000000", weight=5.0 if presenter else 4.0, opacity=1.0, dash_array=None)
    return out


#: A place whose mentions are on average below `LOW_CONFIDENCE` is drawn as uncertain.
#: How an uncertain place looks: dashed outline, paler fill (the legend says so).
LOW_STYLE = {"dashArray": "3 3", "fillOpacity": 0.35, "weight": 2.0}


def is_uncertain(row: Mapping[str, Any], threshold: float = LOW_CONFIDENCE) -> bool:
    """True when the geoparser was unsure where this place is (mean confidence of its mentions)."""
    value = row.get("confidence")
    try:
        return value is not None and not pd.isna(value) and float(value) < threshold
    except (TypeError, ValueError):
        return False



def validated_places(places: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(places, pd.DataFrame):
        raise MapDataError(f"places must be a pandas DataFrame, not {type(places).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in places.columns]
    if missing:
        raise MapDataError(
            f"places is missing column(s) {', '.join(missing)}; "
            f"build_map needs {', '.join(REQUIRED_COLUMNS)}"
        )
    kinds = set(places["kind"].dropna().astype(str)) - POINT_KINDS - AREA_KINDS
    if kinds:
        raise MapDataError(
            f"unknown place kind(s) {sorted(kinds)}; use one of "
            f"{sorted(POINT_KINDS | AREA_KINDS)}"
        )
    frame = places.copy()
    frame["mentions"] = pd.to_numeric(frame["mentions"], errors="coerce").fillna(0).astype(int)
    # A place with no coordinates cannot be drawn; it still counts elsewhere.
    return frame[frame["lat"].notna() & frame["lon"].notna()]


def draw_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Big circles first so small ones stay on top and clickable."""
    return frame.sort_values(["mentions", "place_id"], ascending=[False, True], kind="stable")


def drawn_places(frame: pd.DataFrame, *, selected: int | None = None, max_places: int | None = MAX_PLACES) -> pd.DataFrame:
    """The places `build_map` draws: the `max_places` most mentioned, plus the selected one."""
    if max_places is None or len(frame) <= max_places:
        return frame
    ranked = draw_order(frame)
    keep = ranked.head(max_places)
    if selected is not None and not (keep["place_id"] == selected).any():
        keep = pd.concat([keep, ranked[ranked["place_id"] == selected]])
    return keep


