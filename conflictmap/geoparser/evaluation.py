"""Evaluation on annotated corpora, with the same counting rules as the reference scorer.

Recognition: a prediction matches a gold toponym when their spans overlap, one to
one, gold toponyms taken in corpus order and predictions in output order.
Resolution: great-circle error over matched pairs. `tests/test_cli.py` checks
that our figures equal `../shared/eval/score.py` on the same output.
"""

from __future__ import annotations

import math
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conflictmap.mentions import Mention

EARTH_RADIUS_KM = 6371.0088
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
            elif t.find("type") is not None:
                if t.findtext("type") in _GWN_NOT_PLACES:
                    continue
                lat, lon = _num(t.findtext("latitude")), _num(t.findtext("longitude"))
                phrase, gid = t.findtext("extractedName"), t.findtext("geonamesID") or None
            else:
                continue
            if lat is not None and lon is not None:
                gold.append(Gold(start, end, phrase or "", lat, lon, gid))
        for loc in art.iter("location"):
            lat, lon = _num(loc.findtext("lat")), _num(loc.findtext("lon"))
            gold.append(Gold(int(loc.findtext("start")), int(loc.findtext("end")), loc.findtext("name") or "", lat, lon))  # type: ignore[arg-type]
        docs.append(Doc(art.get("docid") or art.get("file") or str(n), art.findtext("text") or "", dltime[:10] or None, tuple(gold)))
    return docs


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius), as the reference scorer measures it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


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
    for d in docs:
        pairs, extra = match(d.gold, predictions.get(str(d.id), []))
        tp += len(pairs)
        fn += len(d.gold) - len(pairs)
        fp += extra
        errors.extend(km(g.lat, g.lon, float(p.place.lat), float(p.place.lon)) for g, p in pairs)
    errors.sort()
    n = len(errors)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    close = sum(1 for e in errors if e <= 161)
    nan = float("nan")
    return {
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


def rounded(result: dict[str, Any]) -> dict[str, Any]:
    """Floats to three places, as the reference scorer prints them."""
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


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
