"""Queries: filters in, tidy pandas frames out.

The store aggregates (one row per place, per day); this module only gives the
rows their types and shapes, and writes the exports. Pages and the CLI both call
these functions, so what a user exports is exactly what they were looking at.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import pandas as pd

from conflictmap.credits import credit_text
from conflictmap.filters import Filters
from conflictmap.mentions import Place
from conflictmap.store.sqlite import StoreLike

PLACE_COLUMNS = ["place_id", "name", "lat", "lon", "country_code", "admin1", "feature", "kind", "mentions", "articles", "first_seen", "last_seen",
                 "confidence", "geonameid"]
# a mention row is a `Mention`'s flat fields with its ids and article beside them (candidates as JSON text)
MENTION_COLUMNS = [
    "mention_id", "article_id", "start", "end", "text", "sentence", "sentence_start", "date", "date_cue",
    "confidence", "reason", "place_id", "name", "lat", "lon", "geonameid", "country_code", "admin1", "feature", "kind",
    "geonames_name", "title", "source", "url", "published", "candidates",
]
EXPORT_COLUMNS = ["date", "name", "geonames_name", "lat", "lon", "country_code", "kind", "text", "sentence", "title", "source", "url", "published", "confidence", "article_id"]


def _dates(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for col in cols:
        frame[col] = pd.to_datetime(frame[col], errors="coerce")
    return frame


def places(store: StoreLike, filters: Filters) -> pd.DataFrame:
    """One row per place in view with its mention and article counts."""
    frame = pd.DataFrame(store.place_rows(filters), columns=PLACE_COLUMNS)
    return _dates(frame, "first_seen", "last_seen")


#: a confidence floor below any stored value but zero: it makes the store average the raw mentions
_ANY_CONFIDENCE = 1e-9


def places_with_confidence(store: StoreLike, filters: Filters) -> pd.DataFrame:
    """`places`, with each place's mean confidence filled in even where the per-day counts answered.

    The counts kept for speed carry no confidence, and the map must still draw an uncertain
    place as uncertain (issue 11). Only places whose mean is missing are asked for again,
    from the raw mentions (a mention stored with no confidence at all, 0, is left out of the mean).
    """
    frame = places(store, filters)
    if frame.empty or frame["confidence"].notna().all():
        return frame
    means = {int(r["place_id"]): r["confidence"] for r in store.place_rows(filters.but(min_confidence=max(filters.min_confidence, _ANY_CONFIDENCE)))}
    filled = frame["place_id"].map(lambda pid: means.get(int(pid)))
    frame["confidence"] = frame["confidence"].where(frame["confidence"].notna(), filled)
    return frame


def revision(store: StoreLike) -> str:
    """A token that changes whenever what the store holds does (ingest, correction, deletion).

    The dashboard passes it to its cached reads as a key, so no page needs code that
    invalidates a cache: a new revision is a new key.
    """
    return store.revision()


def is_empty(store: StoreLike) -> bool:
    """No article yet: the dashboard loads the demo corpus on such a first start."""
    return not store.stats()["articles"]


def placed_by_an_older_geoparser(store: StoreLike) -> int:
    """Articles whose places an older geoparser chose: after an upgrade their pins are not what
    today's geoparser would draw until `conflictmap regeoparse` redoes them."""
    from conflictmap.geoparser.parser import current_version  # the geoparser's modules, not its data: imported when asked

    return store.stale_count(current_version())


def totals(store: StoreLike, filters: Filters) -> dict[str, int]:
    """Articles, places and mentions in view: the map page's counts line."""
    return store.totals(filters)


def facets(store: StoreLike) -> dict[str, list[Any]]:
    """What the sidebar's filters can offer: countries, sources and the most mentioned places."""
    return store.facets()


def place(store: StoreLike, place_id: int) -> Place | None:
    """One stored place (as corrected), for the Places page and its confirmations."""
    return store.place(place_id)


def place_candidates(store: StoreLike, place_id: int) -> list[Any]:
    """The places the geoparser weighed against this one, best first: what a correction offers."""
    return store.place_candidates(place_id)


def correction_history(store: StoreLike, place_id: int) -> list[dict[str, Any]]:
    """Who corrected this place, when and how, newest first."""
    return store.correction_history(place_id)


def articles(store: StoreLike, filters: Filters, *, limit: int = 500) -> list[dict[str, Any]]:
    """The articles in view, newest first, as the Articles page lists them."""
    return store.articles(filters, limit=limit)


def article(store: StoreLike, article_id: str) -> dict[str, Any] | None:
    """One article with its text and its place mentions; None when it is no longer stored."""
    return store.article(article_id)


def article_places(record: Mapping[str, Any]) -> pd.DataFrame:
    """The places one article mentions, one row each, in the frame `build_map` draws."""
    mentions = pd.DataFrame(record.get("mentions") or [])
    if mentions.empty:
        return pd.DataFrame(columns=["place_id", "name", "lat", "lon", "country_code", "kind", "mentions", "articles",
                                     "first_seen", "last_seen"])
    frame = (
        mentions.groupby("place_id")
        .agg(name=("name", "first"), lat=("lat", "first"), lon=("lon", "first"), country_code=("country_code", "first"),
             kind=("kind", "first"), mentions=("mention_id", "size"), first_seen=("date", "min"), last_seen=("date", "max"))
        .reset_index()
    )
    frame["articles"] = 1
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


def bulk_span(days: pd.DataFrame, *, share: float = 0.98, gap_days: int = 60) -> tuple[date, date] | None:
    """The dates where the news is: one stray date (a 1947 anniversary) must not squash the timeline.

    Start from the days holding the middle `share` of mentions, then widen across
    neighbouring days with mentions as long as no gap is longer than `gap_days`, so a
    quiet tail that belongs to the story stays in and an isolated outlier stays out.
    `days` is `daily()`'s frame (zero days filled in or not). None when it is empty.
    """
    busy = days[days["mentions"] > 0].sort_values("day") if len(days) else days
    if busy.empty:
        return None
    dates = [d.date() for d in pd.to_datetime(busy["day"])]
    cum = busy["mentions"].cumsum().to_numpy()
    total = float(cum[-1])
    tail = (1.0 - share) / 2 * total
    lo_i = int((cum > tail).argmax())
    hi_i = int((cum >= total - tail).argmax())
    gap = timedelta(days=gap_days)
    while lo_i > 0 and dates[lo_i] - dates[lo_i - 1] <= gap:
        lo_i -= 1
    while hi_i < len(dates) - 1 and dates[hi_i + 1] - dates[hi_i] <= gap:
        hi_i += 1
    return dates[lo_i], dates[hi_i]


def country_names(outlines: Mapping[str, Any] | None) -> dict[str, str]:
    """ISO code -> the short English name a reader knows ("Syria", not "SY"), from the basemap's outlines."""
    names: dict[str, str] = {}
    for feature in (outlines or {}).get("features", []):
        props = feature.get("properties") or {}
        code, name = str(props.get("iso_a2") or "").upper(), props.get("name")
        if len(code) == 2 and name and code not in names:
            names[code] = str(name)
    return names


def place_labels(frame: pd.DataFrame, countries: Mapping[str, str] | None = None) -> dict[int, str]:
    """place_id -> a name a reader can tell apart: "Baghdad", or "London (Ontario, Canada)" when two share a name."""
    countries = countries or {}
    labels: dict[int, str] = {}
    if frame.empty:
        return labels
    counts = frame["name"].astype(str).value_counts()
    for row in frame.to_dict("records"):
        name = str(row["name"])
        if counts.get(name, 0) > 1:
            code = str(row.get("country_code") or "")
            where = [x for x in (str(row.get("admin1") or ""), countries.get(code, code)) if x]
            name = f"{name} ({', '.join(where) or row.get('kind') or 'place'})"
        labels[int(row["place_id"])] = name
    # still the same? (same name, province and country) then the kind or the id tells them apart
    seen: dict[str, list[int]] = {}
    for pid, label in labels.items():
        seen.setdefault(label, []).append(pid)
    for same in (ids for ids in seen.values() if len(ids) > 1):
        kinds = frame.set_index("place_id")["kind"]
        for pid in same:
            labels[pid] = f"{labels[pid]} · {kinds.get(pid, '')} #{pid}"
    return labels


def find_places(frame: pd.DataFrame, text: str, geocoder: Any = None) -> list[int]:
    """place_ids in `frame` a reader means by `text`, in any common spelling ("Fallujah", "Al Fallūjah").

    The gazetteer knows the spellings (`geocoder.geocode(text, exactly_one=False)`, any geopy
    geocoder whose `Location.raw` carries `geonameid`); places are matched on their gazetteer id.
    Names in view that contain the text, accents and case aside, count too.
    """
    from conflictmap.geoparser.names import normalize_name

    text = text.strip()
    if not text or frame.empty:
        return []
    ids: list[int] = []
    if geocoder is not None:
        found = geocoder.geocode(text, exactly_one=False) or []
        wanted = {int(loc.raw["geonameid"]) for loc in found if (loc.raw or {}).get("geonameid") is not None}
        if wanted and "geonameid" in frame.columns:
            ids = [int(p) for p, g in zip(frame["place_id"], frame["geonameid"]) if g == g and g is not None and int(g) in wanted]
    key = normalize_name(text)
    ids += [int(p) for p, n in zip(frame["place_id"], frame["name"]) if key and key in normalize_name(str(n)) and int(p) not in ids]
    return ids


def resolve_place(store: StoreLike, place_id: int | None) -> int | None:
    """The place a (possibly older) link means now: a place corrected into another one is that one.

    A link keeps naming the store's place id, which never changes; a correction only
    says where its mentions went, so the link follows it (corrections never chain).
    """
    if place_id is None:
        return None
    for c in store.corrections():
        if int(c["place_id"]) == int(place_id) and c.get("action") == "replace" and c.get("new_place_id"):
            return int(c["new_place_id"])
    return int(place_id)


def place_line(place: Place | Mapping[str, Any] | None, countries: Mapping[str, str] | None = None) -> str:
    """ "Washington (District of Columbia, United States)": enough to tell two namesakes apart."""
    if not place:
        return "not a place"
    row = place if isinstance(place, Mapping) else place.to_dict()
    code = str(row.get("country_code") or "")
    where = [x for x in (str(row.get("admin1") or ""), (countries or {}).get(code, code)) if x]
    return f"{row.get('name')} ({', '.join(where)})" if where else str(row.get("name"))


def corrections(store: StoreLike, countries: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Corrections made, newest first, each with the from and to places spelled out for a reader."""
    out = []
    for c in store.corrections():
        before = store.place(int(c["place_id"]))
        after = store.place(int(c["new_place_id"])) if c.get("new_place_id") else None
        out.append({**c, "from_label": place_line(before, countries), "to_label": place_line(after, countries)})
    return out


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: article text must never run in Excel."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


#: The data's credit, as GeoNames' licence (CC BY 4.0) asks (`conflictmap.credits`).
ATTRIBUTION = credit_text()


def to_csv(frame: pd.DataFrame) -> str:
    """Mentions as CSV text, safe to open in a spreadsheet; the last column credits the place data."""
    out = io.StringIO()
    cols = [c for c in EXPORT_COLUMNS if c in frame.columns]
    writer = csv.writer(out)
    writer.writerow([*cols, "place_data"])
    for row in frame[cols].itertuples(index=False):
        writer.writerow([*(_safe_cell(_plain(v)) for v in row), ATTRIBUTION])
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
    # foreign members (RFC 7946 §6.1): the credit travels with the file
    return json.dumps({"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}, ensure_ascii=False)


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
