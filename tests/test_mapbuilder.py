"""build_map on small frames, checked on the real folium object tree, its layers' data and its HTML."""

from __future__ import annotations

import re
from datetime import date

import folium
import pandas as pd
import pytest
from folium.map import CustomPane
from folium.plugins import HeatMap, MarkerCluster

from conflictmap.errors import ConflictMapError
from conflictmap.excerpts import safe_text
from conflictmap.maps.build import MapDataError, build_map, focus_bounds
from conflictmap.maps.scale import make_scale
from conflictmap.maps.selection import place_at
from conflictmap.maps.style import CLUSTER_THRESHOLD, MAX_PLACES, style_for, tooltip_text

WINDOW = (date(2014, 1, 1), date(2014, 3, 31))

from tests.geofixtures import OUTLINES  # noqa: E402



def place(place_id: int, name: str, lat: float, lon: float, **extra) -> dict:
    row = {
        "place_id": place_id,
        "name": name,
        "lat": lat,
        "lon": lon,
        "country_code": "SY",
        "kind": "city",
        "mentions": 1,
        "articles": 1,
        "first_seen": date(2014, 1, 1),
        "last_seen": date(2014, 1, 1),
    }
    row.update(extra)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


@pytest.fixture
def places() -> pd.DataFrame:
    return frame(
        place(1, "Aleppo", 36.2, 37.15, mentions=40, last_seen=date(2014, 3, 30)),
        place(2, "Homs", 34.73, 36.71, mentions=10, last_seen=date(2014, 2, 15)),
        place(3, "Daraa", 32.62, 36.10, mentions=1, last_seen=date(2014, 1, 2)),
        place(4, "Syria", 35.0, 38.5, kind="country", mentions=60, last_seen=date(2014, 3, 1)),
        place(5, "Middle East", 29.0, 41.0, kind="region", country_code="", mentions=5),
        place(6, "Beirut", 33.89, 35.50, country_code="LB", mentions=12, last_seen=date(2014, 3, 1)),
    )


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)


def of_type(m: folium.Map, cls) -> list:
    return [e for e in walk(m) if isinstance(e, cls)]


def group(m: folium.Map, name: str) -> folium.FeatureGroup:
    found = [e for e in of_type(m, folium.FeatureGroup) if e.layer_name == name]
    assert len(found) == 1, f"expected one FeatureGroup {name!r}, found {len(found)}"
    return found[0]


def layer(m: folium.Map, name: str) -> folium.GeoJson | None:
    """The GeoJson layer called `name`, or None."""
    found = [e for e in of_type(m, folium.GeoJson) if e.layer_name == name]
    assert len(found) <= 1
    return found[0] if found else None


def features(m: folium.Map, name: str) -> list[dict]:
    found = layer(m, name)
    return found.data["features"] if found is not None else []


def ids(m: folium.Map, name: str) -> list[int]:
    return [f["properties"]["place_id"] for f in features(m, name)]


def selected_shapes(m: folium.Map) -> list[folium.CircleMarker | folium.Circle]:
    """Shapes drawn on their own: only the selection (GeoJson markers are templates, not children)."""
    return of_type(m, (folium.CircleMarker, folium.Circle))


def drawn(m: folium.Map, name: str = "Point places") -> dict[int, dict]:
    """place_id -> Leaflet style of every place in layer `name`, plus the selection."""
    geo = layer(m, name)
    styles = {f["properties"]["place_id"]: geo.style_function(f) for f in features(m, name)}
    for shape in selected_shapes(m):
        styles[shape.options["placeId"]] = shape.options
    return styles


def luminance(colour: str) -> float:
    r, g, b = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def many(n: int, **extra) -> pd.DataFrame:
    return frame(*(place(i, f"V{i}", 30 + (i % 20) * 0.3, 30 + (i // 20) * 0.3, **extra) for i in range(n)))


# --------------------------------------------------------------------------- layers


def test_point_places_are_one_geojson_layer_of_compact_features(places):
    m = build_map(places, outlines=OUTLINES, window=WINDOW)
    points = layer(m, "Point places")
    assert points in walk(group(m, "Places"))
    # Drawn biggest first, so small circles stay on top and clickable.
    assert ids(m, "Point places") == [1, 6, 2, 3]
    aleppo = features(m, "Point places")[0]
    assert aleppo["geometry"] == {"type": "Point", "coordinates": [37.15, 36.2]}
    assert aleppo["properties"] == {"place_id": 1, "label": "Aleppo — 40 mentions"}
    assert isinstance(points.marker, folium.CircleMarker)
    # No per-place Jinja elements: the only CircleMarker is the layer's template.
    assert not selected_shapes(m)


def test_each_shape_gets_class_id_and_its_own_tooltip(places):
    page = build_map(places, outlines=OUTLINES).get_root().render()
    for css in ("cm-place", "cm-area", "cm-outline"):
        assert f"'{css} cm-place-' + p.place_id" in page
    assert "layer.bindTooltip(p.label, {sticky: true})" in page
    # The label is not handed to a GeoJsonTooltip (lost when clustered).
    assert not of_type(build_map(places, outlines=OUTLINES), folium.GeoJsonTooltip)


def test_feature_groups_present_and_layer_control_last(places):
    m = build_map(places, outlines=OUTLINES)
    group(m, "Places")
    group(m, "Countries & regions")
    assert isinstance(list(m._children.values())[-1], folium.LayerControl)


def test_heat_layer_only_when_asked(places):
    assert not of_type(build_map(places), HeatMap)
    m = build_map(places, heat=True)
    heat = of_type(m, HeatMap)
    assert len(heat) == 1
    assert heat[0] in walk(group(m, "Heat (mentions)"))
    weights = {(round(lat, 2), round(lon, 2)): w for lat, lon, w in heat[0].data}
    assert weights[(36.2, 37.15)] == 1.0  # the most mentioned point place
    assert weights[(34.73, 36.71)] == pytest.approx(10 / 40)
    assert len(heat[0].data) == 4  # areas are not heat


def test_radius_follows_square_root_of_mentions(places):
    m = build_map(places)
    radius = {k: v["radius"] for k, v in drawn(m).items()}
    assert radius[1] > radius[6] > radius[2] > radius[3]
    # Area, not radius, is proportional to count (above the minimum size).
    assert (radius[1] / radius[2]) ** 2 == pytest.approx(40 / 10, rel=0.02)
    big = {k: v["radius"] for k, v in drawn(build_map(places, presenter=True)).items()}
    assert all(big[k] > radius[k] for k in radius)


def test_styles_match_style_for(places):
    m = build_map(places, window=WINDOW)
    scale = make_scale(places, window=WINDOW)
    template = layer(m, "Point places").marker.options
    for row in places[places["kind"] == "city"].to_dict("records"):
        want = style_for(row, scale=scale)
        got = drawn(m)[row["place_id"]]
        assert got == {"radius": want["radius"], "fillColor": want["fill_color"]}
        # What does not vary sits once in the marker template.
        assert template["color"] == want["color"] and template["fillOpacity"] == want["fill_opacity"]
        assert template["weight"] == want["weight"] and template["fill"] is True


def test_small_counts_are_clamped_to_a_visible_size():
    scale = make_scale(frame(place(1, "A", 0, 0, mentions=100000), place(2, "B", 1, 1, mentions=1)))
    assert style_for(place(2, "B", 1, 1, mentions=1), scale=scale)["radius"] >= 4


def test_recency_colours_newer_is_darker(places):
    fill = {k: v["fillColor"] for k, v in drawn(build_map(places, window=WINDOW)).items()}
    # Aleppo (newest) < Beirut < Homs < Daraa (oldest) in lightness.
    assert luminance(fill[1]) < luminance(fill[6]) < luminance(fill[2]) < luminance(fill[3])


def test_colour_by_country_uses_distinct_categorical_colours(places):
    fill = {k: v["fillColor"] for k, v in drawn(build_map(places, colour_by="country")).items()}
    assert fill[1] == fill[2] == fill[3]  # all SY
    assert fill[6] != fill[1]


def test_more_than_eight_countries_fold_into_other():
    rows = [place(i, f"P{i}", i, i, country_code=f"C{i}", mentions=100 - i) for i in range(10)]
    scale = make_scale(frame(*rows), colour_by="country")
    assert len(scale.country_colours) == 7
    assert len(set(scale.country_colours.values())) == 7
    assert scale.colour(rows[9]) == "#999999"


def test_country_row_with_outline_is_a_shaded_polygon(places):
    m = build_map(places, outlines=OUTLINES)
    areas = group(m, "Countries & regions")
    shapes = layer(m, "Country outlines")
    assert shapes in walk(areas)
    # Only the countries in view, with just what the tooltip and loader need.
    assert ids(m, "Country outlines") == [4]
    feature = shapes.data["features"][0]
    assert feature["properties"] == {"place_id": 4, "label": "Syria (country) — 60 mentions", "iso_a2": "SY"}
    assert feature["geometry"] == OUTLINES["features"][0]["geometry"]
    assert (shapes.role, shapes.outlines) == ("countries", OUTLINES)
    style = shapes.style_function(feature)
    assert 0 < style["fillOpacity"] <= 0.35 + 1e-9
    # The region has no outline: a big dashed circle instead.
    circles = layer(m, "Areas")
    assert circles in walk(areas)
    assert ids(m, "Areas") == [5]
    assert isinstance(circles.marker, folium.Circle)
    # a news region over several countries is a backdrop, like a country: no dash, thin edge
    assert not circles.style_function(circles.data["features"][0])["dashArray"]
    assert circles.style_function(circles.data["features"][0])["radius"] == 700_000  # metres


def test_country_without_outline_falls_back_to_dashed_circle(places):
    m = build_map(places, outlines=None)
    assert layer(m, "Country outlines") is None
    assert sorted(ids(m, "Areas")) == [4, 5]


def test_area_opacity_grows_with_count():
    scale = make_scale(frame(place(1, "A", 0, 0, kind="country", mentions=100)))
    few = style_for(place(2, "B", 0, 0, kind="country", mentions=1), scale=scale)
    many_ = style_for(place(1, "A", 0, 0, kind="country", mentions=100), scale=scale)
    assert few["fill_opacity"] < many_["fill_opacity"]
    # a whole country is quiet (no dash, thin edge); a province is dashed and bolder
    assert not few["dash_array"] and not many_["dash_array"]
    province = style_for(place(3, "C", 0, 0, kind="admin1", mentions=1), scale=scale)
    assert province["dash_array"] and province["weight"] > many_["weight"]
    kurdistan = style_for(place(4, "Kurdistan Region", 36.4, 44.3, kind="region", country_code="IQ", mentions=1), scale=scale)
    middle_east = style_for(place(5, "Middle East", 29.0, 41.0, kind="region", country_code="", mentions=1), scale=scale)
    assert kurdistan["dash_array"] and not middle_east["dash_array"]


def test_basemap_has_a_pane_under_the_markers(places):
    m = build_map(places, outlines=OUTLINES)
    (pane,) = of_type(m, CustomPane)
    assert pane.name == "cm-basemap" and pane.pointer_events is False
    assert 200 < pane.z_index < 400  # above tiles, below Leaflet's overlay pane
    # Created before the layer that uses it; outlines of places stay in the
    # overlay pane, drawn (in order) before the points.
    order = list(m._children.values())
    assert order.index(pane) < order.index(layer(m, "Basemap"))
    assert "pane" not in layer(m, "Country outlines").options
    assert order.index(group(m, "Countries & regions")) < order.index(group(m, "Places"))


@pytest.mark.parametrize("n, clustered", [(CLUSTER_THRESHOLD, False), (CLUSTER_THRESHOLD + 1, True)])
def test_clustering_only_above_threshold(n, clustered):
    m = build_map(many(n, mentions=2))
    clusters = of_type(m, MarkerCluster)
    assert bool(clusters) is clustered
    assert len(features(m, "Point places")) == n
    if clustered:
        assert layer(m, "Point places") in clusters[0]._children.values()
    # MarkerCluster refuses to start on a map with no maxZoom; no tile layer sets it.
    assert m.options["max_zoom"] == 18


def test_selected_place_stands_out_and_escapes_the_cluster():
    m = build_map(many(CLUSTER_THRESHOLD + 10), selected=7)
    places_group = group(m, "Places")
    direct = [e for e in places_group._children.values() if isinstance(e, folium.CircleMarker)]
    assert [e.options["placeId"] for e in direct] == [7]
    assert selected_shapes(m) == direct
    assert 7 not in ids(m, "Point places")
    chosen = direct[0]
    assert chosen.options["weight"] > layer(m, "Point places").marker.options["weight"]
    assert "cm-place-7" in chosen.options["className"]
    tip = [c for c in chosen._children.values() if isinstance(c, folium.Tooltip)][0]
    assert tip.options["permanent"] is True
    # It is drawn after (on top of) the cluster.
    order = list(places_group._children.values())
    assert order.index(chosen) > order.index(of_type(m, MarkerCluster)[0])


def test_selected_area_is_a_circle_of_its_own(places):
    m = build_map(places, outlines=OUTLINES, selected=5)
    assert ids(m, "Areas") == []
    (chosen,) = selected_shapes(m)
    assert isinstance(chosen, folium.Circle) and chosen.options["placeId"] == 5
    assert chosen in walk(group(m, "Countries & regions"))
    # A selected outlined country keeps its polygon, with a heavier border.
    plain = layer(build_map(places, outlines=OUTLINES), "Country outlines")
    loud = layer(build_map(places, outlines=OUTLINES, selected=4), "Country outlines")
    feature = loud.data["features"][0]
    assert loud.style_function(feature)["weight"] > plain.style_function(feature)["weight"]


# --------------------------------------------------------------------------- how many are drawn


def test_only_the_most_mentioned_places_are_drawn_and_the_legend_says_so():
    df = frame(*(place(i, f"V{i}", i * 0.5, i * 0.5, mentions=100 - i) for i in range(30)))
    m = build_map(df, max_places=10, selected=25, heat=True)
    assert sorted(ids(m, "Point places")) == list(range(10))
    assert [s.options["placeId"] for s in selected_shapes(m)] == [25]  # the selection always
    page = m.get_root().render()
    assert "Showing the 11 most-mentioned of 30 places; heat counts all" in page
    # Scales, heat and the view still use every place in view.
    assert len(of_type(m, HeatMap)[0].data) == 30
    assert "Size: mentions (max 100)" in page
    (fit,) = of_type(m, folium.FitBounds)
    assert fit.bounds == focus_bounds(df)  # computed over every place, drawn or not


def test_no_cap_note_when_everything_is_drawn(places):
    assert "most-mentioned" not in build_map(places).get_root().render()
    assert len(features(build_map(many(MAX_PLACES + 5)), "Point places")) == MAX_PLACES
    assert len(features(build_map(many(40), max_places=None), "Point places")) == 40


def test_rendered_size_stays_small_at_newsroom_scale():
    # 2,000 distinct places: ~200 bytes each, where one folium CircleMarker
    # per place used to cost 1-2 kB of page.
    df = frame(
        *(
            place(i, f"Place {i}", -60 + (i % 100) * 1.2, -170 + (i // 100) * 17.0, mentions=1 + (i * 7919) % 500,
                  last_seen=date(2014, 1, 1 + i % 28))
            for i in range(2000)
        )
    )
    page = build_map(df, window=WINDOW).get_root().render()
    assert len(page.encode()) < 650_000


# --------------------------------------------------------------------------- basemap and view


def test_offline_basemap_has_no_tiles_and_draws_outlines(places):
    m = build_map(places, outlines=OUTLINES)
    assert not of_type(m, folium.TileLayer)
    base = layer(m, "Basemap")
    assert base.control is False
    assert base.options["interactive"] is False
    assert base.options["pane"] == "cm-basemap"
    assert len(base.data["features"]) == 2
    assert (base.role, base.outlines) == ("basemap", OUTLINES)
    header = m.get_root().header.render()
    assert f"#{m.get_name()} {{ background:" in header


def test_presenter_offline_basemap_is_high_contrast(places):
    plain = build_map(places, outlines=OUTLINES)
    loud = build_map(places, outlines=OUTLINES, presenter=True)
    sea = re.compile(r"background: (#[0-9a-f]{6})")
    plain_sea = sea.search(plain.get_root().header.render()).group(1)
    loud_sea = sea.search(loud.get_root().header.render()).group(1)
    # One style for all land, as Leaflet's `style` option (it must also
    # apply to outlines that arrive later by URL).
    loud_land = layer(loud, "Basemap").options["style"]["fillColor"]
    assert luminance(loud_land) - luminance(loud_sea) > 0.7
    assert luminance(loud_sea) < luminance(plain_sea)
    assert loud.font_size != plain.font_size


def test_first_view_frames_where_the_mentions_are():
    iraq = [place(i, f"T{i}", 33.0 + i * 0.3, 43.0 + i * 0.3, mentions=20) for i in range(5)]
    far = place(9, "Washington", 38.9, -77.0, mentions=1)
    country = place(10, "United States", 39.8, -98.6, kind="country", mentions=60)
    (south, west), (north, east) = focus_bounds(frame(*iraq, far, country))
    assert 31 <= south and north <= 36 and 41 <= west and east <= 47  # Iraq, not the Atlantic
    (s2, w2), (n2, e2) = focus_bounds(frame(place(1, "Solo", 10.0, 10.0, mentions=3)))
    assert n2 - s2 >= 2 and e2 - w2 >= 2  # one town still shows its surroundings


def test_first_view_grows_from_the_densest_place_not_out_to_every_capital():
    # the demo's shape: most news in Iraq, a real share in Washington and European capitals
    iraq = [place(i, f"T{i}", 32.0 + (i % 5) * 1.0, 42.0 + (i // 5) * 1.0, mentions=12) for i in range(15)]
    us = [place(20, "Washington", 38.9, -77.0, mentions=19), place(21, "The Pentagon", 38.87, -77.06, mentions=10)]
    europe = [place(30, "London", 51.5, -0.1, mentions=6), place(31, "Geneva", 46.2, 6.1, mentions=6)]
    (south, west), (north, east) = focus_bounds(frame(*iraq, *us, *europe))
    assert 29 <= south <= 32 and 36 <= north <= 39 and 39 <= west <= 42 and 44 <= east <= 48
    # news spread evenly over two continents is framed whole
    (s2, w2), (n2, e2) = focus_bounds(frame(place(1, "A", 33.0, 44.0, mentions=10), place(2, "B", 38.9, -77.0, mentions=10)))
    assert w2 <= -77 and e2 >= 44


def test_online_basemap_uses_tiles(places):
    m = build_map(places, basemap="online")
    tiles = of_type(m, folium.TileLayer)
    assert len(tiles) == 1 and "openstreetmap" in tiles[0].tiles
    loud = of_type(build_map(places, basemap="online", presenter=True), folium.TileLayer)
    assert "arcgisonline" in loud[0].tiles


def test_fits_points_unless_view_given(places):
    fitted = build_map(places)
    fit = of_type(fitted, folium.FitBounds)
    assert len(fit) == 1
    assert fit[0].bounds == focus_bounds(places)
    fixed = build_map(places, center=(10.0, 20.0), zoom=6)
    assert not of_type(fixed, folium.FitBounds)
    assert fixed.location == [10.0, 20.0] and fixed.options["zoom"] == 6


def test_empty_and_single_place_frames_still_build():
    empty = frame(place(1, "A", 0, 0)).iloc[0:0]
    m = build_map(empty)
    assert layer(m, "Point places") is None and not selected_shapes(m)
    assert isinstance(list(m._children.values())[-1], folium.LayerControl)
    one = build_map(frame(place(1, "A", 10, 20)))
    assert one.location == [10.0, 20.0] and not of_type(one, folium.FitBounds)
    assert ids(one, "Point places") == [1]


def test_accepts_datetime64_columns_and_unknown_dates(places):
    df = places.copy()
    df["first_seen"] = pd.to_datetime(df["first_seen"])
    df["last_seen"] = pd.to_datetime(df["last_seen"])
    df.loc[df["place_id"] == 2, "last_seen"] = pd.NaT
    m = build_map(df)
    assert drawn(m)[2]["fillColor"] == "#bdbdbd"
    assert "date unknown" in m.get_root().render()


# --------------------------------------------------------------------------- text and legend


def test_tooltip_says_name_and_count():
    assert tooltip_text(place(1, "Aleppo", 0, 0, mentions=12)) == "Aleppo — 12 mentions"
    assert tooltip_text(place(1, "Aleppo", 0, 0, mentions=1)) == "Aleppo — 1 mention"
    assert tooltip_text(place(2, "Syria", 0, 0, kind="country", mentions=1200)) == "Syria (country) — 1,200 mentions"


def test_names_are_escaped_in_the_rendered_page(places):
    evil = "<script>alert(1)</script>"
    df = pd.concat(
        [
            places,
            frame(
                place(7, evil, 34.0, 37.0),
                place(8, "`${alert(2)}`\\", 34.5, 37.5, country_code="<img src=x onerror=alert(3)>"),
                place(9, evil, 35.5, 39.5, kind="country", country_code="SY"),
            ),
        ],
        ignore_index=True,
    )
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for colour_by in ("recency", "country"):
        m = build_map(df, outlines=OUTLINES, colour_by=colour_by, heat=True)
        # The labels in the layers' data are escaped HTML (Leaflet shows a
        # tooltip as HTML), for points and for country outlines alike.
        labels = {f["properties"]["place_id"]: f["properties"]["label"]
                  for name in ("Point places", "Country outlines") for f in features(m, name)}
        assert labels[7] == f"{escaped} — 1 mention"
        assert labels[9] == f"{escaped} (country) — 1 mention"
        assert labels[8] == "&#96;&#36;{alert(2)}&#96;&#92; — 1 mention"
        page = m.get_root().render()
        assert evil not in page
        # ...and folium's tojson escapes "&" once more inside the page's script.
        assert escaped.replace("&", "\\u0026") in page
        assert "${alert(2)}" not in page and "`${" not in page
        assert "<img src=x" not in page
    # The selected place has a folium Tooltip of its own: escaped there too.
    page = build_map(df, selected=7).get_root().render()
    assert evil not in page and escaped in page


def test_safe_text_neutralises_template_literal_syntax():
    assert safe_text("a`b${c}\\d") == "a&#96;b&#36;{c}&#92;d"
    assert safe_text('<"\'&>') == "&lt;&quot;&#x27;&amp;&gt;"


def test_legend_explains_colour_size_and_window(places):
    page = build_map(places, window=WINDOW, heat=True).get_root().render()
    legend = re.search(r'<details open class="conflictmap-legend[^"]*".*?</details>', page, re.S).group(0)
    assert "2014-01-01 to 2014-03-31" in legend
    assert "Colour: latest mention" in legend
    assert "Size: mentions (max 60)" in legend
    assert "Province or region" in legend and "Whole country" in legend
    assert "Heat" in legend
    by_country = build_map(places, colour_by="country").get_root().render()
    assert "Colour: country" in by_country and ">LB<" in by_country


# --------------------------------------------------------------------------- clicks


def test_place_at_round_trip_on_marker_centres(places):
    for row in places.to_dict("records"):
        assert place_at(places, row["lat"], row["lon"]) == row["place_id"]


def test_place_at_uses_the_tooltip_for_off_centre_clicks(places):
    # A click on a big circle reports the mouse position, not the centre.
    assert place_at(places, 36.9, 37.6) is None
    assert place_at(places, 36.9, 37.6, tooltip="Aleppo — 40 mentions") == 1
    # Anywhere inside the Syria outline.
    assert place_at(places, 33.0, 41.9, tooltip="Syria (country) — 60 mentions") == 4


def test_place_at_tells_apart_places_with_the_same_name():
    df = frame(
        place(1, "Springfield", 39.8, -89.6, mentions=3),
        place(2, "Springfield", 42.1, -72.6, mentions=3),
    )
    tip = "Springfield — 3 mentions"
    assert place_at(df, 39.8, -89.6, tooltip=tip) == 1
    assert place_at(df, 42.2, -72.5, tooltip=tip) == 2


def test_place_at_shared_point_picks_the_top_marker():
    df = frame(place(1, "Big", 10, 10, mentions=50), place(2, "Small", 10, 10, mentions=2))
    assert place_at(df, 10, 10) == 2
    assert place_at(df, 10, 10, tooltip="Big — 50 mentions") == 1


def test_place_at_nothing_to_find(places):
    assert place_at(places, None, None) is None
    assert place_at(places.iloc[0:0], 1.0, 1.0) is None
    # A stale tooltip that matches no place is ignored.
    assert place_at(places, -40.0, -40.0, tooltip="Nowhere — 3 mentions") is None
    assert place_at(places, 36.2 + 0.001, 37.15) == 1  # within tolerance_km


# --------------------------------------------------------------------------- bad input


def test_bad_input_says_what_to_fix(places):
    with pytest.raises(MapDataError, match="missing column.*mentions"):
        build_map(places.drop(columns=["mentions"]))
    with pytest.raises(MapDataError, match="unknown place kind"):
        build_map(frame(place(1, "X", 0, 0, kind="planet")))
    with pytest.raises(MapDataError, match="colour_by"):
        build_map(places, colour_by="rainbow")
    with pytest.raises(MapDataError, match="basemap"):
        build_map(places, basemap="satellite")
    with pytest.raises(MapDataError, match="window"):
        build_map(places, window=(date(2014, 2, 1), date(2014, 1, 1)))
    with pytest.raises(MapDataError, match="max_places"):
        build_map(places, max_places=0)
    assert issubclass(MapDataError, ConflictMapError)


def test_rows_without_coordinates_are_skipped(places):
    df = places.copy()
    df.loc[df["place_id"] == 2, "lat"] = float("nan")
    assert sorted(ids(build_map(df), "Point places")) == [1, 3, 6]


def test_areas_with_a_shape_are_drawn_as_it_rivers_as_lines():
    frame = pd.DataFrame([
        place(1, "Nineveh", 36.3, 42.5, kind="admin1", mentions=9, geonameid=501),
        place(2, "Euphrates", 34.5, 41.0, kind="river", mentions=4, geonameid=502),
        place(3, "Levant", 33.0, 36.0, kind="region", mentions=3, geonameid=503),
        place(4, "Mosul", 36.34, 43.13, mentions=20),
    ])
    shapes = {
        501: {"type": "Feature", "properties": {"geonameid": 501, "kind": "admin1", "name": "Nineveh"},
              "geometry": {"type": "Polygon", "coordinates": [[[41.5, 35.5], [43.5, 35.5], [43.5, 37.0], [41.5, 37.0], [41.5, 35.5]]]}},
        502: {"type": "Feature", "properties": {"geonameid": 502, "kind": "river", "name": "Euphrates"},
              "geometry": {"type": "LineString", "coordinates": [[38.0, 37.0], [40.0, 35.5], [44.0, 32.0]]}},
    }
    html = build_map(frame, shapes=shapes, window=WINDOW).get_root().render()
    m = build_map(frame, shapes=shapes, window=WINDOW)
    (layer,) = [e for e in walk(m) if getattr(e, "layer_name", "") == "Area shapes"]
    kinds = {f["properties"]["place_id"]: f["geometry"]["type"] for f in layer.data["features"]}
    assert kinds == {1: "Polygon", 2: "LineString"}  # the Levant has no shape: still a dashed circle
    assert "cm-shape" in html and "cm-area" in html


def test_the_first_view_frames_the_focus_frame_not_the_window():
    iraq = [place(i, f"T{i}", 33.0 + i * 0.3, 43.0 + i * 0.3, mentions=20) for i in range(5)]
    window = frame(place(9, "Washington", 38.9, -77.0, mentions=3), place(8, "New York City", 40.7, -74.0, mentions=2))
    everything = frame(*iraq, place(9, "Washington", 38.9, -77.0, mentions=3))
    (fit,) = of_type(build_map(window, focus=everything), folium.FitBounds)
    assert fit.bounds == focus_bounds(everything)  # a play step that shows only US news keeps the Iraq frame


def test_places_carry_their_mean_confidence_on_the_fast_path_too(tmp_path):
    """The map draws uncertain places differently, so the default view (answered from the
    per-day counts, which keep no confidence) still needs each place's mean confidence."""
    from conflictmap import queries
    from conflictmap.filters import Filters
    from conflictmap.mentions import Mention, Place
    from conflictmap.maps.style import is_uncertain
    from conflictmap.store.sqlite import Store

    sure = Place(geonameid=99434, name="Mosul", lat=36.335, lon=43.119, country_code="IQ", kind="city")
    unsure = Place(geonameid=4409896, name="Springfield", lat=37.2, lon=-93.3, country_code="US", kind="city")
    with Store(tmp_path / "s.db") as store:
        for i, (where, conf) in enumerate([(sure, 0.9), (sure, 0.8), (unsure, 0.2)]):
            store.add_article({"id": f"a{i}", "title": "t", "text": f"In {where.name}.", "source": "Desk",
                               "published": "2014-06-10T12:00:00+00:00"},
                              [Mention(start=3, end=3 + len(where.name), text=where.name, place=where, date="2014-06-10",
                                       sentence=f"In {where.name}.", reason="prior", confidence=conf)])
        frame = queries.places_with_confidence(store, Filters()).set_index("name")
        assert frame.at["Mosul", "confidence"] == pytest.approx(0.85)
        assert frame.at["Springfield", "confidence"] == pytest.approx(0.2)
        assert is_uncertain(frame.loc["Springfield"]) and not is_uncertain(frame.loc["Mosul"])
        # with a floor the raw path answers, and agrees
        floor = queries.places_with_confidence(store, Filters(min_confidence=0.5)).set_index("name")
        assert list(floor.index) == ["Mosul"] and floor.at["Mosul", "confidence"] == pytest.approx(0.85)


def test_the_legend_takes_the_bottom_corner_with_fewer_mentions():
    from conflictmap.maps.legend import legend_corner

    box = [[28.0, 38.0], [40.0, 50.0]]  # Iraq and around it: south-west is desert, south-east the Gulf
    gulf = frame(place(1, "Basra", 30.5, 47.8, mentions=30), place(2, "Kuwait City", 29.4, 48.0, mentions=10),
                 place(3, "Rutba", 33.0, 40.3, mentions=2), place(4, "Mosul", 36.3, 43.1, mentions=90))
    assert legend_corner(gulf, box) == "left"
    desert = frame(place(1, "Rutba", 33.0, 40.3, mentions=30), place(2, "Basra", 30.5, 47.8, mentions=3))
    assert legend_corner(desert, box) == "right"
    assert legend_corner(gulf, None) == "right"  # no first view to judge by: where readers last saw it
    # the map is built with it there, and the corner does not move with the time window
    for window in (None, (date(2014, 1, 1), date(2014, 1, 31))):
        page = build_map(gulf, window=window, presenter=True).get_root().render()
        legend = re.search(r'<details open class="conflictmap-legend[^"]*".*?>', page, re.S).group(0)
        assert "cm-legend-left" in legend and "left:10px" in legend and "font:16px" in legend
