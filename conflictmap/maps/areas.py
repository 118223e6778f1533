"""The real shapes of areas (provinces, countries, news regions, seas, rivers, islands), by gazetteer id.

`geodata/build_areas.py` writes them at set-up into `geodata/build/areas.geojson`, already
simplified and rounded for the browser. The file is read once per process; a map asks only
for the ids it draws, so the page carries only the shapes it shows. Without the file every
area is simply drawn as before (no shapes, no error).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterable

AREAS_ENV = "CONFLICTMAP_AREAS"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "geodata" / "build" / "areas.geojson"


def areas_path() -> Path:
    return Path(os.environ.get(AREAS_ENV) or DEFAULT_PATH)


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[int, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or unreadable: areas are drawn without shapes
    return {int(f["properties"]["geonameid"]): f for f in data.get("features", ()) if f.get("properties")}


def area_features(geonameids: Iterable[int]) -> dict[int, dict]:
    """GeoJSON features (properties: geonameid, kind, name) for those ids that have a shape.

    kind is "admin1", "country", "region", "sea", "lake" or "island" (polygons) or
    "river" (a line). Missing ids are left out; the features are shared, so copy before changing one.
    """
    shapes = _load(areas_path())
    return {int(i): shapes[int(i)] for i in geonameids if int(i) in shapes}
