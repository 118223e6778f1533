"""A tiny gazetteer for the unit tests, written by the tests themselves.

Unit tests are about our code, not about GeoNames: they should not wait on, or
change with, the 70 MB gazetteer that `./setup.sh` builds. `write_gazetteer(path)`
writes an SQLite file with the built gazetteer's schema holding only the rows in
`tests/fixtures/gazetteer.json`: the places the demo corpus and the test files' strings
name, a few namesakes each (so resolution still has a choice), their countries and
provinces, every country, capital and city of a million under its main names, and the
dictionary words and given names the recogniser asks about.
The rows are GeoNames data (CC BY 4.0) and our curated CSVs, as the build makes them.

Accuracy tests use the full build instead (`full_parser` in conftest.py).
The tables come from `geodata/build_gazetteer.py` (`SCHEMA`, `INDEXES`) itself; when they
change, `test_gazetteer_fixture.py` fails until the rows below are regenerated.

Regenerate the rows after changing the build or the demo corpus (needs the full build):

    .venv/bin/python -m tests.gazetteer_fixture
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "fixtures" / "gazetteer.json"
sys.path.insert(0, str(ROOT))
from geodata.build_gazetteer import INDEXES, SCHEMA  # noqa: E402  - the build's own tables, not a copy

TABLES = ("places", "names", "demonyms", "abbreviations", "words", "given_names", "meta")

# Sentences and names the unit tests geoparse or look up beyond the demo corpus.
EXTRA_TEXTS = [
    "Kurdish forces retook Mosul Dam from militants. Aid flights landed in Erbil on Sunday.",
    "Kurdish forces held Kirkuk and Erbil. Fighting spread from Mosul to Tikrit. Talks resumed in Geneva.",
    "Officials in Mosul, Baghdad, Erbil, Kirkuk, Tikrit, Samarra, Najaf, Karbala, Basra and Ramadi said convoys left.",
    "Refugees fled Sinjar for Erbil and Dohuk. Kurdish forces retook Zumar. Aid reached Aleppo on 2 July 2014.",
    "Fighters entered Mosul. It was posted in Baghdad. Clashes near Kirkuk. Refugees reached Erbil.",
]


def write_gazetteer(path: Path, data: Path = DATA) -> Path:
    """Write the fixture gazetteer to `path` (a fresh file) and return it."""
    rows = json.loads(data.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        for table in TABLES:
            if rows.get(table):
                marks = ",".join("?" * len(rows[table][0]))
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
        db.executescript(INDEXES)
    db.close()
    return path


def extract(full: Path, texts: list[str]) -> dict[str, list[list[Any]]]:
    """The rows of the full gazetteer that `texts` need, chosen by running the real geoparser over them.

    Every country, capital and city of a million also goes in under its main names, so a
    new test that names one works without regenerating the fixture.
    """
    from conflictmap.geoparser.gazetteer import Gazetteer
    from conflictmap.geoparser.names import normalize_name
    from conflictmap.geoparser.parser import Geoparser

    gaz = Gazetteer(full)
    parser = Geoparser(gaz)
    chosen: set[int] = set()
    keys: set[str] = set()
    for text in texts:
        for m in parser.parse(text):
            chosen.add(m.place.geonameid)
            keys.add(normalize_name(m.text))
            chosen.update(c.geonameid for c in m.candidates[:2])
    db = sqlite3.connect(f"file:{full}?mode=ro", uri=True)

    def select(sql: str, args: tuple = ()) -> list[list[Any]]:
        return [list(r) for r in db.execute(sql, args)]

    def ids(values: set) -> str:
        return ",".join(str(int(v)) for v in sorted(values))

    # each place's country and province, so context cues find them as the full build would
    homes = select(f"SELECT DISTINCT country_code, admin1_code FROM places WHERE geonameid IN ({ids(chosen)})")
    for cc, a1 in homes:
        chosen.update(r[0] for r in select("SELECT geonameid FROM places WHERE kind = 'country' AND country_code = ?", (cc,)))
        chosen.update(r[0] for r in select("SELECT geonameid FROM places WHERE kind = 'admin1' AND country_code = ? AND admin1_code = ?",
                                           (cc, a1)))
    world = {r[0] for r in select("SELECT geonameid FROM places WHERE kind = 'country'"
                                   " OR (kind = 'city' AND (population >= 1000000 OR feature_code = 'PPLC'))")} - chosen
    places = select(f"SELECT * FROM places WHERE geonameid IN ({ids(chosen | world)}) ORDER BY geonameid")
    # every spelling of the places the texts chose; the others' names in English and ISO forms, not GeoNames' many alternates
    names = select(f"SELECT * FROM names WHERE geonameid IN ({ids(chosen)})"
                   f" OR (geonameid IN ({ids(world)}) AND source != 'alt') ORDER BY name, geonameid")
    keys.update(r[0] for r in names)
    chosen |= world
    # the recogniser asks the dictionary about candidate names, and the given names about any word before one
    tokens = sorted({w for text in texts for w in normalize_name(text).split()} | keys)
    quoted = ",".join("?" * len(tokens))
    return {
        "places": places,
        "names": names,
        "demonyms": [r for r in select("SELECT * FROM demonyms ORDER BY name") if r[0] in keys],
        "abbreviations": [r for r in select("SELECT * FROM abbreviations ORDER BY name, geonameid") if r[0] in keys and r[1] in chosen],
        "words": [r for r in select(f"SELECT * FROM words WHERE word IN ({quoted}) ORDER BY word", tuple(tokens)) if r[0] in keys],
        "given_names": select(f"SELECT * FROM given_names WHERE name IN ({quoted}) ORDER BY name", tuple(tokens)),
        "meta": [["schema_version", "1"], ["builder", "tests/gazetteer_fixture.py (rows of geodata/build_gazetteer.py's build)"],
                 ["sources", "GeoNames (CC BY 4.0); curated CSVs (this project)"]],
    }


def test_sentences() -> list[str]:
    """Every string in the test files that could name a place: what the unit tests will geoparse or look up."""
    import ast

    found = []
    for path in sorted(Path(__file__).resolve().parent.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c.isupper() for c in node.value):
                found.append(node.value)
    return found


def dump(rows: dict[str, list[list[Any]]], out: Path = DATA) -> None:
    """One row per line, so a regenerated fixture reads as a small diff."""
    parts = []
    for table in TABLES:
        body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows[table])
        parts.append(f'"{table}": [\n{body}\n]')
    out.write_text("{\n" + ",\n".join(parts) + "\n}\n", encoding="utf-8")


def main() -> None:
    from conflictmap.geoparser.gazetteer import DEFAULT_PATH
    from conflictmap.ingest import DEMO_CORPUS

    texts = [json.loads(line).get("text", "") for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    seed = ROOT.parent / "shared" / "seed"
    texts += [p.read_text(encoding="utf-8") for p in sorted(seed.glob("*.txt"))] + EXTRA_TEXTS + test_sentences()
    rows = extract(DEFAULT_PATH, texts)
    dump(rows)
    print(", ".join(f"{t} {len(rows[t])}" for t in TABLES), "->", DATA.relative_to(ROOT))


if __name__ == "__main__":
    main()
