"""The demo corpus is the showcase: every place mention in it, annotated by hand, is found and right.

`conflictmap/demo/iraq-2014.gold.jsonl` holds, per article (same order as the demo), each
place mention with the gazetteer place meant. Mentions of places the gazetteer does not
hold (rivers, shrines, villages) carry a point and a tolerance instead of an id: a pin for
one must be where it is, and once the gazetteer holds the place, it must be found. Anything pinned that is not in the
gold is a spurious pin.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conflictmap.distance import km
from conflictmap.geoparser.names import normalize_name

DEMO = Path(__file__).resolve().parents[1] / "conflictmap" / "demo"


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DEMO / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def parser(full_parser):
    """The demo is judged on the gazetteer it ships with, not the unit-test fixture."""
    return full_parser


@pytest.fixture(scope="module")
def parsed(parser):
    articles = _load("iraq-2014.jsonl")
    gold = _load("iraq-2014.gold.jsonl")
    assert [a["title"] for a in articles] == [g["title"] for g in gold], "the gold file must follow the demo, article for article"
    out = []
    for article, annotated in zip(articles, gold):
        # as ingest calls it: body, date and the outlet context
        found = [m.to_dict() for m in parser.parse(article["text"], article["published"], title=article["title"],
                                                   source=article["source"], url=article["url"], demonyms=False, candidates=False)]
        out.append((article, annotated["places"], found))
    return out


def test_gold_spans_are_the_texts_they_name():
    for article, annotated in zip(_load("iraq-2014.jsonl"), _load("iraq-2014.gold.jsonl")):
        for g in annotated["places"]:
            assert article["text"][g["start"] : g["end"]] == g["text"], (article["title"], g)


def _placeable(parser, g: dict) -> bool:
    """Has the gazetteer gained the place an unlisted mention names (a river, a village)? Then it must be found."""
    if g["kind"] != "unlisted":
        return False
    found = parser.gazetteer.candidates(normalize_name(g["text"]))
    return any(km(p.lat, p.lon, g["lat"], g["lon"]) <= g["km"] for p in found)


def test_every_demo_mention_is_found_and_right_and_nothing_else_is_pinned(parser, parsed):
    problems = []
    for article, gold, found in parsed:
        used: set[int] = set()
        for g in gold:
            hit = next((k for k, p in enumerate(found) if k not in used and p["start"] < g["end"] and g["start"] < p["end"]), None)
            where = f"{article['title']!r} @{g['start']} {g['text']!r}"
            if hit is None:
                if g["geonameid"] is not None or _placeable(parser, g):
                    problems.append(f"missed: {where} (should be {g['name']})")
                continue
            used.add(hit)
            p = found[hit]
            if g["geonameid"] is not None:
                if p["geonameid"] != g["geonameid"]:
                    problems.append(f"wrong: {where} -> {p['name']} ({p['country_code']}), should be {g['name']}")
            elif km(p["lat"], p["lon"], g["lat"], g["lon"]) > g["km"]:
                problems.append(f"wrong: {where} -> {p['name']} ({p['country_code']}), should be {g['name']}")
        for k, p in enumerate(found):
            if k not in used:
                problems.append(f"spurious: {article['title']!r} @{p['start']} {p['text']!r} -> {p['name']} ({p['country_code']})")
    assert not problems, f"{len(problems)} demo pins differ from the gold:\n" + "\n".join(problems)


def test_demo_map_has_no_pin_where_the_story_never_goes(parsed):
    """Issue 11's check, independent of the gold: US pins only in Washington, DC and New York; none in the
    Philippines or Morocco; no Iranian province."""
    stray = []
    for article, _gold, found in parsed:
        for p in found:
            if p["country_code"] == "US" and p["kind"] != "country":
                if min(km(p["lat"], p["lon"], 38.9, -77.04), km(p["lat"], p["lon"], 40.71, -74.0)) > 30:
                    stray.append((article["title"], p["text"], p["name"]))
            if p["country_code"] in ("PH", "MA") or (p["country_code"] == "IR" and p["kind"] == "admin1"):
                stray.append((article["title"], p["text"], p["name"]))
    assert not stray
