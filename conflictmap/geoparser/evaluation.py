"""Evaluation on annotated corpora, with the same counting rules as the reference scorer.

Recognition: a prediction matches a gold toponym when their spans overlap, one to
one, gold toponyms taken in corpus order and predictions in output order.
Resolution: great-circle error over matched pairs. `tests/test_cli.py` checks
that our figures equal `../shared/eval/score.py` on the same output. Beyond the
scorer's figures: `id_acc`, the share of matched toponyms given the gold's own
GeoNames id (LGL, TR-News, GeoWebNews carry ids), and for corpora whose gold has a
toponym type (GeoWebNews: Literal, Metonymic, Embedded_Literal, ...) recall and
e2e acc@161 per type.
"""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conflictmap.distance import km
from conflictmap.mentions import Mention

WORST_KM = 20039.0
# Gold types in GeoWebNews that are not places on a map.
_GWN_NOT_PLACES = {"Demonym", "Non_Toponym", "Literal_Expression", "Non_Lit_Expression", "Language", "Homonym"}


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    phrase: str
    lat: float
    lon: float
    geonameid: str | None = None
    kind: str | None = None  # GeoWebNews' toponym type (Literal, Metonymic, ...), where the corpus has one


@dataclass(frozen=True)
class Doc:
    id: str
    text: str
    date: str | None
    gold: tuple[Gold, ...]


def _num(x: str | None) -> float | None:
    try:
        return float(x) if x is not None else None
    except ValueError:
        return None


def load_corpus(path: str | Path) -> list[Doc]:
    """Read LGL, TR-News, GeoWebNews or GeoVirus XML into `Doc`s (gold without coordinates is left out)."""
    root = ET.parse(path).getroot()
    docs = []
    for n, art in enumerate(root.iter("article")):
        dltime = (art.findtext("dltime") or "").strip()
        gold: list[Gold] = []
        for t in art.iter("toponym"):
            start, end = int(t.findtext("start")), int(t.findtext("end"))
            tag = t.find("gaztag")
            if tag is not None:
                lat, lon, phrase, gid = _num(tag.findtext("lat")), _num(tag.findtext("lon")), t.findtext("phrase"), tag.get("geonameid")
                kind = None
            elif t.find("type") is not None:
                kind = t.findtext("type")
                if kind in _GWN_NOT_PLACES:
                    continue
                lat, lon = _num(t.findtext("latitude")), _num(t.findtext("longitude"))
                phrase, gid = t.findtext("extractedName"), t.findtext("geonamesID") or None
            else:
                continue
            if lat is not None and lon is not None:
                gold.append(Gold(start, end, phrase or "", lat, lon, gid, kind))
        for loc in art.iter("location"):
            lat, lon = _num(loc.findtext("lat")), _num(loc.findtext("lon"))
            gold.append(Gold(int(loc.findtext("start")), int(loc.findtext("end")), loc.findtext("name") or "", lat, lon))  # type: ignore[arg-type]
        docs.append(Doc(art.get("docid") or art.get("file") or str(n), art.findtext("text") or "", dltime[:10] or None, tuple(gold)))
    return docs


def match(gold: Sequence[Gold], predicted: Sequence[Mention]) -> tuple[list[tuple[Gold, Mention]], int]:
    """Pair gold toponyms with overlapping predictions; returns pairs and the unmatched prediction count."""
    located = [p for p in predicted if p.place.lat is not None and p.place.lon is not None]
    taken = [False] * len(located)
    pairs = []
    for g in gold:
        for k, p in enumerate(located):
            if not taken[k] and p.start < g.end and g.start < p.end:
                taken[k] = True
                pairs.append((g, p))
                break
    return pairs, taken.count(False)


def score(docs: Iterable[Doc], predictions: dict[str, list[Mention]]) -> dict[str, Any]:
    """Recognition and resolution figures over a corpus, unrounded (see the module docstring)."""
    tp = fp = fn = 0
    errors: list[float] = []
    with_id = same_id = 0
    by_type: dict[str, list[int]] = {}  # type -> [gold, found, found within 161 km]
    for d in docs:
        pairs, extra = match(d.gold, predictions.get(str(d.id), []))
        tp += len(pairs)
        fn += len(d.gold) - len(pairs)
        fp += extra
        found = {id(g): p for g, p in pairs}
        for g in d.gold:
            p = found.get(id(g))
            err = km(g.lat, g.lon, float(p.place.lat), float(p.place.lon)) if p is not None else None
            if err is not None:
                errors.append(err)
            if p is not None and g.geonameid:
                with_id += 1
                same_id += str(p.place.geonameid) == str(g.geonameid)
            if g.kind:
                row = by_type.setdefault(g.kind, [0, 0, 0])
                row[0] += 1
                row[1] += p is not None
                row[2] += err is not None and err <= 161
    errors.sort()
    n = len(errors)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    close = sum(1 for e in errors if e <= 161)
    nan = float("nan")
    result: dict[str, Any] = {
        "P": precision,
        "R": recall,
        "F1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "acc161": close / n if n else 0.0,
        "auc": sum(math.log1p(e) for e in errors) / (n * math.log(WORST_KM)) if n else nan,
        "mean_km": sum(errors) / n if n else nan,
        "median_km": errors[n // 2] if n else nan,
        "e2e_acc161": close / (tp + fn) if tp + fn else 0.0,
        "gold": tp + fn,
        "predicted": tp + fp,
    }
    if with_id:
        # the same GeoNames id as the gold: what an export keyed by id agrees with
        result["id_acc"] = same_id / with_id
    if by_type:
        result["by_type"] = {
            kind: {"gold": n, "R": hit / n, "e2e_acc161": close / n} for kind, (n, hit, close) in sorted(by_type.items())
        }
    return result


def rounded(result: dict[str, Any]) -> dict[str, Any]:
    """Floats to three places, as the reference scorer prints them (nested figures too)."""
    return {k: rounded(v) if isinstance(v, dict) else round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


def evaluate(path: str | Path, parse: Callable[[str, str | None], list[Mention]]) -> dict[str, Any]:
    """Geoparse every article of a corpus with `parse(text, date)` and score it."""
    docs = load_corpus(path)
    t0 = time.perf_counter()
    predictions = {d.id: parse(d.text, d.date) for d in docs}
    wall = time.perf_counter() - t0
    result = score(docs, predictions)
    result["docs_per_s"] = len(docs) / wall if wall else float("inf")
    result["wall_s"] = wall
    return rounded(result)
