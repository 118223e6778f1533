"""Benchmark the server deployment: dashboard views on SQLite and PostgreSQL as the store
grows (10k, 100k, 1M mentions), and bulk ingest on Dask with 1 and 2 workers.

Views: a synthetic store (5 mentions per article over 3,000 real gazetteer places, a
few dominating as in news, a year of days, 25 sources) is bulk-loaded (executemany on
SQLite, COPY on PostgreSQL, the kept counts rebuilt once), then a fresh process times
what one page view costs the server (place rows with their mean confidence, as the dashboard
asks for them; timeline and count queries; `build_map`, local assets and the HTML render)
for the whole year (first map) and twelve one-month windows (slider changes), the map
payload, and that process's peak memory.

Ingest: the demo corpus repeated with distinct ids (default 20,000 articles) into a
fresh PostgreSQL database through `bulk_ingest` with 1, then 2 Dask workers.

A private PostgreSQL server runs in a temporary folder for the length of the run.

Usage: .venv/bin/python scripts/bench_scale.py [--scales 10000,100000,1000000] [--ingest 20000] [--ingest-workers 0,1,2]
       [--skip-views] [--skip-ingest]
"""

from __future__ import annotations

import argparse
import io
import os
import json
import random
import resource
import shutil
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
                         day, 0.9, "prior"))
            pos += len(pool[k].name)
    return places, articles, rows


ARTICLE_COLS = "id, title, text, source, published, day, added_at"
PLACE_COLS = "id, geonameid, name, lat, lon, country_code, admin1, feature, kind"
MENTION_COLS = 'article_id, start, "end", text, place_id, sentence, date, confidence, reason'


def load_sqlite(path: Path, mentions: int) -> None:
    from conflictmap.store.schema import COUNTS_REBUILD
    from conflictmap.store.sqlite import Store

    places, articles, rows = synthetic_rows(mentions)
    with Store(path) as s, s._transaction() as db:
        # bulk load without the per-row count triggers, then rebuild the counts once and put the triggers back
        saved = [r for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'place_days_%'"
                                       " OR name LIKE 'place_months_%' OR name LIKE 'article_days_%')")]
        for name, _ in saved:
            db.execute(f"DROP TRIGGER {name}")
        db.executemany(f"INSERT INTO places ({PLACE_COLS}) VALUES ({','.join('?' * 9)})", places)
        db.executemany(f"INSERT INTO articles ({ARTICLE_COLS}) VALUES ({','.join('?' * 7)})", articles)
        db.executemany(f"INSERT INTO mentions ({MENTION_COLS}) VALUES ({','.join('?' * 9)})", rows)
        for sql in COUNTS_REBUILD:
            db.execute(sql)
        for _, sql in saved:
            db.execute(sql)
    with Store(path) as s:
        s._db.execute("ANALYZE")


def load_postgres(dsn: str, mentions: int) -> None:
    import psycopg

    from conflictmap.store.postgres import PostgresStore
    from conflictmap.store.schema import COUNTS_REBUILD

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
            for sql in COUNTS_REBUILD:
                cur.execute(sql)  # no parameters: psycopg sends the text as it is
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
    from conflictmap.maps.vendor import load_outlines
    from conflictmap.store import open_store

    store = open_store(target)
    outlines = load_outlines(OUTLINES) if OUTLINES.exists() else None

    sql: list[float] = []
    parts: dict[str, list[float]] = {"places": [], "timeline": [], "totals": [], "facets": []}

    def timed(name: str, call):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        out = call()
        parts[name].append(time.perf_counter() - t)
        return out

    def page(filters: Filters) -> tuple[float, int]:
        t0 = time.perf_counter()
        places = timed("places", lambda: queries.places_with_confidence(store, filters))  # what pages/_shared.py calls
        timed("timeline", lambda: queries.daily(store, filters.but(start=None, end=None)))
        timed("totals", lambda: store.totals(filters))
        timed("facets", lambda: store.facets())
        sql.append(time.perf_counter() - t0)
        html = local_assets(build_map(places, window=(filters.start, filters.end), outlines=outlines)).get_root().render()
        return time.perf_counter() - t0, len(html.encode("utf-8"))

    first, payload = page(Filters(start=date(2014, 1, 1), end=date(2014, 12, 31)))
    every = sorted(page(Filters(start=date(2014, m, 1), end=date(2014, m, 28)))[0] for m in range(1, 13))
    # What a slider change costs in the dashboard: the timeline and the facets are cached per
    # store revision (pages/_shared.py), so only the places, the totals and the map are redone.
    moved: list[float] = []
    recount: list[float] = []
    for m in range(1, 13):
        t0 = time.perf_counter()
        window = Filters(start=date(2014, m, 3), end=date(2014, m, 27))
        frame = queries.places_with_confidence(store, window)
        store.totals(window)
        local_assets(build_map(frame, window=(window.start, window.end), outlines=outlines)).get_root().render()
        moved.append(time.perf_counter() - t0)
        # what a view paid on top before schema 9 kept the confidence sums: the raw mentions' means
        t0 = time.perf_counter()
        store.place_rows(window.but(min_confidence=1e-9))
        recount.append(time.perf_counter() - t0)
    slider = sorted(moved)
    stats = store.stats()
    return {"articles": stats["articles"], "mentions": stats["mentions"], "first_map_s": round(first, 3),
            "first_map_sql_s": round(sql[0], 3), "slider_sql_median_s": round(sorted(sql[1:])[len(sql[1:]) // 2], 3),
            "slider_median_s": round(slider[len(slider) // 2], 3), "slider_max_s": round(slider[-1], 3),
            "raw_confidence_median_s": round(sorted(recount)[len(recount) // 2], 3), "raw_confidence_max_s": round(max(recount), 3),
            "uncached_view_median_s": round(every[len(every) // 2], 3),
            "payload_mb": round(payload / 1e6, 2), "first_sql_parts_s": {k: round(v[0], 3) for k, v in parts.items()},
            "slider_sql_parts_median_s": {k: round(sorted(v[1:])[len(v[1:]) // 2], 3) for k, v in parts.items()}, "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def demo_copies(folder: Path, n: int) -> Path:
    """The demo corpus repeated to n articles, each copy with its own URL and text (so its own id),
    each round of copies dated on other days."""
    from conflictmap.ingest import DEMO_CORPUS

    lines = [json.loads(x) for x in DEMO_CORPUS.read_text(encoding="utf-8").splitlines() if x.strip()]
    out = io.StringIO()
    for k in range(n):
        row = dict(lines[k % len(lines)])
        row["url"] = f"https://example.org/copy/{k}"
        row["text"] = row["text"] + f"\n\nCopy {k}."
        # each round of copies on other days (up to ten years back), as a real backlog spreads over time
        if row.get("published") and k >= len(lines):
            row["published"] = (date.fromisoformat(row["published"][:10]) - timedelta(days=(k // len(lines)) * 37 % 3650)).isoformat()
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


def ingest_profile(dsn: str, path: Path, n: int) -> dict:
    """Where one process's ingest time goes: reading, the duplicate check, geoparsing, the write."""
    from conflictmap.geoparser.parser import default_geoparser
    from conflictmap.ingest import IngestReport, parse_one, store_parsed, to_parse
    from conflictmap.readers import read_paths
    from conflictmap.store.postgres import PostgresStore

    parser = default_geoparser()
    spent = {"read": 0.0, "check": 0.0, "geoparse": 0.0, "write": 0.0}
    report = IngestReport()
    with PostgresStore(dsn) as store:
        t = time.perf_counter()
        items = iter(read_paths([path]))
        while True:
            t = time.perf_counter()
            item = next(items, None)
            spent["read"] += time.perf_counter() - t
            if item is None or report.read >= n:
                break
            t = time.perf_counter()
            fresh = to_parse(item, store, report)
            spent["check"] += time.perf_counter() - t
            if not fresh:
                continue
            t = time.perf_counter()
            mentions, _ = parse_one(parser, item.text, item.published, title=item.title, source=item.source, url=item.url)
            spent["geoparse"] += time.perf_counter() - t
            t = time.perf_counter()
            store_parsed(item, mentions or [], parser.version, store, report)
            spent["write"] += time.perf_counter() - t
    total = sum(spent.values())
    return {"profile": "one process into PostgreSQL", "articles": report.added, "seconds": round(total, 1),
            "articles_per_s": round(report.added / total, 1), "share": {k: round(v / total, 3) for k, v in spent.items()},
            "ms_per_article": {k: round(1000 * v / max(1, report.added), 2) for k, v in spent.items()}, "load_avg": _load()}


def store_size(folder: Path, n: int) -> dict:
    """Bytes the SQLite store takes per 1,000 real articles (the demo corpus repeated), by table."""
    from conflictmap.ingest import ingest
    from conflictmap.store.sqlite import Store

    path = folder / f"size-{n}.db"
    with Store(path) as store:
        report = ingest([demo_copies(folder, n)], store)
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store._db.execute("VACUUM")
        tables = {r["name"]: r["bytes"] for r in store._rows(
            "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 12")}
    per = 1000 / max(1, report.added)
    return {"size": "sqlite", "articles": report.added, "mentions": report.mentions,
            "mb_per_1000_articles": round(path.stat().st_size * per / 1e6, 2),
            "largest_mb_per_1000": {k: round(v * per / 1e6, 2) for k, v in tables.items()}}


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="10000,100000,1000000", help="mention counts, comma-separated")
    ap.add_argument("--ingest", type=int, default=20_000, help="articles for the ingest runs")
    ap.add_argument("--backends", default="sqlite,postgresql", help="which stores the views are timed on")
    ap.add_argument("--ingest-workers", default="0,1,2", help="worker counts of the ingest runs (0: one process, no Dask)")
    ap.add_argument("--size", type=int, default=0, help="also measure the SQLite store's size over this many real articles")
    ap.add_argument("--profile", type=int, default=0, help="also profile a one-process ingest of this many articles")
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
    if args.size:
        print(json.dumps(store_size(tmp, args.size)), flush=True)
    with LocalPostgres(tmp / "pg") as pg:
        if not args.skip_views:
            for scale in (int(s) for s in args.scales.split(",")):
                for backend in args.backends.split(","):
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
                    if backend == "sqlite":
                        Path(target).unlink()
                        Path(target + "-wal").unlink(missing_ok=True)
                        Path(target + "-shm").unlink(missing_ok=True)
        if args.profile:
            print(json.dumps(ingest_profile(pg.create_database("profile"), demo_copies(tmp, args.profile), args.profile)), flush=True)
        if not args.skip_ingest:
            path = demo_copies(tmp, args.ingest)
            for workers in (int(w) for w in args.ingest_workers.split(",")):
                print(json.dumps({"ingest": "postgresql", **ingest_rate(pg.create_database(f"ingest{workers}"), path, workers)}), flush=True)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
