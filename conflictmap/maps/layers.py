"""The map's layers: basemap, areas, points and heat, each built from a frame of places."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import pandas as pd
from branca.element import Element
from folium.map import CustomPane
from folium.plugins import HeatMap, MarkerCluster
from folium.utilities import JsCode

from conflictmap.excerpts import safe_text
from conflictmap.maps.scale import Scale
from conflictmap.maps.style import (BASEMAP, BASEMAP_PANE, CLUSTER_THRESHOLD, LOW_STYLE, POINT_KINDS, TILES, draw_order,
                                    is_uncertain, selected_style, style_for, tooltip_text)

class OutlineLayer(folium.GeoJson):
    """A GeoJson layer drawn from the basemap's outlines: the land ("basemap") or country shapes ("countries").

    Its own type, with `role` and `outlines` as plain attributes, so `maps.assets.local_assets` can have
    the browser fetch those outlines once instead of embedding them (see there).
    """

    def __init__(self, data: Any, *, role: str, outlines: Mapping[str, Any], **kwargs: Any):
        super().__init__(data, **kwargs)
        self.role = role
        self.outlines = outlines
        self.embedded = self.data  # its data as built: what it draws again when the outlines cannot come by URL


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
        "    if (p.name) { layer.bindTooltip(p.name, {permanent: true, direction: 'right', offset: [4, 0],"
        " className: 'cm-label cm-rank-' + (p.rank || 0)}); }\n"
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


def add_basemap(m: folium.Map, basemap: str, presenter: bool, outlines: Mapping[str, Any] | None) -> Element | None:
    """The land under the places; returns the tile layer for the online basemap.

    The online basemap keeps the offline land in reserve (its pane hidden):
    when tiles cannot load, `MapExtras` shows it and says why.
    """
    sea, land, border, border_weight = BASEMAP[presenter]
    tiles = None
    if basemap == "online":
        provider, native = TILES[presenter]
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
    CustomPane(BASEMAP_PANE[0], z_index=BASEMAP_PANE[1], pointer_events=False).add_to(m)
    # One style for all land, given as Leaflet's own `style` option rather
    # than a style_function: it then also applies to features added later
    # (when local_assets has the browser fetch the outlines by URL).
    layer = OutlineLayer(
        land_only,
        role="basemap",
        outlines=outlines,
        name="Basemap",
        control=False,
        interactive=False,  # clicks on land must not count as clicks on a place
        pane=BASEMAP_PANE[0],
        style={"fillColor": land, "fillOpacity": 1.0, "color": border, "weight": border_weight},
    )
    layer.add_to(m)
    return tiles


def add_areas(
    m: folium.Map,
    areas: pd.DataFrame,
    *,
    scale: Scale,
    presenter: bool,
    selected: int | None,
    outlines: Mapping[str, Any] | None,
    shapes: Mapping[int, Mapping[str, Any]] | None = None,
) -> None:
    """Whole areas: a country's outline, an area's own shape (`shapes`, GeoJSON features by
    gazetteer id: provinces and regions as polygons, rivers as lines), else a dashed circle."""
    countries = _country_features(outlines)
    shapes = shapes or {}
    # layer name -> (features, their styles); drawn bottom to top in this order
    kinds: dict[str, tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]] = {
        "Area shapes": ([], {}), "Country outlines": ([], {}), "Areas": ([], {})}
    chosen: dict[str, Any] | None = None
    for row in draw_order(areas).to_dict("records"):
        pid = int(row["place_id"])
        style = style_for(row, scale=scale, presenter=presenter)
        code = str(row["country_code"] or "").upper()
        outline = countries.get(code) if row["kind"] == "country" else None
        gid = row.get("geonameid")
        shape = shapes.get(int(gid)) if outline is None and gid is not None and gid == gid else None
        if shape is not None and not shape.get("geometry"):
            shape = None
        if shape is None and outline is None:
            if pid == selected:
                chosen = row  # drawn on its own, on top
                continue
            features, styles = kinds["Areas"]
            feature, look = _point_feature(row), _path_style(style)
            look["radius"] = style["radius"]
        else:
            if pid == selected:
                style = selected_style(style, presenter)
            feature = _point_feature(row)
            if shape is not None:
                features, styles = kinds["Area shapes"]
                feature["geometry"] = shape["geometry"]
                line = "LineString" in str(shape["geometry"].get("type"))
                look = _path_style(style, weight=style["weight"] + 2, dashArray=None, fillOpacity=0.0) if line else _path_style(style)
            else:
                features, styles = kinds["Country outlines"]
                # Only what the tooltip and the URL loader need (see assets).
                feature["properties"]["iso_a2"] = code
                feature["geometry"] = outline["geometry"]
                look = _path_style(style)
        features.append(feature)
        styles[pid] = look
    group = folium.FeatureGroup(name="Countries & regions", show=True)
    shaped, shaped_styles = kinds["Area shapes"]
    if shaped:
        _feature_layer(shaped, "Area shapes", shaped_styles, "cm-shape",
                       highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.4}).add_to(group)
    polygons, polygon_styles = kinds["Country outlines"]
    if polygons:
        _feature_layer(polygons, "Country outlines", polygon_styles, "cm-outline", layer=OutlineLayer,
                       role="countries", outlines=outlines,
                       highlight_function=lambda _f: {"weight": 4, "fillOpacity": 0.55}).add_to(group)
    circles, circle_styles = kinds["Areas"]
    if circles:
        # Whole areas with no outline to draw: circles sized in metres, each styled like its kind.
        _feature_layer(circles, "Areas", circle_styles, "cm-area", marker=folium.Circle(fill=True)).add_to(group)
    if chosen is not None:
        _selected_shape(chosen, scale=scale, presenter=presenter).add_to(group)
    group.add_to(m)


def _path_style(style: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """Leaflet path options (camelCase) from one of `style_for`'s styles, with `changes` on top."""
    look = {"color": style["color"], "weight": style["weight"], "opacity": style["opacity"],
            "dashArray": style.get("dash_array"), "fillColor": style["fill_color"], "fillOpacity": style["fill_opacity"]}
    look.update(changes)
    return look


def _feature_layer(features: list[dict[str, Any]], name: str, styles: dict[int, dict[str, Any]], css_class: str, *,
                   layer: type[folium.GeoJson] = folium.GeoJson, keyboard: bool = False, **options: Any) -> folium.GeoJson:
    """One GeoJson layer of our places: styled per place id, each shape tagged with its class, id and tooltip."""
    return layer({"type": "FeatureCollection", "features": features}, name=name, control=False,
                 style_function=_by_place_id(styles), on_each_feature=_tag_shapes(css_class, keyboard=keyboard), **options)


def add_points(
    m: folium.Map,
    points: pd.DataFrame,
    *,
    scale: Scale,
    presenter: bool,
    selected: int | None,
    labels: int = 0,
) -> None:
    group = folium.FeatureGroup(name="Places", show=True)
    # label rank: 1 for the most mentioned; in the browser a label that would cover a better-ranked one is hidden
    ranked = points.sort_values(["mentions", "place_id"], ascending=[False, True]).head(labels)["place_id"].astype(int)
    labelled = {pid: rank for rank, pid in enumerate(ranked, start=1)}
    features: list[dict[str, Any]] = []
    styles: dict[int, dict[str, Any]] = {}
    chosen: dict[str, Any] | None = None
    proto: dict[str, Any] | None = None
    # Big circles first, so small ones stay on top and clickable.
    for row in draw_order(points).to_dict("records"):
        pid = int(row["place_id"])
        if pid == selected:
            chosen = row
            continue
        style = style_for(row, scale=scale, presenter=presenter)
        proto = proto or style
        feature = _point_feature(row)
        if pid in labelled:
            feature["properties"]["name"] = safe_text(row["name"])
            feature["properties"]["rank"] = labelled[pid]
        # Only what varies from place to place; CircleMarker.setStyle
        # honours `radius`, and the template below holds the rest.
        styles[pid] = {"radius": style["radius"], "fillColor": style["fill_color"]}
        if is_uncertain(row):
            feature["properties"]["low"] = 1
            styles[pid].update(LOW_STYLE)
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
        _feature_layer(features, "Point places", styles, "cm-place", keyboard=True,
                       marker=folium.CircleMarker(radius=proto["radius"], color=proto["color"], weight=proto["weight"],
                                                  opacity=proto["opacity"], fill=True, fill_opacity=proto["fill_opacity"]),
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

def _selected_shape(row: Mapping[str, Any], *, scale: Scale, presenter: bool) -> folium.CircleMarker:
    """The selected place on its own, with a heavy outline and a tooltip that stays open."""
    pid = int(row["place_id"])
    style = selected_style(style_for(row, scale=scale, presenter=presenter), presenter)
    point = str(row["kind"]) in POINT_KINDS
    cls = folium.CircleMarker if point else folium.Circle
    shape = cls(
        location=(float(row["lat"]), float(row["lon"])),
        # rank 0: the selected place's label is never hidden behind another
        tooltip=folium.Tooltip(safe_text(tooltip_text(row)), permanent=True, class_name="cm-label cm-selected-label cm-rank-0"),
        class_name=f"{'cm-place' if point else 'cm-area'} cm-place-{pid}",
        **style,
    )
    shape.options["placeId"] = pid
    return shape


def add_heat(m: folium.Map, points: pd.DataFrame) -> None:
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


