"""The unit tests' gazetteer is a faithful miniature of the built one."""

from __future__ import annotations

import sqlite3

from conflictmap.geoparser.gazetteer import Gazetteer
from tests.conftest import full_gazetteer_path
from tests.gazetteer_fixture import TABLES


def columns(path) -> dict[str, list[tuple[str, str]]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return {t: [(r[1], r[2]) for r in db.execute(f"PRAGMA table_info({t})")] for t in TABLES}


def test_fixture_has_the_schema_of_the_built_gazetteer(gazetteer_path):
    built = columns(full_gazetteer_path())
    assert all(built.values()), built  # every table of the fixture exists in the build
    assert columns(gazetteer_path) == built, "fixture and build disagree: rebuild (python geodata/build_gazetteer.py) or regenerate (python -m tests.gazetteer_fixture)"


def test_fixture_answers_like_a_gazetteer(gazetteer_path):
    gaz = Gazetteer(gazetteer_path)
    mosul = gaz.geocode("Mosul")
    assert mosul is not None and mosul.raw["country_code"] == "IQ" and abs(mosul.latitude - 36.34) < 0.2
    assert gaz.geocode("Tikrit").raw["geonameid"] == gaz.geocode("Tikrīt").raw["geonameid"]
    assert gaz.country("IQ").name == "Iraq" and gaz.demonym("iraqi").country_code == "IQ"
    assert gaz.geocode("Nowhere-at-all-ville") is None
    # small: a few hundred places, not the world
    with sqlite3.connect(gazetteer_path) as db:
        assert 50 < db.execute("SELECT COUNT(*) FROM places").fetchone()[0] < 2000
