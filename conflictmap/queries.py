"""Queries: filters in, tidy pandas frames out.

The store aggregates (one row per place, per day); this module only gives the
rows their types and shapes, and writes the exports. Pages and the CLI both call
these functions, so what a user exports is exactly what they were looking at.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd

from conflictmap.filters import Filters
from conflictmap.store.sqlite import StoreLike

PLACE_COLUMNS = ["place_id", "name", "lat", "lon", "country_code", "admin1", "feature", "kind", "mentions", "articles", "first_seen", "last_seen"]
# a mention row is a `Mention`'s flat fields (bar its candidates) with its ids and article beside them
MENTION_COLUMNS = [
    "mention_id", "article_id", "start", "end", "text", "sentence", "sentence_start", "date", "date_cue",
    "confidence", "reason", "place_id", "name", "lat", "lon", "geonameid", "country_code", "admin1", "feature", "kind",
    "title", "source", "url", "published",
]
EXPORT_COLUMNS = ["date", "name", "lat", "lon", "country_code", "kind", "text", "sentence", "title", "source", "url", "published", "confidence", "article_id"]


def _dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    return frame


def places(store: StoreLike, filters: Filters) -> pd.DataFrame:
    """One row per place in view with its mention and article counts."""
    frame = pd.DataFrame(store.place_rows(filters), columns=PLACE_COLUMNS)
    return _dates(frame, "first_seen", "last_seen")


def mentions(store: StoreLike, filters: Filters, *, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """Mentions in view, newest first (the excerpts behind the points)."""
    frame = pd.DataFrame(store.mention_rows(filters, limit=limit, offset=offset), columns=MENTION_COLUMNS)
    return _dates(frame, "date")


def daily(store: StoreLike, filters: Filters) -> pd.DataFrame:
    """Mentions per day, with the days that have none filled in as zero (for the timeline)."""
    frame = pd.DataFrame(store.daily_counts(filters), columns=["day", "mentions"])
    frame = _dates(frame, "day").dropna(subset=["day"])
    if frame.empty:
        return frame
    full = pd.date_range(frame["day"].min(), frame["day"].max(), freq="D")
    return frame.set_index("day").reindex(full, fill_value=0).rename_axis("day").reset_index()


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: article text must never run in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """Mentions as CSV text, safe to open in a spreadsheet."""
    out = io.StringIO()
    cols = [c for c in EXPORT_COLUMNS if c in frame.columns]
    writer = csv.writer(out)
    writer.writerow(cols)
    for row in frame[cols].itertuples(index=False):
        writer.writerow([_safe_cell(_plain(v)) for v in row])
    return out.getvalue()


def to_geojson(frame: pd.DataFrame) -> str:
    """Mentions as a GeoJSON FeatureCollection of points (text stays text: JSON escapes it)."""
    cols = [c for c in EXPORT_COLUMNS if c in frame.columns and c not in ("lat", "lon")]
    features = []
    for rec in frame.to_dict("records"):
        if pd.isna(rec.get("lat")) or pd.isna(rec.get("lon")):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(rec["lon"]), float(rec["lat"])]},
                "properties": {c: _plain(rec.get(c)) for c in cols},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _plain(value: Any) -> Any:
    """A cell as plain JSON/CSV data; every kind of missing (None, NaN, NaT) is None, so it exports empty."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def export(store: StoreLike, filters: Filters, fmt: str) -> str:
    """Filtered mentions as 'csv' or 'geojson' text."""
    frame = mentions(store, filters)
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "geojson":
        return to_geojson(frame)
    raise ValueError(f"unknown export format {fmt!r}; use csv or geojson")
