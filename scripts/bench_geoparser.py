"""Benchmark the geoparser: start-up, warm throughput on one core, long-text cost, peak memory.

Usage: .venv/bin/python scripts/bench_geoparser.py [CORPUS.xml ...]
Prints one line per figure; docs/benchmarks.md keeps the results with dates.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPORA = ROOT.parent / "shared" / "corpora"


def main() -> None:
    paths = sys.argv[1:] or [str(CORPORA / "lgl.xml"), str(CORPORA / "GeoVirus.xml")]
    t0 = time.perf_counter()
    from conflictmap.geoparser.parser import Geoparser

    parser = Geoparser()
    parser.parse("Warm-up in Mosul and Baghdad, Iraq.", "2014-06-10")
    startup = time.perf_counter() - t0

    from conflictmap.geoparser.evaluation import load_corpus

    docs = [d for p in paths for d in load_corpus(p)]
    chars = sum(len(d.text) for d in docs)
    parser.parse(docs[0].text, docs[0].date)  # first real text warms the caches a little
    best = 0.0
    for _ in range(3):
        t1 = time.perf_counter()
        for d in docs:
            parser.parse(d.text, d.date, demonyms=False)
        best = max(best, len(docs) / (time.perf_counter() - t1))
    # Long texts: one 200k-character report (the corpora's articles end to end) against the
    # same characters as separate articles; the ratio of the costs per character should stay near 1.
    long_text, pieces = "", []
    for d in docs:
        if len(long_text) >= 200_000:
            break
        long_text += d.text + "\n\n"
        pieces.append(d.text)
    # best of three of each, like the throughput figure: one timed parse on a shared machine
    # mostly measures the neighbours
    long_s = short_s = float("inf")
    for _ in range(3):
        t2 = time.perf_counter()
        parser.parse(long_text, demonyms=False)
        long_s = min(long_s, time.perf_counter() - t2)
        t3 = time.perf_counter()
        for text in pieces:
            parser.parse(text, demonyms=False)
        short_s = min(short_s, time.perf_counter() - t3)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "startup_s": round(startup, 3),
        "articles": len(docs),
        "mean_chars": round(chars / len(docs)),
        "articles_per_s_one_core": round(best, 1),
        "long_text_chars": len(long_text),
        "long_vs_articles_cost_per_char": round(long_s / short_s, 2),
        "peak_rss_mb": round(peak_mb, 1),
    }))


if __name__ == "__main__":
    main()
