"""What only the PostgreSQL server store has to show: reopening, schema guard, choosing the
backend, and several writers at once on a real server (the tests' own throwaway one)."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest

from conflictmap.errors import StoreError
from conflictmap.filters import Filters
from conflictmap.mentions import Place
from conflictmap.store import DB_ENV, Store, open_store
from conflictmap.store.pg_migrations import PG_MIGRATIONS
from conflictmap.store.postgres import PostgresStore
from conflictmap.store.sqlite import MIGRATIONS
from tests.test_store import ERBIL, IRAQ, MOSUL, article, mention


def test_same_number_of_migrations_as_sqlite():
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)


def test_reopens_and_refuses_a_newer_schema(pg_dsn):
    with PostgresStore(pg_dsn) as s:
        s.add_article(article("a", "Fighting in Mosul.", "2014-06-01"), [mention(MOSUL, 12, "Mosul", "2014-06-01")])
        assert s.schema_version == len(PG_MIGRATIONS)
    with PostgresStore(pg_dsn) as s:
        assert s.stats()["articles"] == 1 and s.stats()["mentions"] == 1
        with s._transaction() as db:
            db.execute("UPDATE schema_version SET version = ?", (len(PG_MIGRATIONS) + 3,))
    with pytest.raises(StoreError, match="newer Conflict Map"):
        PostgresStore(pg_dsn)


def test_concurrent_first_opens_all_succeed(pg_dsn):
    opened: list[int] = []
    errors: list[BaseException] = []
    gate = threading.Barrier(4)

    def open_one() -> None:
        gate.wait()
        try:
            with PostgresStore(pg_dsn) as s:
                opened.append(s.schema_version)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and opened == [len(PG_MIGRATIONS)] * 4


def test_an_unreachable_server_says_what_to_do(pg_server):
    from conflictmap.store.pgserver import free_port

    with pytest.raises(StoreError, match="CONFLICTMAP_DB") as caught:
        PostgresStore(f"postgresql://someone:secret@127.0.0.1:{free_port()}/nowhere", timeout=2)
    assert "secret" not in str(caught.value)


def test_a_database_that_does_not_exist_is_refused_at_once_with_the_fix(pg_server):
    """The server answers, and waiting will not make the database appear: say so, not 'cannot reach'."""
    dsn = pg_server.dsn("no_such_database")
    with pytest.raises(StoreError, match="no_such_database.*does not exist.*that the database exists"):
        PostgresStore(dsn)


def test_the_backend_follows_db_or_the_environment(pg_dsn, tmp_path, monkeypatch):
    monkeypatch.setenv(DB_ENV, pg_dsn)
    with open_store() as s:
        assert isinstance(s, PostgresStore)
    with open_store(str(tmp_path / "x.db")) as s:  # an explicit --db wins
        assert type(s) is Store
    monkeypatch.delenv(DB_ENV)
    monkeypatch.setenv("CONFLICTMAP_HOME", str(tmp_path / "home"))
    with open_store() as s:
        assert type(s) is Store and s.path == str(tmp_path / "home" / "conflictmap.db")


def _fill(store: PostgresStore, n: int) -> list[int]:
    """n articles each naming its own town; returns the towns' place ids."""
    ids = []
    for k in range(n):
        town = Place(geonameid=900000 + k, name=f"Town {k}", lat=30 + k / 100, lon=40 + k / 100, country_code="IQ")
        store.add_article(article(f"t{k}", f"News from Town {k}.", "2014-06-10"), [mention(town, 10, f"Town {k}", "2014-06-10")])
        ids.append(store.place_id(town))
    return ids


def _together(*jobs) -> None:
    """Run the jobs in threads released at the same instant; re-raise the first failure."""
    gate = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        gate.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_two_journalists_correcting_different_places_at_once_both_land(pg_dsn):
    """Two writers, each with its own connections, correct 20 places each at the same time."""
    with PostgresStore(pg_dsn) as setup:
        ids = _fill(setup, 40)
    ana, ben = PostgresStore(pg_dsn), PostgresStore(pg_dsn)
    try:
        _together(lambda: [ana.correct(i, new_place=MOSUL, by="ana") for i in ids[:20]],
                  lambda: [ben.correct(i, new_place=ERBIL, by="ben") for i in ids[20:]])
        done = {c["place_id"]: (c["new_name"], c["made_by"]) for c in ana.corrections()}
        assert done == {**{i: ("Mosul", "ana") for i in ids[:20]}, **{i: ("Erbil", "ben") for i in ids[20:]}}
        shown = {r["name"]: r["mentions"] for r in ben.place_rows(Filters())}
        assert shown == {"Mosul": 20, "Erbil": 20}
    finally:
        ana.close()
        ben.close()


def test_the_same_place_corrected_at_once_by_two_keeps_both_and_one_wins(pg_dsn):
    with PostgresStore(pg_dsn) as setup:
        town = _fill(setup, 1)[0]
    ana, ben = PostgresStore(pg_dsn), PostgresStore(pg_dsn)
    try:
        for _ in range(5):
            _together(lambda: ana.correct(town, new_place=MOSUL, by="ana"), lambda: ben.correct(town, new_place=IRAQ, by="ben"))
        history = ana.correction_history(town)
        assert len(history) == 10 and {h["made_by"] for h in history} == {"ana", "ben"}
        latest = history[0]
        assert ana.corrections()[0]["new_name"] == latest["to_name"]  # the last one written is the one shown
        assert {r["name"] for r in ana.place_rows(Filters())} == {latest["to_name"]}
    finally:
        ana.close()
        ben.close()


def test_ingest_workers_writing_at_once_lose_nothing(pg_dsn):
    """Four writers add overlapping articles naming the same new places: no article, place
    or count is lost or doubled (the place lookup and the counts take locks in one order)."""
    places = [Place(geonameid=800000 + k, name=f"Village {k}", lat=31 + k / 10, lon=41, country_code="SY") for k in range(6)]

    def writer(w: int) -> None:
        with PostgresStore(pg_dsn) as s:
            for n in range(30):
                picked = [places[(n + w + j) % 6] for j in range(3)][:: 1 if w % 2 else -1]
                s.add_article(article(f"a{n}", f"Story {n}.", "2014-06-10"),
                              [mention(p, 10 * j, p.name, "2014-06-10") for j, p in enumerate(picked)])

    _together(*(lambda w=w: writer(w) for w in range(4)))
    with PostgresStore(pg_dsn) as s:
        stats = s.stats()
        assert stats["articles"] == 30 and stats["places"] <= 6 and stats["mentions"] == 90
        assert sum(r["mentions"] for r in s.place_rows(Filters())) == 90
        assert s.totals(Filters()) == {"mentions": 90, "articles": 30, "places": stats["places"]}


def test_a_store_at_schema_six_upgrades_its_rows_and_counts(pg_dsn, monkeypatch):
    """A server database written before the lean rows and month counts opens, moves its
    runners-up to their side table and counts by month what it counted by day."""
    import conflictmap.store.postgres as pg_module

    monkeypatch.setattr(pg_module, "PG_MIGRATIONS", PG_MIGRATIONS[:6])
    with PostgresStore(pg_dsn) as s:
        with s._transaction() as db:  # rows as schema 6 wrote them (candidates on the mention row)
            db.execute("INSERT INTO articles (id, title, text, source, published, day, added_at) VALUES"
                       " ('old', 'Old', 'Talks in Mosul.', 'Desk', '2014-06-10T12:00:00+00:00', '2014-06-10', 'then')")
            db.execute("INSERT INTO places (id, geonameid, name, lat, lon, country_code, kind) VALUES (1, 99434, 'Mosul', 36.3, 43.1, 'IQ', 'city')")
            db.execute("INSERT INTO mentions (article_id, start, \"end\", text, place_id, sentence, date, candidates) VALUES"
                       " ('old', 9, 14, 'Mosul', 1, 'Talks in Mosul.', '2014-06-10', '[{\"name\": \"Erbil\", \"lat\": 36.2, \"lon\": 44.0}]')")
    monkeypatch.setattr(pg_module, "PG_MIGRATIONS", PG_MIGRATIONS)
    with PostgresStore(pg_dsn) as s:
        assert s.schema_version == len(PG_MIGRATIONS)
        (row,) = s.mention_rows(Filters())
        assert [c["name"] for c in json.loads(row["candidates"])] == ["Erbil"]
        assert s.place_rows(Filters())[0]["mentions"] == 1
        assert s.totals(Filters(start=date(2014, 6, 1))) == {"mentions": 1, "articles": 1, "places": 1}


def test_a_bulk_writer_commits_without_waiting_for_the_disk_and_a_dashboard_waits(pg_dsn):
    """Bulk-ingest workers open their store with `async_commit` (a crash loses only whole recent
    articles, which the idempotent re-run adds); every other store keeps PostgreSQL's durable default."""
    with PostgresStore(pg_dsn, async_commit=True) as bulk, PostgresStore(pg_dsn) as shared:
        # (the tests' own server runs with commits not flushed at all, so it is where the setting comes from that tells)
        setting = "SELECT setting, source FROM pg_settings WHERE name = 'synchronous_commit'"
        assert bulk._rows(setting) == [{"setting": "off", "source": "session"}]
        assert shared._rows(setting)[0]["source"] != "session"
        bulk.add_article(article("a", "Fighting in Mosul.", "2014-06-01"), [mention(MOSUL, 12, "Mosul", "2014-06-01")])
        assert shared.has_article("a")
