"""Places of recent conflicts in wire-style sentences: found, and placed where they are.

The sentences (tests/fixtures/conflict_wire.tsv) were written for this project to cover the
wars and routes news is about (Syria, Iraq, Yemen, Libya, Ukraine, Gaza, Afghanistan, Sudan,
the Sahel, the Caucasus, migration). A place counts when a mention overlaps its name and lies
within 161 km of the point meant (300 km for areas). Each sentence is geoparsed on its own,
the hardest case: no article around it to lend context.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from geopy.distance import distance

FIXTURE = Path(__file__).parent / "fixtures" / "conflict_wire.tsv"
# Written on 2026-12-02 (session 7) by a helper that saw neither the code nor the set above:
# 70 sentences, 153 places, a check of how the rules generalise. Not tuned on.
HELD_OUT = Path(__file__).parent / "fixtures" / "conflict_wire_heldout.tsv"


@dataclass
class Gold:
    surface: str
    lat: float
    lon: float
    area: bool


@pytest.fixture(scope="module")
def parser(full_parser):
    """How many conflict places are found and placed is the point: the full built gazetteer (an accuracy test)."""
    return full_parser


def load(path: Path = FIXTURE) -> list[tuple[str, list[Gold]]]:
    items: list[tuple[str, list[Gold]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        tag, *fields = line.split("\t")
        if tag == "S":
            items.append((fields[0], []))
        else:
            surface, lat, lon, kind = fields
            items[-1][1].append(Gold(surface, float(lat), float(lon), kind == "region"))
    return items


def score(parser, path: Path = FIXTURE) -> tuple[float, list[str]]:
    """Share of gold places found and placed, and a line for each miss."""
    hits, misses, total = 0, [], 0
    for sentence, golds in load(path):
        found = parser.parse(sentence)
        for g in golds:
            total += 1
            start = sentence.index(g.surface)
            end = start + len(g.surface)
            m = next((m for m in found if m.start < end and start < m.end), None)
            limit = 300 if g.area else 161
            if m and distance((m.place.lat, m.place.lon), (g.lat, g.lon)).km <= limit:
                hits += 1
            else:
                where = f"{m.place.name} ({m.place.lat:.2f}, {m.place.lon:.2f})" if m else "not found"
                misses.append(f"{g.surface!r} in {sentence!r}: {where}")
    return hits / total, misses


@pytest.mark.parametrize("path", [FIXTURE, HELD_OUT], ids=["dev", "held-out"])
def test_fixture_is_well_formed(path):
    items = load(path)
    assert len(items) >= 40 and sum(len(g) for _, g in items) >= 80
    for sentence, golds in items:
        assert golds, sentence
        for g in golds:
            assert g.surface in sentence, (g.surface, sentence)


# The issue's target is 0.97. The gazetteer's part (names, spellings, kinds of place) took
# this set from 0.844 to 0.92-0.93; place slots (a lone foreign name after a preposition or a
# verb of motion, a passive subject, a list member: geoparser/place_slots.py) took it to 0.978
# (2026-12-02), and 1.000 once Idomeni came into the gazetteer (curated/small_places.csv) and a
# name an airport answers to beside words of air travel became the airport, not Heathrow, Florida.
FLOOR = 0.97


def test_conflict_places_are_found_and_placed(parser):
    share, misses = score(parser)
    assert share >= FLOOR, f"{share:.3f}; misses:\n" + "\n".join(misses)


# The held-out set scored 0.889 on its first run (2026-12-02, before and after session 7's
# display-name rules): 17 misses, listed in docs/evaluation.md. The floor keeps it from falling.
HELD_OUT_FLOOR = 0.88


def test_held_out_conflict_places_do_not_fall(parser):
    share, misses = score(parser, HELD_OUT)
    assert share >= HELD_OUT_FLOOR, f"{share:.3f}; misses:\n" + "\n".join(misses)


def test_the_issue_sentence(parser):
    found = {m.text: m.place for m in parser.parse("Strikes hit Kobani, Deir ez-Zor and Kiev; boats reached Lesbos.")}
    assert (found["Kobani"].name, found["Kobani"].country_code) == ("Kobani", "SY")
    assert found["Deir ez-Zor"].name == "Deir ez-Zor" and found["Deir ez-Zor"].country_code == "SY"
    assert found["Kiev"].name == "Kyiv"


def test_the_issue_sentence_finds_lesbos(parser):
    found = {m.text: m.place for m in parser.parse("Strikes hit Kobani, Deir ez-Zor and Kiev; boats reached Lesbos.")}
    assert found["Lesbos"].name == "Lesbos" and found["Lesbos"].country_code == "GR"


def test_display_names_are_the_english_ones(parser):
    names = {m.text: m.place.name for s, _ in load() for m in parser.parse(s)}
    for written in ("Tikrit", "Baiji", "Fallujah", "Raqqa", "Sinjar", "Qaraqosh", "Tal Afar"):
        assert names.get(written) == written, (written, names.get(written))
    assert names.get("Kiev") == "Kyiv"
    assert names.get("Dohuk") in ("Dohuk", "Duhok")
    assert all(n.isascii() for n in names.values()), names


@pytest.mark.parametrize(
    "sentence,written,country",
    [
        ("Shelling hit Kharkov and Odessa on Tuesday, Ukrainian officials said.", "Odessa", "UA"),
        ("Troops left Kiev for Odessa.", "Odessa", "UA"),
        ("Missiles struck Odessa and Nikolayev overnight.", "Odessa", "UA"),
        ("Refugees from Kiev and Kharkov reached Lviv.", "Kharkov", "UA"),
        ("Refugees from Kiev and Kharkov reached Lviv.", "Kiev", "UA"),
        ("Police in Bombay and Delhi arrested four men.", "Bombay", "IN"),
        # the namesake still wins where the text names its state
        ("Flights from Odessa, Texas, to Dallas resumed.", "Odessa", "US"),
    ],
)
def test_old_spellings_beside_other_places_of_the_country(parser, sentence, written, country):
    """Issue 12: an older spelling English still writes (Odessa for Odesa) is the place's name too."""
    found = {m.text: m.place for m in parser.parse(sentence)}
    assert written in found and found[written].country_code == country, (written, found.get(written))
