"""Benchmark the dashboard's server side at newsroom scale.

Generates a synthetic store (default 10,000 articles, 50,000 mentions over real
gazetteer places and a year of days), then times what one page view costs the
server: the queries, the map build and its HTML, for a first map and for a slider
change, and reports the map payload the browser receives.

Usage: .venv/bin/python scripts/bench_dashboard.py [--articles 10000] [--per-article 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflictmap import queries  # noqa: E402
from conflictmap.maps.assets import local_assets  # noqa: E402
from conflictmap.maps.vendor import load_outlines  # noqa: E402
from conflictmap.filters import Filters  # noqa: E402
from conflictmap.geoparser.gazetteer import default_gazetteer  # noqa: E402
from conflictmap.maps.build import build_map  # noqa: E402
from conflictmap.mentions import Mention  # noqa: E402
from conflictmap.store.sqlite import Store  # noqa: E402

OUTLINES = ROOT / "geodata" / "countries.geojson"


def generate(store: Store, articles: int, per_article: int, seed: int = 7) -> None:
    """Fill a store with synthetic articles whose mentions point at real places."""
    rng = random.Random(seed)
    gaz = default_gazetteer()
    with gaz._lock:  # a one-off read of a sample of real places
        rows = gaz._db.execute(
            "SELECT geonameid FROM places WHERE kind IN ('city','country','admin1') AND population > 20000 ORDER BY geonameid"
        ).fetchall()
    pool = [gaz.place(r[0]) for r in rng.sample(rows, 3000)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(pool))]  # a few places dominate, as in news
    start = date(2014, 1, 1)
    sources = [f"Desk {i}" for i in range(25)]
    for n in range(articles):
        day = start + timedelta(days=rng.randrange(365))
        places = rng.choices(pool, weights=weights, k=per_article)
        text = " ".join(f"Report {n} mentions {p.name}." for p in places)
        mentions, pos = [], 0
        for p in places:
            pos = text.index(p.name, pos)
            mentions.append(Mention(start=pos, end=pos + len(p.name), text=p.name, place=p.as_place(), date=day.isoformat(),
                                    sentence=f"Report {n} mentions {p.name}.", confidence=0.9))
            pos += len(p.name)
        store.add_article({"id": f"bench-{n}", "title": f"Synthetic report {n}", "text": text, "source": rng.choice(sources),
                           "published": f"{day.isoformat()}T12:00:00+00:00"}, mentions)


def page_view(store: Store, filters: Filters, outlines: dict) -> tuple[float, int]:
    t0 = time.perf_counter()
    places = queries.places(store, filters)
    queries.daily(store, filters.but(start=None, end=None))
    store.totals(filters)
    m = local_assets(build_map(places, window=(filters.start, filters.end), outlines=outlines))
    html = m.get_root().render()
    return time.perf_counter() - t0, len(html.encode("utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--per-article", type=int, default=5)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    db = Path(args.db or Path(tempfile.mkdtemp()) / "bench.db")
    store = Store(db)
    t0 = time.perf_counter()
    if not store.stats()["articles"]:
        generate(store, args.articles, args.per_article)
    gen_s = time.perf_counter() - t0
    outlines = load_outlines(OUTLINES) if OUTLINES.exists() else None
    stats = store.stats()
    full = Filters(start=date(2014, 1, 1), end=date(2014, 12, 31))
    first_s, payload = page_view(store, full, outlines)
    slider = []
    for month in range(1, 13):
        window = Filters(start=date(2014, month, 1), end=date(2014, month, 28))
        slider.append(page_view(store, window, outlines)[0])
    print(json.dumps({
        "articles": stats["articles"], "mentions": stats["mentions"], "generate_s": round(gen_s, 1),
        "first_map_s": round(first_s, 3), "slider_change_s_median": round(sorted(slider)[len(slider) // 2], 3),
        "slider_change_s_max": round(max(slider), 3), "map_payload_mb": round(payload / 1e6, 2),
    }))


if __name__ == "__main__":
    main()
