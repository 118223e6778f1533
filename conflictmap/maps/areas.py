"""The real shapes of areas (provinces, countries, news regions, seas, rivers, islands), by gazetteer id.

`geodata/build_areas.py` writes them at set-up into `geodata/build/areas.geojson`, already
simplified and rounded for the browser. A map asks only for the ids it draws, so the page
carries only the shapes it shows. Without the file every area is simply drawn as before
(no shapes, no error).

Parsing the whole 7 MB file costs about a second, which a first start cannot afford for the
30-odd shapes the demo shows. So set-up also writes an index beside it (`areas.geojson.sqlite`,
one row per feature, `python -m conflictmap.maps.areas`), and a lookup reads just the rows
asked for. The index is rebuilt whenever it is older than the file; when it cannot be written
(a read-only install), the file itself is read, once per process.
"""

from __future__ import annotations

import json
import os
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Iterable

AREAS_ENV = "CONFLICTMAP_AREAS"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "geodata" / "build" / "areas.geojson"


def areas_path() -> Path:
    return Path(os.environ.get(AREAS_ENV) or DEFAULT_PATH)


def index_path(path: Path) -> Path:
    return path.with_name(path.name + ".sqlite")


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[int, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or unreadable: areas are drawn without shapes
    return {int(f["properties"]["geonameid"]): f for f in data.get("features", ()) if f.get("properties")}


def build_index(path: Path | None = None) -> Path | None:
    """Write the id -> feature index beside the shapes file (atomically); None when there is no file or no room."""
    path = path or areas_path()
    shapes = _load(path)
    if not shapes:
        return None
    target = index_path(path)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with sqlite3.connect(partial) as db:
            db.execute("DROP TABLE IF EXISTS areas")
            db.execute("CREATE TABLE areas (geonameid INTEGER PRIMARY KEY, feature TEXT NOT NULL)")
            db.executemany("INSERT INTO areas VALUES (?, ?)",
                           ((gid, json.dumps(f, separators=(",", ":"))) for gid, f in shapes.items()))
        db.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error):
        partial.unlink(missing_ok=True)
        return None
    return target


def _fresh_index(path: Path) -> Path | None:
    index = index_path(path)
    try:
        if index.stat().st_mtime >= path.stat().st_mtime:
            return index
    except OSError:
        return None  # no shapes file, or no index yet
    return None


def _from_index(index: Path, ids: list[int]) -> dict[int, dict] | None:
    try:
        db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
        try:
            found: dict[int, dict] = {}
            for start in range(0, len(ids), 500):  # below SQLite's limit on bound parameters
                chunk = ids[start:start + 500]
                rows = db.execute(f"SELECT geonameid, feature FROM areas WHERE geonameid IN ({','.join('?' * len(chunk))})",
                                  chunk)
                found.update((int(gid), json.loads(text)) for gid, text in rows)
            return found
        finally:
            db.close()
    except (sqlite3.Error, ValueError):
        return None  # a broken index: read the file instead


def area_features(geonameids: Iterable[int]) -> dict[int, dict]:
    """GeoJSON features (properties: geonameid, kind, name) for those ids that have a shape.

    kind is "admin1", "country", "region", "sea", "lake" or "island" (polygons) or
    "river" (a line). Missing ids are left out; the features may be shared, so copy before changing one.
    """
    ids = sorted({int(i) for i in geonameids})
    if not ids:
        return {}
    path = areas_path()
    index = _fresh_index(path) or (build_index(path) if path.exists() else None)
    if index is not None:
        found = _from_index(index, ids)
        if found is not None:
            return found
    shapes = _load(path)
    return {i: shapes[i] for i in ids if i in shapes}


if __name__ == "__main__":  # set-up: python -m conflictmap.maps.areas
    made = build_index()
    print(f"area index: {made}" if made else "area index: no shapes file, nothing to index")
