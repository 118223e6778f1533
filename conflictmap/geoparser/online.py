"""Optional online geocoding, for names the offline gazetteer lacks.

Nothing here runs unless a user asks for it, and every failure of the network is
answered with `None`, so the product works the same with the network off. Wrapping
follows geopy's own pattern: `RateLimiter` keeps Nominatim at one request a second,
and `CachedGeocoder` wraps any geocode callable with a persistent cache so no name
is ever asked twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from geopy.exc import GeopyError
from geopy.location import Location
from geopy.point import Point

from conflictmap import __version__
from conflictmap.geoparser.gazetteer import Gazetteer, GazetteerEntry
from conflictmap.mentions import Place

USER_AGENT = f"conflictmap/{__version__} (news mapping dashboard)"


class CachedGeocoder:
    """A geocode callable with a persistent answer cache (hits and misses alike).

    `geocode` is any callable taking a query string and returning a geopy
    `Location` or None, e.g. `RateLimiter(Nominatim(...).geocode, ...)`.
    """

    def __init__(self, geocode: Callable[[str], Location | None], cache_path: str | Path) -> None:
        self._geocode = geocode
        self._lock = threading.Lock()
        Path(cache_path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(cache_path), check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (query TEXT PRIMARY KEY, found INTEGER NOT NULL, address TEXT,"
            " lat REAL, lon REAL, raw TEXT, asked_at REAL NOT NULL)"
        )

    def __call__(self, query: str) -> Location | None:
        key = " ".join(query.split()).casefold()
        with self._lock:
            row = self._db.execute("SELECT found, address, lat, lon, raw FROM answers WHERE query = ?", (key,)).fetchone()
        if row is not None:
            found, address, lat, lon, raw = row
            return Location(address, Point(lat, lon), json.loads(raw)) if found else None
        try:
            loc = self._geocode(query)
        except (GeopyError, OSError):
            return None  # offline or refused: say nothing, remember nothing, try again another time
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, int(loc is not None), loc.address if loc else None, loc.latitude if loc else None,
                 loc.longitude if loc else None, json.dumps(loc.raw if loc else {}, default=str), time.time()),
            )
        return loc

    def asked(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])


def nominatim(cache_path: str | Path, *, user_agent: str = USER_AGENT, timeout: float = 5.0) -> CachedGeocoder:
    """OpenStreetMap's Nominatim, one request a second at most, answers cached on disk."""
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    service = Nominatim(user_agent=user_agent, timeout=timeout)
    limited = RateLimiter(service.geocode, min_delay_seconds=1.0, max_retries=1, error_wait_seconds=2.0, swallow_exceptions=False)
    return CachedGeocoder(limited, cache_path)


@dataclass(frozen=True)
class Match:
    """A place a looked-up name may mean, how to label it for a user, and who answered."""

    place: Place
    label: str
    source: str


def lookup(name: str, offline: Gazetteer, online: CachedGeocoder | None = None, *, limit: int = 8) -> list[Match]:
    """Places a user may mean by `name`: the offline gazetteer's first, then the online answer if asked for.

    Each match's `place` is ready for `Store.correct(new_place=...)`.
    """
    out: list[Match] = []
    found = offline.geocode(name, exactly_one=False) or []
    for loc in found[:limit]:
        out.append(Match(GazetteerEntry(**loc.raw).as_place(), loc.address, "gazetteer"))
    if online is not None:
        loc = online(name)
        if loc is not None:
            out.append(Match(Place(name=name.strip(), lat=loc.latitude, lon=loc.longitude), loc.address, "OpenStreetMap"))
    return out
