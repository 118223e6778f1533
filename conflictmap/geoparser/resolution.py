"""Resolution: decide which place on Earth each recognised name means.

Population alone puts Alexandria in Egypt; a reader uses the rest of the article.
Each candidate is described by named cues (`resolution_cues`): its standing (size,
kind, exact name) and what the document says around it: the countries and provinces
the other names point to, an explicit qualifier ("Alexandria, Louisiana"), a province
named outright, and nearness to the other places. The weights of those cues are
learned (a conditional logit, `training.py`, cross-validated); a hand-set prior picks a
first guess for every name so the context of each can be read from the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import mul

from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.place_slots import AIRPORT_CODES
from conflictmap.geoparser.recognition import SEAT_OF_POWER
from conflictmap.geoparser.resolution_context import candidates, neighbour_guesses, read_context
from conflictmap.geoparser.resolution_cues import (
    CONTEXT, FALLBACK, STANDING, contains, context, context_key, qualifier_index, standing, standing_key,
)
from conflictmap.geoparser.spans import Span


@dataclass
class Choice:
    """A resolved span: the place picked, how sure we are, why, and the runners-up."""

    span: Span
    place: GazetteerEntry
    confidence: float
    reason: str
    alternatives: list[tuple[GazetteerEntry, float]] = field(default_factory=list)


def _reason(cues: dict[str, float]) -> str:
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
    if cues["country_next_door"]:
        return "a neighbour of a country the article names"
    return "best known place of that name"


# Seats of power are curated because the dev corpora hardly name them, so no weight could
# be learned: the bonus makes "the Kremlin" the Kremlin unless a qualifier says otherwise.
SEAT_BONUS = 10.0
# An airport has no population of its own, so a namesake hamlet (Heathrow, Florida) outranks it
# on size; beside words of air travel (recognition's "aviation" cue) the airport is meant. The
# dev corpora annotate airports too rarely for a weight to be learned.
AIRPORT_BONUS = 6.0
# "Georgia's president", "the Georgia parliament": what only a sovereign state has makes the name the
# country; the dev corpora name too few such countries beside a bigger namesake for a weight
STATE_BONUS = 3.0
# a name listed with countries only is one too, unless its own score says otherwise by more
LIST_BONUS = 2.5
HOME = "home"  # a flag `_follow_home` sets on a candidate's cues, not a learned cue


def weighed(table: Mapping[str, float], names: Sequence[str]) -> Callable[[Mapping[str, float]], float]:
    """A candidate's score from its cue dict, summed by cue name over the cues the model weighs.

    By name, so a cue dict's key order does not matter; a cue the model weighs that a dict
    lacks is a bug in the cue code and raises KeyError rather than scoring 0.
    """
    used = [name for name in names if table.get(name)]
    weights = [float(table[name]) for name in used]

    def score(row: Mapping[str, float]) -> float:
        return sum(map(mul, weights, map(row.__getitem__, used)))

    return score


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
    table = weights or FALLBACK
    standing_score = weighed(table, STANDING)
    context_score = weighed(table, CONTEXT)
    cands = candidates(spans)
    ctx = read_context(spans, cands)
    if home_country:
        ctx.named_countries.add(home_country)
    home_set = set(home)
    lists: dict[float, list[int]] = {}
    for i, s in enumerate(spans):
        if "list_group" in s.cues:
            lists.setdefault(s.cues["list_group"], []).append(i)
    # what each candidate is does not change between rounds: its cues and their part of
    # the score are read once (a seat of power's bonus with them)
    # (a name written again with the same candidates and the same surroundings gets the same
    # cues: they are read once per document, keyed by everything they depend on)
    fixed: list[tuple[list[dict[str, float]], list[float]]] = []
    known: dict[tuple, tuple[list[dict[str, float]], list[float]]] = {}
    for i in range(len(spans)):
        key = standing_key(i, spans, cands)
        if key not in known:
            rows = standing(i, spans, cands, ctx)
            base = [standing_score(row) for row in rows]
            for k, (p, row) in enumerate(zip(cands[i], rows)):
                if p.feature_code == SEAT_OF_POWER and not row["qualifier"]:
                    base[k] += SEAT_BONUS
                elif p.feature_code in AIRPORT_CODES and spans[i].cues.get("aviation") and not row["qualifier"]:
                    base[k] += AIRPORT_BONUS
                elif p.kind == "country" and spans[i].cues.get("state_noun") and not row["qualifier"]:
                    base[k] += STATE_BONUS
            known[key] = (rows, base)
        fixed.append(known[key])
    # two rounds: the second reads each name's context from the others' first-round choices
    for round_ in range(2):
        picks = []
        said_before: dict[tuple, tuple[list[dict[str, float]], list[float]]] = {}
        for i in range(len(spans)):
            rows, base = fixed[i]
            others = neighbour_guesses(i, ctx)
            key = (context_key(i, spans, cands, ctx, others), id(base))
            if key not in said_before:
                said = context(i, spans, cands, ctx, others)
                said_before[key] = (said, [b + context_score(row) for b, row in zip(base, said)])
            said, scores = said_before[key]
            scores = list(scores)
            if _listed_with_countries(i, spans, lists, ctx.first):
                for k, p in enumerate(cands[i]):
                    if p.kind == "country":
                        scores[k] += LIST_BONUS
            picks.append((rows, said, scores))
        chosen = [cands[i][max(range(len(sc)), key=sc.__getitem__)] for i, (_, _, sc) in enumerate(picks)]
        _outlet_in_its_country(spans, cands, picks, chosen, home_set, home_country)
        _follow_home(spans, cands, picks, chosen, home_set)
        _qualifier_holds_its_town(spans, cands, picks, chosen)
        if round_ == 0:
            memo = ctx.distances
            ctx = read_context(spans, cands, chosen, grid=ctx.grid)
            ctx.distances = memo
            if home_country:
                ctx.named_countries.add(home_country)
    choices: list[Choice] = []
    for i, s in enumerate(spans):
        rows, said, scores = picks[i]
        order = sorted(range(len(scores)), key=lambda k: -scores[k])
        best = order[0]
        top = scores[best]
        confidence = 1.0 / sum(math.exp(scores[k] - top) for k in order)
        place = cands[i][best]
        why = f"demonym of {place.name}" if s.via == "demonym" else _reason({**rows[best], **said[best]})
        if place.kind == "country" and s.cues.get("state_noun") and why == "best known place of that name":
            why = "named with what only a country has (its president, parliament, embassy...)"
        if i not in home_set and said[best].get(HOME):
            why = "where the story comes from (its outlet or dateline)"
        choices.append(Choice(s, place, confidence, why, [(cands[i][k], scores[k]) for k in order[1:6]]))
    return choices


def _listed_with_countries(i: int, spans: Sequence[Span], lists: dict[float, list[int]], guesses: Sequence[GazetteerEntry]) -> bool:
    """"Georgia and Ukraine", "Armenia, Azerbaijan and Georgia": the other members are countries, none a smaller place."""
    mates = [j for j in lists.get(spans[i].cues.get("list_group", -1.0), ()) if j != i]
    return bool(mates) and all(guesses[j].kind == "country" for j in mates)


def _outlet_in_its_country(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], picks: list,
                           chosen: list[GazetteerEntry], home: set[int], country: str | None) -> None:
    """The town an outlet is named after lies in the country of its domain ("The London Free Press"
    at a .ca address is London, Ontario). A dateline is left alone: a Canadian paper may carry
    "LONDON (Reuters) —" from England."""
    if not country:
        return
    for h in home:
        if spans[h].cues.get("dateline") or chosen[h].country_code == country:
            continue
        _rows, _said, scores = picks[h]
        local = [k for k, p in enumerate(cands[h]) if p.country_code == country and p.kind in ("city", "admin1", "admin2")]
        if local:
            k = max(local, key=scores.__getitem__)
            scores[k] = max(scores) + SEAT_BONUS
            chosen[h] = cands[h][k]


def _qualifier_holds_its_town(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], picks: list,
                              chosen: list[GazetteerEntry]) -> None:
    """"GOMA, Congo", "Mosul, Iraq": the name after the comma is the country or province the town
    is in. The town already leans on it (the `qualifier` cue); here the qualifier leans back, so
    "Congo" is the Democratic Republic when Goma is there, not the better-known namesake."""
    for i in range(len(spans)):
        q = qualifier_index(i, spans)
        if q is None or contains(chosen[q], chosen[i]):
            continue
        _rows, _said, scores = picks[q]
        holding = [k for k, p in enumerate(cands[q]) if contains(p, chosen[i])]
        if holding:
            k = max(holding, key=scores.__getitem__)
            scores[k] = max(scores) + SEAT_BONUS
            chosen[q] = cands[q][k]


def _follow_home(spans: Sequence[Span], cands: Sequence[tuple[GazetteerEntry, ...]], picks: list, chosen: list[GazetteerEntry], home: set[int]) -> None:
    """A name the outlet or dateline also names goes where they put it ("London police" in a London, Ontario paper)."""
    if not home:
        return
    where = {spans[h].key: chosen[h] for h in home}
    for i, s in enumerate(spans):
        target = where.get(s.key)
        if i in home or target is None:
            continue
        rows, said, scores = picks[i]
        k = next((k for k, p in enumerate(cands[i]) if p.geonameid == target.geonameid), None)
        if k is None or rows[k]["qualifier"] or any(r["qualifier"] for r in rows):
            continue
        scores[k] = max(scores) + SEAT_BONUS
        for j, r in enumerate(said):
            r.setdefault(HOME, float(j == k))
        chosen[i] = cands[i][k]
