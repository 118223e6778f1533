"""Learning the recognition cue weights, and measuring them honestly.

The model is a logistic regression over the cues in `recognition.FEATURES`: a
handful of weights, so it learns how much "in" or a following surname matters,
not which names are places. Figures on a corpus it learned from are reported only
by k-fold cross-validation: each fold is geoparsed by a model that never saw it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np

from conflictmap.distance import km
from conflictmap.geoparser.evaluation import Doc, load_corpus, rounded, score
from conflictmap.geoparser.gazetteer import Gazetteer
from conflictmap.geoparser.parser import Geoparser
from conflictmap.geoparser.recognition import Recognizer
from conflictmap.geoparser.recognition_cues import FEATURES
from conflictmap.geoparser.resolution_context import candidates, read_context
from conflictmap.geoparser.resolution_cues import FEATURES as RESOLVE_FEATURES, features
from conflictmap.geoparser.spans import tokenize

L2 = 1.0


def fold_of(doc_id: str, corpus: str, folds: int) -> int:
    """A stable fold for a document: the same split on every machine and every run."""
    return int(hashlib.sha256(f"{corpus}/{doc_id}".encode()).hexdigest(), 16) % folds


def examples(recognizer: Recognizer, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """Cue vectors of every proposed span, labelled 1 when it overlaps a gold toponym."""
    rows: list[list[float]] = []
    labels: list[int] = []
    for d in docs:
        tokens = tokenize(d.text)
        spans = recognizer.spans(tokens)
        recognizer.features(tokens, spans)
        for s in spans:
            rows.append(recognizer.vector(s))
            labels.append(int(any(g.start < s.end and s.start < g.end for g in d.gold)))
    return np.array(rows, dtype=float).reshape(-1, len(FEATURES)), np.array(labels, dtype=float)


def choice_examples(recognizer: Recognizer, docs: Sequence[Doc]) -> list[tuple[np.ndarray, int]]:
    """For each gold toponym we propose: the candidates' cue rows and which one is right.

    "Right" is the candidate nearest the gold point, if it is within 161 km; a
    name whose right place is missing from the gazetteer teaches nothing.
    """
    out: list[tuple[np.ndarray, int]] = []
    for d in docs:
        tokens = tokenize(d.text)
        spans = recognizer.spans(tokens)
        recognizer.features(tokens, spans)
        gold_of = {}
        for s in spans:
            g = next((g for g in d.gold if g.start < s.end and s.start < g.end), None)
            if g is not None:
                gold_of[id(s)] = g
        kept = [s for s in spans if id(s) in gold_of]
        if not kept:
            continue
        cands = candidates(kept)
        ctx = read_context(kept, cands)
        for i, s in enumerate(kept):
            g = gold_of[id(s)]
            dists = [km(g.lat, g.lon, p.lat, p.lon) for p in cands[i]]
            right = min(range(len(dists)), key=dists.__getitem__)
            if dists[right] > 161 or len(cands[i]) < 2:
                continue
            out.append((np.array([[row[n] for n in RESOLVE_FEATURES] for row in features(i, kept, cands, ctx)], dtype=float), right))
    return out


def fit_choice(examples: Sequence[tuple[np.ndarray, int]], weights: Sequence[float] | None = None, *, l2: float = L2,
               iterations: int = 100) -> np.ndarray:
    """Conditional logit: the right candidate should outscore the others of the same name."""
    k = len(RESOLVE_FEATURES)
    w = np.zeros(k)
    sample = weights if weights is not None else [1.0] * len(examples)
    for _ in range(iterations):
        grad = l2 * w
        hess = l2 * np.eye(k)
        for (x, right), c in zip(examples, sample):
            z = x @ w
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = p @ x
            grad -= c * (x[right] - mean)
            hess += c * ((x * p[:, None]).T @ x - np.outer(mean, mean))
        step = np.linalg.solve(hess + 1e-9 * np.eye(k), grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def fit(x: np.ndarray, y: np.ndarray, c: np.ndarray | None = None, *, l2: float = L2, iterations: int = 300) -> np.ndarray:
    """Weighted logistic regression by Newton's method (few features, so each step is exact and fast)."""
    c = np.ones(len(y)) if c is None else c
    w = np.zeros(x.shape[1])
    penalty = l2 * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (c * (p - y)) + penalty @ w
        hess = (x * (c * p * (1 - p))[:, None]).T @ x + penalty + 1e-9 * np.eye(x.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut that maximises F1 over proposals (recall lost before proposals is a constant)."""
    best, cut = -1.0, 0.5
    positives = y.sum()
    for t in np.arange(0.2, 0.81, 0.02):
        keep = p >= t
        tp = float((keep & (y == 1)).sum())
        if not keep.any() or not positives:
            continue
        prec, rec = tp / keep.sum(), tp / positives
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if f1 > best:
            best, cut = f1, float(t)
    return round(cut, 2)


def train(x: np.ndarray, y: np.ndarray, c: np.ndarray, choices: Sequence[tuple[np.ndarray, int]], choice_weights: Sequence[float],
          *, note: str = "") -> dict[str, Any]:
    w = fit(x, y, c)
    p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
    r = fit_choice(choices, choice_weights)
    return {
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, w)},
        "threshold": best_threshold(p, y),
        "resolver": {name: round(float(v), 4) for name, v in zip(RESOLVE_FEATURES, r)},
        "trained_on": note,
        "trained": date.today().isoformat(),
        "examples": int(len(y)),
    }


def balance(sizes: dict[str, int]) -> dict[str, float]:
    """Per-example weights that give every corpus the same total say.

    LGL (US local news) has twice GeoVirus's toponyms; unweighted, its habits
    ("Paris" is in Texas) would become the model's habits for all news.
    """
    total = sum(sizes.values())
    return {name: total / (len(sizes) * n) if n else 0.0 for name, n in sizes.items()}


def cross_validate(corpora: Sequence[str], gazetteer: Gazetteer, *, folds: int = 5) -> dict[str, Any]:
    """Train on k-1 folds of all corpora together, geoparse the held-out fold, score each corpus.

    Returns the cross-validated figures per corpus and the model trained on everything.
    """
    docs = {path: load_corpus(path) for path in corpora}
    base = Recognizer(gazetteer, {"weights": {}, "threshold": 0.5})
    # per fold: recognition rows, labels, corpus tags; choice examples and their corpus tags
    rec: list[list[tuple[np.ndarray, np.ndarray, str]]] = [[] for _ in range(folds)]
    cho: list[list[tuple[tuple[np.ndarray, int], str]]] = [[] for _ in range(folds)]
    for path, ds in docs.items():
        for k in range(folds):
            part = [d for d in ds if fold_of(d.id, path, folds) == k]
            x, y = examples(base, part)
            rec[k].append((x, y, path))
            cho[k].extend((c, path) for c in choice_examples(base, part))

    def fit_on(parts: Sequence[int], note: str = "") -> dict[str, Any]:
        blocks = [b for j in parts for b in rec[j]]
        rec_w = balance({p: sum(len(y) for _, y, q in blocks if q == p) for p in corpora})
        choices = [c for j in parts for c in cho[j]]
        cho_w = balance({p: sum(1 for _, q in choices if q == p) for p in corpora})
        return train(
            np.vstack([x for x, _, _ in blocks]),
            np.concatenate([y for _, y, _ in blocks]),
            np.concatenate([np.full(len(y), rec_w[q]) for _, y, q in blocks]),
            [c for c, _ in choices],
            [cho_w[q] for _, q in choices],
            note=note,
        )

    predictions: dict[str, dict[str, list[dict[str, Any]]]] = {path: {} for path in corpora}
    for k in range(folds):
        parser = Geoparser(gazetteer, model=fit_on([j for j in range(folds) if j != k]), demonyms=False)
        for path, ds in docs.items():
            for d in ds:
                if fold_of(d.id, path, folds) == k:
                    predictions[path][d.id] = parser.parse(d.text, d.date, demonyms=False, candidates=False)
    figures = {path: rounded(score(docs[path], predictions[path])) for path in corpora}
    names = ", ".join(p.rsplit("/", 1)[-1] for p in corpora)
    final = fit_on(range(folds), note=f"all of {names}, each corpus weighted equally")
    final["cross_validated"] = {p.rsplit("/", 1)[-1]: f for p, f in figures.items()}
    final["folds"] = folds
    return {"figures": figures, "model": final}
