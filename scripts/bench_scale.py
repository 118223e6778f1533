"""Benchmark the server deployment: dashboard views on SQLite and PostgreSQL as the store
grows (10k, 100k, 1M mentions), and bulk ingest on Dask with 1 and 2 workers.

Views: a synthetic store (5 mentions per article over 3,000 real gazetteer places, a
few dominating as in news, a year of days, 25 sources) is bulk-loaded (executemany on
SQLite, COPY on PostgreSQL, the kept counts rebuilt once), then a fresh process times
what one page view costs the server (place, timeline and count queries, `build_map`,
local assets and the HTML render) for the whole year (first map) and twelve one-month
windows (slider changes), the map payload, and that process's peak memory.

Ingest: the demo corpus repeated with distinct ids (default 20,000 articles) into a
fresh PostgreSQL database through `bulk_ingest` with 1, then 2 Dask workers.

A private PostgreSQL server runs in a temporary folder for the length of the run.

Usage: .venv/bin/python scripts/bench_scale.py [--scales 10000,100000,1000000] [--ingest 20000] [--skip-views] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import io
import os
import json
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from conflictmap.filters import Filters  # noqa: E402
from conflictmap.store.pgserver import LocalPostgres  # noqa: E402

OUTLINES = ROOT / "geodata" / "countries.geojson"
PER_ARTICLE = 5


def synthetic_rows(mentions: int, seed: int = 7):
    """(places, articles, mentions) rows for a store of about `mentions` mentions."""
    from conflictmap.geoparser.gazetteer import default_gazetteer

    rng = random.Random(seed)
    gaz = default_gazetteer()
    with gaz._lock:  # a one-off read of a sample of real places
        ids = [r[0] for r in gaz._db.execute(
            "SELECT geonameid FROM places WHERE kind IN ('city','country','admin1') AND population > 20000 ORDER BY geonameid").fetchall()]
    pool = [gaz.place(i).as_place() for i in rng.sample(ids, 3000)]
    places = [(k + 1, p.geonameid, p.name, p.lat, p.lon, p.country_code, p.admin1, p.feature, p.kind) for k, p in enumerate(pool)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(pool))]
    sources = [f"Desk {i}" for i in range(25)]
    start = date(2014, 1, 1)
    articles, rows = [], []
    for n in range(mentions // PER_ARTICLE):
        day = (start + timedelta(days=rng.randrange(365))).isoformat()
        picked = rng.choices(range(len(pool)), weights=weights, k=PER_ARTICLE)
        text = " ".join(f"Report {n} mentions {pool[k].name}." for k in picked)
        articles.append((f"bench-{n}", f"Synthetic report {n}", text, rng.choice(sources), f"{day}T12:00:00+00:00", day, "bench"))
        pos = 0
        for k in picked:
            pos = text.index(pool[k].name, pos)
            rows.append((f"bench-{n}", pos, pos + len(pool[k].name), pool[k].name, k + 1, f"Report {n} mentions {pool[k].name}.",
                         day, 0.9, "prior", "[]"))
            pos += len(pool[k].name)
    return places, articles, rows


ARTICLE_COLS = "id, title, text, source, published, day, added_at"
PLACE_COLS = "id, geonameid, name, lat, lon, country_code, admin1, feature, kind"
MENTION_COLS = 'article_id, start, "end", text, place_id, sentence, date, confidence, reason, candidates'


def load_sqlite(path: Path, mentions: int) -> None:
    from conflictmap.store.sqlite import Store

    places, articles, rows = synthetic_rows(mentions)
    with Store(path) as s, s._transaction() as db:
        # bulk load without the per-row count triggers, then rebuild the counts once and put the triggers back
        saved = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'place_days_%'")]
        for name in ("place_days_ins", "place_days_del"):
            db.execute(f"DROP TRIGGER {name}")
        db.executemany(f"INSERT INTO places ({PLACE_COLS}) VALUES ({','.join('?' * 9)})", places)
        db.executemany(f"INSERT INTO articles ({ARTICLE_COLS}) VALUES ({','.join('?' * 7)})", articles)
        db.executemany(f"INSERT INTO mentions ({MENTION_COLS}) VALUES ({','.join('?' * 10)})", rows)
        db.execute("INSERT INTO place_days (place_id, day, demonym, mentions, articles) SELECT place_id, COALESCE(date, ''),"
                   " reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id) FROM mentions GROUP BY 1, 2, 3")
        for sql in saved:
            db.execute(sql)
    with Store(path) as s:
        s._db.execute("ANALYZE")


def load_postgres(dsn: str, mentions: int) -> None:
    import psycopg

    from conflictmap.store.postgres import PostgresStore

    PostgresStore(dsn).close()  # the schema
    places, articles, rows = synthetic_rows(mentions)
    with psycopg.connect(dsn) as conn:
        conn.execute("SET session_replication_role = replica")  # bulk load without per-row triggers; counts rebuilt below
        with conn.cursor() as cur:
            for table, cols, data in (("places", PLACE_COLS, places), ("articles", ARTICLE_COLS, articles), ("mentions", MENTION_COLS, rows)):
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            cur.execute("SELECT setval('places_id_seq', (SELECT max(id) FROM places))")
            cur.execute("INSERT INTO place_days (place_id, day, demonym, mentions, articles) SELECT place_id, COALESCE(date, ''),"
                        " reason LIKE 'demonym%', COUNT(*), COUNT(DISTINCT article_id) FROM mentions GROUP BY 1, 2, 3")
            cur.execute("UPDATE revision SET n = n + 1")
        conn.execute("SET session_replication_role = origin")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def views(target: str) -> dict:
    """What one dashboard process pays for a first map and slider changes (run in a fresh process)."""
    from conflictmap import queries
    from conflictmap.maps.assets import local_assets
    from conflictmap.maps.build import build_map
    from conflictmap.store import open_store

    store = open_store(target)
    outlines = json.loads(OUTLINES.read_text(encoding="utf-8")) if OUTLINES.exists() else None

    sql: list[float] = []

    def page(filters: Filters) -> tuple[float, int]:
        t0 = time.perf_counter()
        places = queries.places(store, filters)
        queries.daily(store, filters.but(start=None, end=None))
        store.totals(filters)
        store.facets()
        sql.append(time.perf_counter() - t0)
        html = local_assets(build_map(places, window=(filters.start, filters.end), outlines=outlines)).get_root().render()
        return time.perf_counter() - t0, len(html.encode("utf-8"))

    first, payload = page(Filters(start=date(2014, 1, 1), end=date(2014, 12, 31)))
    slider = sorted(page(Filters(start=date(2014, m, 1), end=date(2014, m, 28)))[0] for m in range(1, 13))
    stats = store.stats()
    return {"articles": stats["articles"], "mentions": stats["mentions"], "first_map_s": round(first, 3),
            "first_map_sql_s": round(sql[0], 3), "slider_sql_median_s": round(sorted(sql[1:])[len(sql[1:]) // 2], 3),
            "slider_median_s": round(slider[len(slider) // 2], 3), "slider_max_s": round(slider[-1], 3),
            "payload_mb": round(payload / 1e6, 2), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def demo_copies(folder: Path, n: int) -> Path:
    """The demo corpus repeated to n articles, each copy with its own URL and text (so its own id)."""
    from conflictmap.ingest import DEMO_CORPUS

    lines = [json.loads(x) for x in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = io.StringIO()
    for k in range(n):
        row = dict(lines[k % len(lines)])
        row["url"] = f"https://example.org/copy/{k}"
        row["text"] = row["text"] + f"\n\nCopy {k}."
        out.write(json.dumps(row) + "\n")
    path = folder / f"demo-x{n}.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def ingest_rate(dsn: str, path: Path, workers: int) -> dict:
    """Articles/s into PostgreSQL: in this process without Dask (workers=0), or on a local cluster (start-up included)."""
    from conflictmap.bulk import bulk_ingest
    from conflictmap.ingest import ingest
    from conflictmap.store.postgres import PostgresStore

    with PostgresStore(dsn) as store:
        t0 = time.perf_counter()
        report = bulk_ingest([path], store, workers=workers) if workers else ingest([path], store)
        took = time.perf_counter() - t0
    return {"workers": workers, "articles": report.added, "seconds": round(took, 1), "articles_per_s": round(report.added / took, 1),
            "per_worker": round(report.added / took / max(1, workers), 1), "failed": len(report.failed), "load_avg": _load()}


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="10000,100000,1000000", help="mention counts, comma-separated")
    ap.add_argument("--ingest", type=int, default=20_000, help="articles for the ingest runs")
    ap.add_argument("--skip-views", action="store_true")
    ap.add_argument("--skip-ingest", action="store_true")
    ap.add_argument("--views-of", help=argparse.SUPPRESS)  # internal: time the views of one store in this process
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the private PostgreSQL is stopped on the way out
    if args.views_of:
        print(json.dumps(views(args.views_of)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    tmp.chmod(0o755)
    with LocalPostgres(tmp / "pg") as pg:
        if not args.skip_views:
            for scale in (int(s) for s in args.scales.split(",")):
                for backend in ("sqlite", "postgresql"):
                    t0 = time.perf_counter()
                    if backend == "sqlite":
                        target = str(tmp / f"s{scale}.db")
                        load_sqlite(Path(target), scale)
                    else:
                        target = pg.create_database(f"s{scale}")
                        load_postgres(target, scale)
                    load_s = time.perf_counter() - t0
                    done = subprocess.run([sys.executable, __file__, "--views-of", target], capture_output=True, text=True, cwd=ROOT)
                    if done.returncode:
                        print(json.dumps({"backend": backend, "scale": scale, "error": done.stderr[-800:]}), flush=True)
                        continue
                    print(json.dumps({"backend": backend, "scale": scale, "load_s": round(load_s, 1), **json.loads(done.stdout),
                                      "load_avg": _load()}), flush=True)
        if not args.skip_ingest:
            path = demo_copies(tmp, args.ingest)
            for workers in (0, 1, 2):
                print(json.dumps({"ingest": "postgresql", **ingest_rate(pg.create_database(f"ingest{workers}"), path, workers)}), flush=True)


if __name__ == "__main__":
    main()
