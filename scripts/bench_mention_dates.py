"""The day a sentence talks about: our patterns (`mention_dates.mention_date`) against dateparser.

The geoparser asks this of every sentence of every article, so its cost per sentence
sits inside the geoparser's throughput (docs/benchmarks.md, issue 11's ≥ 200 articles/s).
This times both over every sentence of the demo corpus, each anchored on its article's
day, and counts how often they name the same day. dateparser is asked the way it offers
for finding dates inside text: `search_dates(sentence, settings={RELATIVE_BASE: the
article's day, PREFER_DATES_FROM: past})`, its first find taken.

Prints one JSON line. Usage: .venv/bin/python scripts/bench_mention_dates.py [--sentences 400]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conflictmap.geoparser.mention_dates import mention_date  # noqa: E402
from conflictmap.geoparser.sentences import sentences  # noqa: E402
from conflictmap.ingest import DEMO_CORPUS  # noqa: E402


def corpus_sentences(limit: int) -> list[tuple[str, date]]:
    out = []
    for line in DEMO_CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        day = date.fromisoformat(str(record["published"])[:10])
        out += [(record["text"][a:b], day) for a, b in sentences(record["text"])]
    return out[:limit]


def main() -> None:
    from dateparser.search import search_dates

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=400)
    pairs = corpus_sentences(ap.parse_args().sentences)
    t = time.perf_counter()
    ours = [mention_date(s, d) for s, d in pairs]
    ours_us = (time.perf_counter() - t) / len(pairs) * 1e6
    search_dates("warm up on Monday", languages=["en"])  # its first call loads its language data
    t = time.perf_counter()
    theirs = []
    for s, d in pairs:
        found = search_dates(s, languages=["en"], settings={"RELATIVE_BASE": datetime(d.year, d.month, d.day),
                                                             "PREFER_DATES_FROM": "past"})
        theirs.append((found[0][1].date(), found[0][0]) if found else (d, ""))
    theirs_us = (time.perf_counter() - t) / len(pairs) * 1e6
    dated = [(o, p) for o, p in zip(ours, theirs) if o[1] or p[1]]
    same = sum(o[0] == p[0] for o, p in dated)
    print(json.dumps({
        "sentences": len(pairs), "ours_us_per_sentence": round(ours_us, 1), "dateparser_us_per_sentence": round(theirs_us, 1),
        "ratio": round(theirs_us / ours_us), "sentences_either_dates": len(dated), "same_day": same,
        "ours_only": sum(bool(o[1]) and not p[1] for o, p in dated), "dateparser_only": sum(bool(p[1]) and not o[1] for o, p in dated),
        "dateparser_only_examples": [p[1] for o, p in dated if p[1] and not o[1]][:8],
        "both_but_differ_examples": [(o[1], p[1]) for o, p in dated if o[1] and p[1] and o[0] != p[0]][:8],
    }))


if __name__ == "__main__":
    main()
