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
