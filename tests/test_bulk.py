"""Bulk geoparsing on a real Dask cluster: the stored result is exactly what a single-process
ingest stores, on SQLite and on PostgreSQL.

The tests share the session's two-worker cluster (`dask_cluster` in conftest.py: worker
threads over TCP, so tasks and results are serialised as between machines); the one test
about worker processes starts its own with `dask_client(workers=2)`."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from conflictmap.bulk import bulk_ingest_articles, bulk_regeoparse, dask_client
from conflictmap.ingest import DEMO_CORPUS, ingest, ingest_articles, regeoparse
from conflictmap.readers import read_paths
from conflictmap.store.postgres import PostgresStore
from conflictmap.store.sqlite import Store


def stored(store) -> dict:
    """Everything an ingest decides, independent of row ids and write order."""
    articles = {a["id"]: (a["title"], a["text"], a["source"], a["published"], a["geoparser"])
                for a in store._rows("SELECT id, title, text, source, published, geoparser FROM articles")}
    mentions = sorted(
        (r["article_id"], r["start"], r["end"], r["text"], r["geonameid"], r["name"], r["date"], round(r["confidence"], 3),
         r["reason"], r["candidates"])
        for r in store._rows('SELECT m.article_id, m.start, m."end", m.text, p.geonameid, p.name, m.date, m.confidence,'
                             " m.reason, mc.candidates FROM mentions m JOIN places p ON p.id = m.place_id"
                             " LEFT JOIN mention_candidates mc ON mc.mention_id = m.id"))
    return {"articles": articles, "mentions": mentions}


@pytest.fixture
def client(dask_cluster):
    """The session's two-worker cluster (its workers read each test's gazetteer, as the test itself does)."""
    assert len(dask_cluster.scheduler_info()["workers"]) == 2
    return dask_cluster


def test_dask_client_starts_worker_processes_that_parse_with_the_environment_s_gazetteer(inputs, parser, tmp_path):
    """`--workers N`: real worker processes, started with this test's environment, so they open the
    unit-test gazetteer as this process does and store the same places."""
    articles = [a for a in read_paths(inputs[:1])][:12]
    with Store(tmp_path / "one.db") as one:
        ingest_articles(articles, one, parser=parser)
        expected = stored(one)
    with dask_client(workers=2) as c, Store(tmp_path / "two.db") as two:
        assert len(c.scheduler_info()["workers"]) == 2
        pids = set(c.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
        report = bulk_ingest_articles(articles, two, c, partition=3)
        assert report.added == len(articles) == 12
        assert stored(two) == expected


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The demo corpus, one article repeated (a duplicate), one too long to geoparse, one unreadable file."""
    folder = tmp_path_factory.mktemp("bulk")
    lines = DEMO_CORPUS.read_text(encoding="utf-8").splitlines()
    (folder / "demo.jsonl").write_text("\n".join(lines + lines[:1]) + "\n", encoding="utf-8")
    (folder / "huge.txt").write_text("Fighting in Mosul. " * 60_000, encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return [folder / "demo.jsonl", folder / "huge.txt", folder / "broken.json"]


@pytest.fixture(scope="module")
def single(inputs, parser, tmp_path_factory):
    with Store(tmp_path_factory.mktemp("single") / "one.db") as s:
        report = ingest(inputs, s, parser=parser)
        yield report, stored(s)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_workers_store_exactly_what_one_process_stores(backend, client, inputs, single, request, tmp_path):
    one_report, one_stored = single
    store = Store(tmp_path / "two.db") if backend == "sqlite" else PostgresStore(request.getfixturevalue("pg_dsn"))
    with store:
        done: list[str] = []
        report = bulk_ingest_articles(read_paths(inputs), store, client, progress=lambda r, origin: done.append(origin), partition=16)
        assert stored(store) == one_stored
        assert (report.read, report.added, report.duplicates, report.mentions) == \
               (one_report.read, one_report.added, one_report.duplicates, one_report.mentions)
        assert sorted(report.failed) == sorted(one_report.failed)  # too long; not JSON
        assert any("over the 1,000,000 limit" in reason for _, reason in report.failed)
        assert len(done) == len(list(read_paths(inputs)))  # the progress bar counts every item read
        again = bulk_ingest_articles(read_paths(inputs), store, client, partition=16)  # idempotent
        assert again.added == 0 and stored(store) == one_stored


def test_regeoparse_on_the_cluster_matches_regeoparse_in_process(client, parser, demo_db, tmp_path):
    for name in ("a.db", "b.db"):  # the demo corpus as `ingest([DEMO_CORPUS], store, parser=parser)` stores it
        shutil.copy(demo_db, tmp_path / name)
    with Store(tmp_path / "a.db") as a, Store(tmp_path / "b.db") as b:
        for s in (a, b):
            with s._transaction() as db:
                db.execute("UPDATE articles SET geoparser = 'old'")
        one = regeoparse(a, parser=parser)
        two = bulk_regeoparse(b, scheduler=client.scheduler.address, partition=10)
        assert (two.read, two.updated, two.mentions) == (one.read, one.updated, one.mentions) == (112, 112, one.mentions)
        assert stored(a) == stored(b)


def test_regeoparse_on_the_cluster_reads_the_outlet_as_ingest_did(client, tmp_path):
    """The outlet decides which Paris a local paper means; redoing the parse on the cluster must keep it."""
    from conflictmap.articles import Article

    paper = Article(id="tn-1", text="Paris police said two people were hurt in the crash on Main Street.",
                    title="Crash on Main Street", source="Paris Post-Intelligencer, Tennessee", url="https://example.org/tn-1")
    with Store(tmp_path / "c.db") as s:
        bulk_ingest_articles([paper], s, client)
        with s._transaction() as db:
            db.execute("UPDATE articles SET geoparser = 'old'")
        assert bulk_regeoparse(s, scheduler=client.scheduler.address).updated == 1
        assert [m["admin1"] for m in s.article("tn-1")["mentions"] if m["text"] == "Paris"] == ["Tennessee"]


def _story(n: int, text: str, **extra) -> "Article":
    from conflictmap.articles import Article

    return Article(id=f"story-{n}", title=f"Story {n}", text=text, url=f"https://example.org/{n}", origin=f"story-{n}", **extra)


def test_workers_write_into_postgresql_without_the_client_touching_the_store(client, inputs, single, pg_dsn):
    """Into PostgreSQL the workers check, parse and write: the client's own store object can be
    closed before the ingest starts and everything still lands, exactly as one process stores it."""
    _, one_stored = single
    closed = PostgresStore(pg_dsn)
    closed.close()
    report = bulk_ingest_articles(read_paths(inputs), closed, client, partition=8)
    assert report.added == 112 and report.duplicates == 1 and len(report.failed) == 2
    with PostgresStore(pg_dsn) as s:
        assert stored(s) == one_stored


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_new_version_sent_with_the_old_one_is_written_after_it(backend, client, parser, request, tmp_path):
    """The same article (one URL) twice in one run, the second time rewritten: as in one process,
    the later version is the one kept, whatever order the workers finish in."""
    first, second = _story(1, "Shelling hit Mosul on Monday."), _story(1, "Shelling hit Mosul and Kirkuk on Monday.")
    # the old version's partition is slow (two long reports), the new one's quick: without waiting, the new would land first
    slow = [_story(n, " ".join(f"Troops moved from Baghdad to Mosul, report {n}.{k}." for k in range(400))) for n in (2, 3)]
    quick = [_story(n, f"Report {n} from Baghdad.") for n in (4, 5)]
    items = [first, *slow, second, *quick]
    with Store(tmp_path / "one.db") as one:
        expected = ingest_articles(items, one, parser=parser)
        one_stored = stored(one)
    store = Store(tmp_path / "two.db") if backend == "sqlite" else PostgresStore(request.getfixturevalue("pg_dsn"))
    with store:
        report = bulk_ingest_articles(items, store, client, partition=3)
        assert (report.read, report.added, report.updated) == (expected.read, expected.added, expected.updated) == (6, 5, 1)
        assert store.article("story-1")["text"] == second.text
        assert stored(store) == one_stored


def test_an_article_postgresql_refuses_is_one_failure_line_and_its_partition_lands(client, pg_dsn):
    """A text PostgreSQL cannot hold (a NUL byte) fails its own write on the worker; the rest of
    the partition is stored and the failure says what happened."""
    good = [_story(n, f"Fighting near Mosul, report {n}.") for n in range(5)]
    bad = _story(9, "Fighting near Mosul\x00 report 9.")
    with PostgresStore(pg_dsn) as s:
        report = bulk_ingest_articles([*good[:2], bad, *good[2:]], s, client, partition=8)
        assert report.added == 5 and s.stats()["articles"] == 5
        assert [origin for origin, _ in report.failed] == ["story-9"]
        assert "not stored" in report.failed[0][1] and "the rest goes on" in report.failed[0][1]
        assert bulk_ingest_articles(good, s, client).duplicates == 5  # idempotent


def test_regeoparse_on_workers_writing_into_postgresql_matches_regeoparse_in_process(client, parser, pg_dsn, tmp_path):
    with Store(tmp_path / "a.db") as a, PostgresStore(pg_dsn) as b:
        for s in (a, b):
            ingest([DEMO_CORPUS], s, parser=parser)
            with s._transaction() as db:
                db.execute("UPDATE articles SET geoparser = 'old'")
        one = regeoparse(a, parser=parser)
        done: list[str] = []
        two = bulk_regeoparse(b, scheduler=client.scheduler.address, partition=10, progress=lambda r, key: done.append(key))
        assert (two.read, two.updated, two.mentions) == (one.read, one.updated, one.mentions) == (112, 112, one.mentions)
        assert len(done) == 112 and not two.failed
        assert stored(a) == stored(b)


def test_workers_that_cannot_reach_the_database_say_so_in_one_line(client, pg_server, inputs):
    """The database went away after the client opened it: the ingest stops before reading, with the fix."""
    import psycopg

    from conflictmap.errors import StoreError

    dsn = pg_server.create_database("gone_before_the_workers")
    store = PostgresStore(dsn)
    store.close()
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute('DROP DATABASE "gone_before_the_workers"')
    with pytest.raises(StoreError, match="the Dask workers could not open .*every worker must reach the database"):
        bulk_ingest_articles(read_paths(inputs), store, client)
    assert not [p for p in client.run(lambda dask_worker: list(dask_worker.plugins)).values() if any("conflictmap" in n for n in p)]


def test_command_line_ingest_into_postgresql_with_two_workers_counts_like_sqlite(client, inputs, pg_dsn, cli, tmp_path):
    """The command on the session's two-worker cluster (`--scheduler`), run in this process: what is
    tested is the command, not Python's start-up (`dask_client(workers=2)` has its own test above)."""

    def run(*args: str, code: int = 0) -> str:
        done = cli(*args)
        assert done.exit_code == code, done.stderr[-2000:]
        return done.stdout

    sqlite_db = str(tmp_path / "plain.db")
    # both exit 1: the inputs hold a file that is not JSON and an article too long to geoparse
    run("ingest", "--quiet", *map(str, inputs), "--db", sqlite_db, code=1)
    out = run("ingest", "--quiet", "--scheduler", client.scheduler.address, *map(str, inputs), "--db", pg_dsn, code=1)
    assert "added 112" in out
    counts = [json.loads(run("stats", "--db", db)) for db in (sqlite_db, pg_dsn)]
    assert [{k: c[k] for k in ("articles", "places", "mentions")} for c in counts] == \
           [{k: counts[0][k] for k in ("articles", "places", "mentions")}] * 2
    assert counts[0]["articles"] == 112
