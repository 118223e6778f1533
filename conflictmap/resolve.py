"""Resolution: decide which place on Earth each recognised name means.

Population alone puts Alexandria in Egypt; a reader uses the rest of the article.
Each candidate is scored by its prior (size, kind, exact name) plus evidence from
the document: countries and provinces the other names point to, an explicit
qualifier ("Alexandria, Louisiana"), and nearness to the other places. Two passes:
the first picks by prior to learn the article's focus, the second decides with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .gazetteer import Place
from .names import normalize_name
from .recognize import Span

MAX_CANDIDATES = 60

# Hand-set from reading news and checked on the dev corpora by cross-validation
# (docs/evaluation.md); kept few so they cannot memorise a corpus.
WEIGHTS = {
    "log_pop": 0.55,
    "kind_country": 3.0,
    "kind_continent": 2.5,
    "kind_admin1": 2.2,
    "kind_region": 2.0,
    "kind_admin2": 1.0,
    "capital": 1.2,
    "admin_seat": 0.4,
    "primary_name": 0.8,
    "country_focus": 3.5,
    "admin1_focus": 2.5,
    "qualifier": 6.0,
    "near_50": 1.5,
    "near_300": 0.7,
}


@dataclass
class Choice:
    """A resolved span: the place picked, how sure we are, why, and the runners-up."""

    span: Span
    place: Place
    confidence: float
    reason: str
    alternatives: list[tuple[Place, float]] = field(default_factory=list)


def prior(p: Place, key: str, w: dict[str, float] = WEIGHTS) -> float:
    score = w["log_pop"] * math.log10(1 + p.population)
    score += w.get("kind_" + p.kind, 0.0)
    if p.feature_code == "PPLC":
        score += w["capital"]
    elif p.feature_code in ("PPLA", "PPLA2"):
        score += w["admin_seat"]
    if normalize_name(p.name) == key:
        score += w["primary_name"]
    return score


def resolve(spans: Sequence[Span], *, weights: dict[str, float] = WEIGHTS) -> list[Choice]:
    if not spans:
        return []
    cands = [_trim(s) for s in spans]
    priors = [[prior(p, s.key, weights) for p in cs] for s, cs in zip(spans, cands)]
    first = [cs[max(range(len(cs)), key=ps.__getitem__)] for cs, ps in zip(cands, priors)]

    countries = Counter(p.country_code for p in first if p.country_code)
    admin1s = Counter((p.country_code, p.admin1_code) for p in first if p.admin1_code)
    n = len(spans)
    by_first = {s.first: i for i, s in enumerate(spans)}

    choices: list[Choice] = []
    for i, (s, cs, ps) in enumerate(zip(spans, cands, priors)):
        own = first[i]
        # the qualifier: the span right after a comma ("Alexandria, Louisiana")
        qual = None
        if s.cues.get("qualified"):
            j = _next_span(spans, by_first, s)
            qual = cands[j] if j is not None else None
        others = [first[k] for k in range(n) if k != i and first[k].kind not in ("country", "continent", "region")]
        # "Baghdad" is the city unless the text says "Baghdad province": a city that sits in a
        # province of the same name takes the province's standing.
        namesakes = {(p.country_code, p.admin1_code) for p in cs if p.kind == "admin1"}
        admin_word = bool(s.cues.get("next_place_head"))
        scored: list[tuple[float, Place, str]] = []
        for p, base in zip(cs, ps):
            score = base
            why = "prior"
            if p.kind == "city" and (p.country_code, p.admin1_code) in namesakes and not admin_word:
                score += weights["kind_admin1"]
            if admin_word and p.kind in ("admin1", "admin2"):
                score += weights["kind_admin1"]
            if n > 1 and p.country_code:
                share = (countries[p.country_code] - (own.country_code == p.country_code)) / (n - 1)
                if share > 0:
                    score += weights["country_focus"] * share
                    why = "country focus"
                a1 = (p.country_code, p.admin1_code)
                if p.admin1_code and p.kind not in ("admin1", "country"):
                    share1 = (admin1s[a1] - ((own.country_code, own.admin1_code) == a1)) / (n - 1)
                    if share1 > 0:
                        score += weights["admin1_focus"] * share1
                        why = "province focus"
            if qual and any(_contains(q, p) for q in qual):
                score += weights["qualifier"]
                why = "qualified by the name after it"
            if others and p.kind in ("city", "landmark", "admin2"):
                d = min(_km(p, o) for o in others)
                if d < 50:
                    score += weights["near_50"]
                    why = "near other places"
                elif d < 300:
                    score += weights["near_300"]
            scored.append((score, p, why))
        scored.sort(key=lambda t: -t[0])
        best_score, best, why = scored[0]
        total = sum(math.exp(sc - best_score) for sc, _, _ in scored)
        confidence = 1.0 / total
        if s.via == "demonym":
            why = f"demonym of {best.name}"
        choices.append(Choice(s, best, confidence, why, [(p, sc) for sc, p, _ in scored[1:6]]))
    return choices


def _trim(s: Span) -> tuple[Place, ...]:
    if len(s.places) <= MAX_CANDIDATES:
        return s.places
    # keep the big ones and every non-city (a county or province is never dropped)
    keep = [p for p in s.places if p.kind != "city"]
    cities = sorted((p for p in s.places if p.kind == "city"), key=lambda p: -p.population)
    return tuple(keep + cities[: MAX_CANDIDATES - len(keep)])


def _next_span(spans: Sequence[Span], by_first: dict[int, int], s: Span) -> int | None:
    return by_first.get(s.last + 1)


def _contains(container: Place, p: Place) -> bool:
    if container.kind == "country":
        return container.country_code == p.country_code
    if container.kind == "admin1":
        return container.country_code == p.country_code and container.admin1_code == p.admin1_code
    return False


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))
