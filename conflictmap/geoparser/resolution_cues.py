"""The cues resolution weighs for each candidate place of a name, by name.

A candidate's cues split in two: what it is (its size, kind, exact name, a qualifier
after it, a namesake close by) never changes while one document is resolved, so it is
read once; what the rest of the document says about it (the countries and provinces
the other names point to, its nearest neighbour) is read again each round, from the
others' current choices. Both are dicts keyed by the cue's name, like recognition's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from conflictmap.distance import between
from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.names import normalize_name
from conflictmap.geoparser.resolution_context import (
    POINTS,
    Context,
    grid_cell,
    memo_km,
    holds_other,
    neighbour_guesses,
    neighbours,
    prior,
)
from conflictmap.geoparser.spans import Span

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
    "country_next_door",
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



def _near_any(i: int, p: GazetteerEntry, ctx: Context, km: float = 25.0) -> bool:
    """Does any candidate of another name lie within `km` of p? (Paris, Tennessee beside Henry County, Tennessee.)"""
    a, b = grid_cell(p)
    own_key = ctx.keys[i]
    for da in (-1, 0, 1):
        for db in (-1, 0, 1):
            for gid, (q, owners) in ctx.grid.get((a + da, b + db), {}).items():
                if gid != p.geonameid and (owners[0] != own_key or len(owners) > 1) and memo_km(p, q, ctx.distances) < km:
                    return True
    return False


def qualifier_index(i: int, spans: Sequence[Span]) -> int | None:
    """The span of the name that qualifies span i ("Alexandria, Louisiana"), if one does."""
    s = spans[i]
    if not s.cues.get("qualified"):
        return None
    return next((k for k in range(i + 1, len(spans)) if spans[k].first == s.last + 1), None)


def qualifier_of(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> tuple[GazetteerEntry, ...] | None:
    """The candidates of the name that qualifies span i, if one does."""
    nxt = qualifier_index(i, spans)
    return cands[nxt] if nxt is not None else None


def standing_key(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]]) -> tuple:
    """Everything `standing` reads about span i: two mentions with the same key get the same cues."""
    s = spans[i]
    return (s.key, id(cands[i]), s.via, s.qualifier_prefix, bool(s.cues.get("next_place_head")), id(qualifier_of(i, spans, cands)),
            bool(s.cues.get("aviation")), bool(s.cues.get("state_noun")))


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
        exact = s.key in p.main_keys  # its own name, or the spelling English writes more ("Odessa")
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
            "qualifier": float(bool(qual) and any(contains(q, p) for q in qual) or _abbreviated(s, p)),
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
    actors = ctx.actor_countries
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
        # `memo_km` written out: this loop meets every candidate and neighbour of the document
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
            # a country beside one the story names: "Russia invaded Georgia", "Turkey and Georgia",
            # where the bare name's larger namesake (the US state) has nothing in the story near it
            "country_next_door": float(p.kind == "country" and cc not in actors and bool(neighbours(cc) & actors)),
            # an area that holds another place of the story ("Georgia" beside "Tbilisi")
            "contains_other": float(holds_other(i, p, ctx)),
            "near_25": float(d is not None and d < 25),
            "near_100": float(d is not None and 25 <= d < 100),
            "near_300": float(d is not None and 100 <= d < 300),
            "far": float(d is not None and d >= 1000),
        })
    return rows


def features(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context) -> list[dict[str, float]]:
    """Every cue of every candidate of span i (same order as `cands[i]`; keys in `FEATURES` order)."""
    return [{**a, **b} for a, b in zip(standing(i, spans, cands, ctx), context(i, spans, cands, ctx))]



def contains(container: GazetteerEntry, p: GazetteerEntry) -> bool:
    """Is `p` inside the country or province `container`?"""
    if container.kind == "country":
        return container.country_code == p.country_code
    if container.kind == "admin1":
        return container.country_code == p.country_code and container.admin1_code == p.admin1_code
    return False

