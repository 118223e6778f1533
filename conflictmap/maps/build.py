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
attribute `conflictmap_outlines = (role, outlines)`, role "basemap" or
"countries", which is how `local_assets` finds them.

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

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import folium
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template
from folium.map import CustomPane
from folium.plugins import HeatMap, MarkerCluster
from folium.utilities import JsCode

from conflictmap.errors import ConflictMapError, MapDataError

__all__ = [
    "AREA_KINDS",
    "CLUSTER_THRESHOLD",
    "MAX_PLACES",
    "MapDataError",
    "POINT_KINDS",
    "Scale",
    "build_map",
    "make_scale",
    "place_at",
    "safe_text",
    "style_for",
    "tooltip_text",
]

POINT_KINDS = frozenset({"city", "landmark", "admin2"})
AREA_KINDS = frozenset({"admin1", "region", "country", "continent"})
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
_BASEMAP_PANE = ("cm-basemap", 250)

# Viridis, sampled at 0, .25, .5, .75, 1 (dark purple -> yellow). We run it
# backwards for recency, so the newest mentions are the darkest and stand out
# against light land; every marker also gets a dark outline so the pale old
# end stays visible.
_VIRIDIS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
# Okabe & Ito's palette for colour-vision deficiency, black last.
_OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
_OTHER_COLOUR = "#999999"
_UNKNOWN_DATE_COLOUR = "#bdbdbd"

# Radius (px) of a point marker for the least and the most mentioned place.
_RADIUS = {False: (4.0, 22.0), True: (7.0, 34.0)}
# Dashed circle radius (metres) for an area with no outline to draw.
_AREA_RADIUS_M = {"continent": 1_800_000, "region": 700_000, "country": 350_000, "admin1": 120_000}

_BASEMAP = {
    # (sea, land, border, border weight)
    False: ("#dceaf3", "#f7f5ef", "#9b9b9b", 0.6),
    True: ("#0b2239", "#f4f1e6", "#1a1a1a", 1.2),
}
# Online tiles need no API key. Presenter: Esri's light grey canvas, which
# keeps coloured markers the loudest thing on screen (CartoDB's positron
# would do, but now requires a key).
# (provider, highest zoom it has tiles for; Leaflet scales them beyond)
_TILES = {False: ("OpenStreetMap", 19), True: ("Esri.WorldGrayCanvas", 16)}



# --------------------------------------------------------------------------- text


def safe_text(text: Any) -> str:
    """HTML-escape untrusted text, also for use inside a JS template literal.

    folium puts Tooltip text between backticks in the page's script, so
    besides `<>&"'` a backtick, a `${` or a backslash would break out of it.
    They become HTML entities, which the tooltip shows as the original
    characters.
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


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


# --------------------------------------------------------------------------- scale


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _hex_to_rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def _ramp(stops: tuple[str, ...], t: float) -> str:
    """Linear interpolation between evenly spaced colour stops, t in [0, 1]."""
    t = min(1.0, max(0.0, t))
    pos = t * (len(stops) - 1)
    i = min(int(pos), len(stops) - 2)
    frac = pos - i
    a, b = _hex_to_rgb(stops[i]), _hex_to_rgb(stops[i + 1])
    r, g, bl = (round(x + (y - x) * frac) for x, y in zip(a, b))
    return f"#{r:02x}{g:02x}{bl:02x}"


def recency_colour(t: float) -> str:
    """Colour for a recency in [0 = oldest, 1 = newest]."""
    return _ramp(_VIRIDIS[::-1], t)


@dataclass(frozen=True)
class Scale:
    """Everything `style_for` needs to know about the whole frame.

    `start`/`end` bound the recency ramp (the date window when given, else
    the frame's last_seen range); `country_colours` is the categorical key.
    """

    colour_by: str = "recency"
    max_mentions: int = 1
    start: date | None = None
    end: date | None = None
    country_colours: Mapping[str, str] = field(default_factory=dict)

    def colour(self, row: Mapping[str, Any]) -> str:
        if self.colour_by == "country":
            return self.country_colours.get(str(row["country_code"]), _OTHER_COLOUR)
        seen = _as_date(row["last_seen"])
        if seen is None:
            return _UNKNOWN_DATE_COLOUR
        if self.start is None or self.end is None or self.end <= self.start:
            return recency_colour(1.0)
        return recency_colour((seen - self.start).days / (self.end - self.start).days)

    def weight(self, mentions: int) -> float:
        """Share of the largest count, on a square-root scale (so area ~ count)."""
        return math.sqrt(max(0, mentions) / max(1, self.max_mentions))


def make_scale(
    places: pd.DataFrame,
    *,
    colour_by: str = "recency",
    window: tuple[date, date] | None = None,
) -> Scale:
    """Derive the colour and size scales from a frame of places."""
    if colour_by not in {"recency", "country"}:
        raise MapDataError(f"colour_by={colour_by!r} is not known; use 'recency' or 'country'")
    max_mentions = int(places["mentions"].max()) if len(places) else 1
    if window is not None:
        start, end = _as_date(window[0]), _as_date(window[1])
        if start is None or end is None or end < start:
            raise MapDataError(f"window {window!r} is not a (start, end) pair with start <= end")
    elif len(places):
        seen = [d for d in (_as_date(v) for v in places["last_seen"]) if d is not None]
        start, end = (min(seen), max(seen)) if seen else (None, None)
    else:
        start = end = None

    colours: dict[str, str] = {}
    if colour_by == "country" and len(places):
        totals = (
            places.assign(country_code=places["country_code"].fillna("").astype(str))
            .groupby("country_code")["mentions"]
            .sum()
            .reset_index()
            .sort_values(["mentions", "country_code"], ascending=[False, True])
        )
        codes = [c for c in totals["country_code"] if c]
        named = codes if len(codes) <= len(_OKABE_ITO) else codes[: len(_OKABE_ITO) - 1]
        colours = dict(zip(named, _OKABE_ITO))
    return Scale(
        colour_by=colour_by,
        max_mentions=max(1, max_mentions),
        start=start,
        end=end,
        country_colours=colours,
    )


# --------------------------------------------------------------------------- style


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
        r_min, r_max = _RADIUS[presenter]
        return {
            "radius": round(max(r_min, r_max * w), 2),
            "color": stroke,
            "weight": 1.5 if presenter else 1.0,
            "opacity": 0.9,
            "fill": True,
            "fill_color": colour,
            "fill_opacity": 0.85,
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


def _selected_style(style: dict[str, Any], presenter: bool) -> dict[str, Any]:
    out = dict(style)
    out.update(color="#000000", weight=5.0 if presenter else 4.0, opacity=1.0, dash_array=None)
    return out


# --------------------------------------------------------------------------- checks


def _validate(places: pd.DataFrame) -> pd.DataFrame:
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


def _draw_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Big circles first so small ones stay on top and clickable."""
    return frame.sort_values(["mentions", "place_id"], ascending=[False, True], kind="stable")


def drawn_places(frame: pd.DataFrame, *, selected: int | None = None, max_places: int | None = MAX_PLACES) -> pd.DataFrame:
    """The places `build_map` draws: the `max_places` most mentioned, plus the selected one."""
    if max_places is None or len(frame) <= max_places:
        return frame
    ranked = _draw_order(frame)
    keep = ranked.head(max_places)
    if selected is not None and not (keep["place_id"] == selected).any():
        keep = pd.concat([keep, ranked[ranked["place_id"] == selected]])
    return keep


# --------------------------------------------------------------------------- layers


def _tag_shapes(css_class: str, keyboard: bool = False) -> JsCode:
    """`onEachFeature` for our GeoJson layers: class, id and tooltip per shape.

    The class and `placeId` go into `defaultOptions` too, because Leaflet's
    `resetStyle` (after a highlight) restores the options from there and a
    path re-added to the map (layer control, cluster) is created anew from
    its options. Each shape gets its own tooltip holding the pre-escaped
    label; a feature with a `name` (the most mentioned places) keeps it on
    screen as a label instead.

    `keyboard`: point markers are focusable buttons; Enter (or Space) on one
    counts as a click on its centre, which is how the dashboard selects places.
    """
    keys = (
        "    layer.on('add', function () {\n"
        "        var el = layer.getElement && layer.getElement();\n"
        "        if (!el || el.getAttribute('tabindex')) { return; }\n"
        "        var words = document.createElement('span'); words.innerHTML = p.label;\n"
        "        el.setAttribute('tabindex', '0'); el.setAttribute('role', 'button');\n"
        "        el.setAttribute('aria-label', words.textContent);\n"
        "        el.addEventListener('keydown', function (e) {\n"
        "            if (e.key !== 'Enter' && e.key !== ' ') { return; }\n"
        "            e.preventDefault();\n"
        "            if (layer._map) { layer._map.fire('click', {latlng: layer.getLatLng(), originalEvent: e}); }\n"
        "        });\n"
        "    });\n"
    ) if keyboard else ""
    return JsCode(
        "function (feature, layer) {\n"
        "    var p = feature.properties;\n"
        f"    layer.options.className = layer.defaultOptions.className = '{css_class} cm-place-' + p.place_id"
        " + (p.low ? ' cm-low' : '');\n"
        "    layer.options.placeId = layer.defaultOptions.placeId = p.place_id;\n"
        "    if (p.name) { layer.bindTooltip(p.name, {permanent: true, direction: 'right', className: 'cm-label', offset: [4, 0]}); }\n"
        "    else { layer.bindTooltip(p.label, {sticky: true}); }\n"
        + keys +
        "}"
    )


def _point_feature(row: Mapping[str, Any]) -> dict[str, Any]:
    """One place as a GeoJSON Point; the label is escaped (Leaflet shows it as HTML)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
        "properties": {"place_id": int(row["place_id"]), "label": safe_text(tooltip_text(row))},
    }


def _by_place_id(styles: dict[int, dict[str, Any]]):
    return lambda feature: styles[int(feature["properties"]["place_id"])]


def _country_features(outlines: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not outlines:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for feature in outlines.get("features", []):
        props = feature.get("properties") or {}
        code = str(props.get("iso_a2") or "").upper()
        if code and feature.get("geometry") and code not in found:
            found[code] = feature
    return found


def _add_basemap(m: folium.Map, basemap: str, presenter: bool, outlines: Mapping[str, Any] | None) -> Element | None:
    """The land under the places; returns the tile layer for the online basemap.

    The online basemap keeps the offline land in reserve (its pane hidden):
    when tiles cannot load, `MapExtras` shows it and says why.
    """
    sea, land, border, border_weight = _BASEMAP[presenter]
    tiles = None
    if basemap == "online":
        provider, native = _TILES[presenter]
        tiles = folium.TileLayer(provider, name="Basemap", control=False, max_native_zoom=native, max_zoom=18)
        tiles.add_to(m)
    else:
        # Sea colour: the Leaflet container shows through wherever there is no land.
        m.get_root().header.add_child(
            Element(f"<style>#{m.get_name()} {{ background: {sea}; }}</style>"),
            name="conflictmap_sea",
        )
    if not outlines or not outlines.get("features"):
        return tiles
    land_only = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": f["geometry"]}
            for f in outlines["features"]
            if f.get("geometry")
        ],
    }
    CustomPane(_BASEMAP_PANE[0], z_index=_BASEMAP_PANE[1], pointer_events=False).add_to(m)
    # One style for all land, given as Leaflet's own `style` option rather
    # than a style_function: it then also applies to features added later
    # (when local_assets has the browser fetch the outlines by URL).
    layer = folium.GeoJson(
        land_only,
        name="Basemap",
        control=False,
        interactive=False,  # clicks on land must not count as clicks on a place
        pane=_BASEMAP_PANE[0],
        style={"fillColor": land, "fillOpacity": 1.0, "color": border, "weight": border_weight},
    )
    layer.conflictmap_outlines = ("basemap", outlines)
    layer.add_to(m)
    return tiles


#: Credit the data, as its licences ask (GeoNames: CC BY 4.0; Natural Earth: public domain, credit welcome).
ATTRIBUTION = ('Places: <a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a> (CC BY 4.0)'
               ' · Outlines: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener">Natural Earth</a>')


class MapExtras(MacroElement):
    """What every map of ours adds to Leaflet: the data credits, the look of labels and
    cluster bubbles, and (online basemap) a visible notice and the offline land when tiles fail."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-label {background: rgba(255,255,255,.88); border: 0; box-shadow: none; color: #111; padding: 0 4px;
                   font: 600 {{ this.label_px }}px/1.2 sans-serif; border-radius: 3px;}
        .cm-label:before {display: none;}
        .cm-cluster {background: rgba(40,40,40,.25);}
        .cm-cluster div {background: rgba(60,60,60,.85); color: #fff; font-weight: 700;}
        .leaflet-control-attribution {font: 11px/1.4 sans-serif !important;}
        .cm-tile-note {position: absolute; top: 10px; left: 60px; right: 60px; z-index: 1000; background: #fff3cd;
                       color: #3d2c00; border: 1px solid #8a6d00; padding: 4px 8px; font: 14px/1.3 sans-serif;}
        {% if this.tiles %}.leaflet-cm-basemap-pane {display: none;}{% endif %}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            if (map.attributionControl) { map.attributionControl.addAttribution({{ this.attribution|tojson }}); }
            // Leaflet reports a click on a small circle at the circle's centre, so a click on Baghdad's
            // centre that lands on Sadr City's dot (drawn on top) would say "Sadr City". The dashboard
            // picks the nearest marker itself: give it where the mouse really was. (This listener runs
            // before streamlit-folium's, which reads e.latlng.)
            map.on('click', function (e) {
                var o = e.originalEvent;
                if (o && o.type === 'click' && typeof o.clientX === 'number') { e.latlng = map.mouseEventToLatLng(o); }
            });
            // Streamlit sizes the map's frame after the map has drawn, and Leaflet does not notice:
            // tell it, and fit the first view again to the real size until the user touches the map
            // (or streamlit-folium has put it where the dashboard's view says).
            var fit = {{ this.fit|tojson }}, touched = false, box = map.getContainer();
            ['mousedown', 'wheel', 'keydown', 'touchstart'].forEach(function (name) {
                box.addEventListener(name, function () { touched = true; }, {passive: true});
            });
            if (window.ResizeObserver) {
                new ResizeObserver(function () {
                    map.invalidateSize();
                    var given = window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.last_center;
                    if (fit && !touched && !given) { map.fitBounds(fit.bounds, fit.options); }
                }).observe(box);
            }
            {%- if this.tiles %}
            var failed = false;
            {{ this.tiles.get_name() }}.on('tileerror', function () {
                if (failed) { return; }
                failed = true;
                var pane = map.getPane('cm-basemap');
                if (pane) { pane.style.display = 'block'; }
                map.getContainer().style.background = {{ this.sea|tojson }};
                var note = L.DomUtil.create('div', 'cm-tile-note', map.getContainer());
                note.setAttribute('role', 'status');
                note.textContent = 'Online map tiles could not load (no internet?). Showing the offline country outlines instead.';
            });
            {%- endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, presenter: bool, tiles: Element | None = None, fit: dict | None = None):
        super().__init__()
        self._name = "MapExtras"
        self.fit = fit
        self.attribution = ATTRIBUTION
        self.label_px = 18 if presenter else 13
        self.tiles = tiles
        self.sea = _BASEMAP[presenter][0]


def _add_areas(
    m: folium.Map,
    areas: pd.DataFrame,
    *,
    scale: Scale,
    presenter: bool,
    selected: int | None,
    outlines: Mapping[str, Any] | None,
) -> None:
    countries = _country_features(outlines)
    polygons: list[dict[str, Any]] = []
    polygon_styles: dict[int, dict[str, Any]] = {}
    circles: list[dict[str, Any]] = []
    circle_styles: dict[int, dict[str, Any]] = {}
    chosen: dict[str, Any] | None = None
    for row in _draw_order(areas).to_dict("records"):
        pid = int(row["place_id"])
        style = style_for(row, scale=scale, presenter=presenter)
        code = str(row["country_code"] or "").upper()
        outline = countries.get(code) if row["kind"] == "country" else None
        if outline is not None:
            if pid == selected:
                style = _selected_style(style, presenter)
            feature = _point_feature(row)
            # Only what the tooltip and the URL loader need (see assets).
            feature["properties"]["iso_a2"] = code
            feature["geometry"] = outline["geometry"]
            polygons.append(feature)
            polygon_styles[pid] = {
                "color": style["color"],
                "weight": style["weight"],
                "opacity": style["opacity"],
                "dashArray": style.get("dash_array"),
                "fillColor": style["fill_color"],
                "fillOpacity": style["fill_opacity"],
            }
        elif pid == selected:
            chosen = row
        else:
            circles.append(_point_feature(row))
            circle_styles[pid] = {
                "radius": style["radius"],
                "color": style["color"],
                "fillColor": style["fill_color"],
                "fillOpacity": style["fill_opacity"],
            }
    group = folium.FeatureGroup(name="Countries & regions", show=True)
    if polygons:
        layer = folium.GeoJson(
            {"type": "FeatureCollection", "features": polygons},
            name="Country outlines",
            control=False,
            style_function=_by_place_id(polygon_styles),
            highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.55},
            on_each_feature=_tag_shapes("cm-outline"),
        )
        layer.conflictmap_outlines = ("countries", outlines)
        layer.add_to(group)
    if circles:
        # Whole areas with no outline to draw: dashed circles sized in metres.
        # Everything that does not vary goes into the marker template once.
        proto = style_for(areas.iloc[0], scale=scale, presenter=presenter)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": circles},
            name="Areas",
            control=False,
            marker=folium.Circle(
                radius=proto["radius"],
                weight=proto["weight"],
                opacity=proto["opacity"],
                dash_array=proto["dash_array"],
                fill=True,
            ),
            style_function=_by_place_id(circle_styles),
            on_each_feature=_tag_shapes("cm-area"),
        ).add_to(group)
    if chosen is not None:
        _selected_shape(chosen, scale=scale, presenter=presenter).add_to(group)
    group.add_to(m)


def _add_points(
    m: folium.Map,
    points: pd.DataFrame,
    *,
    scale: Scale,
    presenter: bool,
    selected: int | None,
    labels: int = 0,
) -> None:
    group = folium.FeatureGroup(name="Places", show=True)
    labelled = set(points.sort_values(["mentions", "place_id"], ascending=[False, True]).head(labels)["place_id"].astype(int))
    features: list[dict[str, Any]] = []
    styles: dict[int, dict[str, Any]] = {}
    chosen: dict[str, Any] | None = None
    proto: dict[str, Any] | None = None
    # Big circles first, so small ones stay on top and clickable.
    for row in _draw_order(points).to_dict("records"):
        pid = int(row["place_id"])
        if pid == selected:
            chosen = row
            continue
        style = style_for(row, scale=scale, presenter=presenter)
        proto = proto or style
        feature = _point_feature(row)
        if pid in labelled:
            feature["properties"]["name"] = safe_text(row["name"])
        # Only what varies from place to place; CircleMarker.setStyle
        # honours `radius`, and the template below holds the rest.
        styles[pid] = {"radius": style["radius"], "fillColor": style["fill_color"]}
        if is_uncertain(row):
            feature["properties"]["low"] = 1
            styles[pid].update(_LOW_STYLE)
        features.append(feature)
    if features:
        assert proto is not None
        target: folium.FeatureGroup | MarkerCluster = group
        if len(features) > CLUSTER_THRESHOLD:
            target = MarkerCluster(
                control=False,
                options={"showCoverageOnHover": False, "disableClusteringAtZoom": 9, "chunkedLoading": True},
                # neutral grey bubbles: markercluster's own yellow/green/orange would read as the recency scale
                icon_create_function=_CLUSTER_ICON,
            )
            target.add_to(group)
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="Point places",
            control=False,
            marker=folium.CircleMarker(
                radius=proto["radius"],
                color=proto["color"],
                weight=proto["weight"],
                opacity=proto["opacity"],
                fill=True,
                fill_opacity=proto["fill_opacity"],
            ),
            style_function=_by_place_id(styles),
            on_each_feature=_tag_shapes("cm-place", keyboard=True),
        ).add_to(target)
    if chosen is not None:
        # Outside any cluster and drawn last, so the selection is always visible.
        _selected_shape(chosen, scale=scale, presenter=presenter).add_to(group)
    group.add_to(m)


_CLUSTER_ICON = """function (cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 30 : n < 100 ? 36 : 44;
    return L.divIcon({html: '<div><span>' + n + '</span></div>', className: 'marker-cluster cm-cluster',
                      iconSize: new L.Point(size, size)});
}"""

#: A place whose mentions are on average below this confidence is drawn as uncertain.
LOW_CONFIDENCE = 0.5
#: How an uncertain place looks: dashed outline, paler fill (the legend says so).
_LOW_STYLE = {"dashArray": "3 3", "fillOpacity": 0.35, "weight": 2.0}


def is_uncertain(row: Mapping[str, Any], threshold: float = LOW_CONFIDENCE) -> bool:
    """True when the geoparser was unsure where this place is (mean confidence of its mentions)."""
    value = row.get("confidence")
    try:
        return value is not None and not pd.isna(value) and float(value) < threshold
    except (TypeError, ValueError):
        return False


def _selected_shape(row: Mapping[str, Any], *, scale: Scale, presenter: bool) -> folium.CircleMarker:
    """The selected place on its own, with a heavy outline and a tooltip that stays open."""
    pid = int(row["place_id"])
    style = _selected_style(style_for(row, scale=scale, presenter=presenter), presenter)
    point = str(row["kind"]) in POINT_KINDS
    cls = folium.CircleMarker if point else folium.Circle
    shape = cls(
        location=(float(row["lat"]), float(row["lon"])),
        tooltip=folium.Tooltip(safe_text(tooltip_text(row)), permanent=True),
        class_name=f"{'cm-place' if point else 'cm-area'} cm-place-{pid}",
        **style,
    )
    shape.options["placeId"] = pid
    return shape


def _add_heat(m: folium.Map, points: pd.DataFrame) -> None:
    top = max(1, int(points["mentions"].max()))
    data = [[float(r.lat), float(r.lon), round(max(0, int(r.mentions)) / top, 4)] for r in points.itertuples(index=False)]
    # The layer control lists the group, not the HeatMap: the heat layer's
    # maxZoom below would make Leaflet grey out its checkbox above zoom 1.
    group = folium.FeatureGroup(name="Heat (mentions)", show=True)
    HeatMap(
        data,
        control=False,
        min_opacity=0.3,
        # npm's leaflet.heat 0.2.0 fades every point by 2^(zoom - maxZoom);
        # maxZoom=1 keeps the weights as given at every zoom we show.
        max_zoom=1,
        max=1.0,
        radius=22,
        blur=18,
        gradient={0.2: "#3b528b", 0.45: "#21918c", 0.7: "#5ec962", 1.0: "#fde725"},
    ).add_to(group)
    group.add_to(m)


# --------------------------------------------------------------------------- legend


#: Room (px) kept free at the bottom when fitting the map to the places, so
#: the open legend does not hide any of them.
_LEGEND_ROOM = {False: 130, True: 175}


def _legend(
    scale: Scale,
    *,
    presenter: bool,
    window: tuple[date, date] | None,
    has_points: bool,
    has_areas: bool,
    heat: bool,
    unknown_dates: bool,
    shown: int | None = None,
    total: int | None = None,
    uncertain: bool = False,
) -> str:
    """The legend as HTML: what colour, size and shape mean, in words.

    `shown`/`total`: when fewer places are drawn than are in view, say so.
    """
    font = 17 if presenter else 12
    lines: list[str] = []
    if window is not None:
        lines.append(f"<div><b>{safe_text(window[0].isoformat())} to {safe_text(window[1].isoformat())}</b></div>")
    if shown is not None and total is not None and shown < total:
        lines.append(
            f"<div class='conflictmap-cap'>Showing the {shown:,} most-mentioned of {total:,} places"
            f"{'; heat counts all' if heat else ''}</div>"
        )
    if scale.colour_by == "recency":
        # With a window the dates are on the line above; otherwise name them here.
        old = "older" if window or not scale.start else safe_text(scale.start.isoformat())
        new = "newer" if window or not scale.end else safe_text(scale.end.isoformat())
        stops = ", ".join(recency_colour(t / 4) for t in range(5))
        lines.append(
            "<div>Colour: latest mention</div>"
            "<div style='display:flex;align-items:center;gap:6px'>"
            f"<span>{old}</span><span style='flex:1;min-width:60px;height:10px;"
            f"background:linear-gradient(to right, {stops});border:1px solid #555'></span>"
            f"<span>{new}</span></div>"
        )
        if unknown_dates:
            lines.append(_swatch(_UNKNOWN_DATE_COLOUR, "date unknown"))
    else:
        swatches = "".join(_swatch(colour, safe_text(code)) for code, colour in scale.country_colours.items())
        if len(scale.country_colours) == len(_OKABE_ITO) - 1:
            swatches += _swatch(_OTHER_COLOUR, "other")
        lines.append(f"<div>Colour: country</div><div style='display:flex;flex-wrap:wrap;gap:2px 10px'>{swatches}</div>")
    if has_points:
        r_min, r_max = _RADIUS[presenter]
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            f"{_dot(int(2 * r_min))}{_dot(int(1.2 * r_max))}"
            f"<span>Size: mentions (max {scale.max_mentions:,})</span></div>"
        )
    if uncertain:
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            "<span style='display:inline-block;width:14px;height:14px;border:2px dashed #222;border-radius:50%;"
            "background:rgba(136,136,136,.35)'></span>"
            f"<span>Dashed, pale: place uncertain (confidence below {LOW_CONFIDENCE:.0%})</span></div>"
        )
    if has_areas:
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            "<span style='display:inline-block;width:14px;height:14px;border:2px dashed #333;border-radius:50%'></span>"
            "<span>Whole country or region</span></div>"
        )
    if heat:
        lines.append("<div>Heat: where mentions cluster</div>")
    body = "".join(lines)
    # <details> lets a reader fold the legend away; it starts open. Bottom
    # right, clear of the zoom buttons, the scale bar and the layer list.
    return (
        f'<details open class="conflictmap-legend" role="note" aria-label="Map legend" '
        f'style="position:fixed;bottom:24px;right:10px;z-index:1000;max-width:{320 if presenter else 240}px;'
        "background:rgba(255,255,255,.94);color:#111;padding:5px 9px;border:1px solid #444;"
        f'border-radius:4px;font:{font}px/1.35 sans-serif">'
        f'<summary style="font-weight:bold;cursor:pointer">Places mentioned</summary>{body}</details>'
    )


def _swatch(colour: str, label: str) -> str:
    return (
        f"<div style='display:flex;align-items:center;gap:6px'>"
        f"<span style='display:inline-block;width:12px;height:12px;background:{colour};"
        f"border:1px solid #333'></span><span>{label}</span></div>"
    )


def _dot(size: int) -> str:
    return (
        f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:50%;"
        f"background:#888;border:1px solid #222'></span>"
    )


# --------------------------------------------------------------------------- build


def _weighted_quantile(values: pd.Series, weights: pd.Series, q: float) -> float:
    order = values.argsort().to_numpy()
    v = values.to_numpy()[order]
    cum = weights.to_numpy()[order].cumsum()
    return float(v[min(len(v) - 1, int((cum >= q * cum[-1]).argmax()))])


def focus_bounds(places: pd.DataFrame, share: float = 0.8) -> list[list[float]]:
    """Bounds around where the mentions are, not around every outlier.

    A story about Iraq that once names Washington should open on Iraq: the box holds
    the middle `share` of mentions in latitude and in longitude (weighted by count),
    widened to include the most-mentioned place; one mention of a far place stays on
    the map, just outside the first view.
    """
    frame = places[places["lat"].notna() & places["lon"].notna()]
    # a country's centre says little about where its story is; use towns when there are any
    local = frame[frame["kind"].astype(str).isin(POINT_KINDS)]
    if len(local):
        frame = local
    weights = frame["mentions"].astype(float).clip(lower=1.0)
    tail = (1.0 - share) / 2
    lat_lo, lat_hi = (_weighted_quantile(frame["lat"], weights, q) for q in (tail, 1 - tail))
    lon_lo, lon_hi = (_weighted_quantile(frame["lon"], weights, q) for q in (tail, 1 - tail))
    top = frame.loc[weights.idxmax()]
    lat_lo, lat_hi = min(lat_lo, float(top["lat"])), max(lat_hi, float(top["lat"]))
    lon_lo, lon_hi = min(lon_lo, float(top["lon"])), max(lon_hi, float(top["lon"]))
    # a margin of a quarter of the box (and at least a degree), so the edge places and
    # their surroundings are in view and the legend does not sit on them
    pad_lat = max(1.0, (lat_hi - lat_lo) / 4)
    pad_lon = max(1.0, (lon_hi - lon_lo) / 4)
    return [[lat_lo - pad_lat, lon_lo - pad_lon], [lat_hi + pad_lat, lon_hi + pad_lon]]


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
) -> folium.Map:
    """Draw the places in view as a folium map (see the module docstring).

    `places` has one row per place: place_id, name, lat, lon, country_code,
    kind, mentions, articles, first_seen, last_seen. `outlines` is a GeoJSON
    FeatureCollection whose features carry `iso_a2` and `name`; it draws the
    offline basemap and the shaded country outlines. Without `center` and
    `zoom` the map fits the places. `max_places` bounds how many places are
    drawn (the most mentioned, plus the selected one; None for all); colour
    and size scales, the heat layer and the fitted view use every place.

    The result still points at folium's CDN URLs and embeds the outlines;
    pass it through `conflictmap.assets.local_assets` (or `standalone_html`)
    before showing it.
    """
    if basemap not in {"offline", "online"}:
        raise MapDataError(f"basemap={basemap!r} is not known; use 'offline' or 'online'")
    if max_places is not None and max_places < 1:
        raise MapDataError(f"max_places={max_places!r} must be a positive number or None")
    frame = _validate(places)
    scale = make_scale(frame, colour_by=colour_by, window=window)
    is_point = frame["kind"].astype(str).isin(POINT_KINDS)
    all_points = frame[is_point]

    drawn = drawn_places(frame, selected=selected, max_places=max_places)
    points = drawn[drawn["kind"].astype(str).isin(POINT_KINDS)]
    areas = drawn[drawn["kind"].astype(str).isin(AREA_KINDS)]

    fit = center is None and zoom is None and len(frame) > 1
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
    tiles = _add_basemap(m, basemap, presenter, outlines)
    bounds = focus_bounds(frame) if fit else None
    fit_options = {"paddingTopLeft": [30, 30], "paddingBottomRight": [30, _LEGEND_ROOM[presenter]], "maxZoom": 8}
    MapExtras(presenter=presenter, tiles=tiles, fit={"bounds": bounds, "options": fit_options} if bounds else None).add_to(m)
    if len(areas):
        _add_areas(m, areas, scale=scale, presenter=presenter, selected=selected, outlines=outlines)
    if len(points):
        _add_points(m, points, scale=scale, presenter=presenter, selected=selected, labels=labels)
    if heat and len(all_points):
        _add_heat(m, all_points)
    if bounds:
        m.fit_bounds(bounds, padding_top_left=(30, 30), padding_bottom_right=(30, _LEGEND_ROOM[presenter]), max_zoom=8)
    unknown_dates = scale.colour_by == "recency" and any(
        _as_date(v) is None for v in drawn["last_seen"]
    )
    m.get_root().html.add_child(
        Element(
            _legend(
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
            )
        ),
        name="conflictmap_legend",
    )
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


# --------------------------------------------------------------------------- clicks


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
        return int(_draw_order(exact).iloc[-1]["place_id"])

    lat_r = math.radians(float(lat))
    dlat = (candidates["lat"].astype(float) - float(lat)) * 111.32
    dlon = (candidates["lon"].astype(float) - float(lng)) * 111.32 * math.cos(lat_r)
    dist = (dlat**2 + dlon**2) ** 0.5
    best = dist.idxmin()
    if matched_tooltip or float(dist.loc[best]) <= tolerance_km:
        return int(candidates.loc[best, "place_id"])
    return None
