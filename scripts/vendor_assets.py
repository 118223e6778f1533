#!/usr/bin/env python3
"""Copy the map's browser libraries from node_modules/ into static/vendor/.

Run after `npm ci` (setup.sh does both). Streamlit then serves the copies at
/app/static/vendor/..., so the dashboard never reaches a CDN. The basemap's
country outlines (geodata/countries.geojson) are copied to
static/vendor/geodata/ as well, so the browser fetches them once instead of
receiving them inside every map.

Example:
    npm ci --no-audit --no-fund && .venv/bin/python scripts/vendor_assets.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conflictmap.errors import AssetsError  # noqa: E402
from conflictmap.maps.vendor import DEFAULT_OUTLINES, DEFAULT_VENDOR_DIR, copy_vendor_assets  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--vendor-dir", type=Path, default=DEFAULT_VENDOR_DIR)
    parser.add_argument(
        "--outlines",
        type=Path,
        default=DEFAULT_OUTLINES,
        help="basemap country outlines to serve (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    try:
        manifest = copy_vendor_assets(args.node_modules, args.vendor_dir, outlines=args.outlines)
    except AssetsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    packages = ", ".join(f"{k}@{v}" for k, v in manifest["packages"].items())
    print(f"vendored {len(manifest['files'])} files ({packages}) into {args.vendor_dir}")
    if "outlines" in manifest:
        print(f"country outlines: {manifest['outlines']['path']} ({manifest['outlines']['features']} features)")
    else:
        print(f"note: no {args.outlines}; maps will embed their outlines (geodata/build_basemap.py makes it)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
