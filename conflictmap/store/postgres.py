"""The PostgreSQL store: the same `StoreLike` interface as the embedded one, for a shared server.

It reuses `Store`'s SQL (written to run on both databases) and swaps the plumbing: a
psycopg connection pool instead of one SQLite connection behind a lock, so many
dashboard sessions and ingest workers read and write at once. A thread holds one pooled
connection for the length of a call (`_lock` is that hold, which is what the shared code
asks for before it touches `_db`), and a transaction is PostgreSQL's own.

Differences that stay here: full-text search is a generated `tsvector` with a GIN index;
the place lookup is an `INSERT ... ON CONFLICT` so two writers meeting a new place agree
on one row; a write that lost a deadlock or a race is retried.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from conflictmap.errors import StoreError
from conflictmap.mentions import Place
from conflictmap.store.pg_migrations import PG_MIGRATIONS
from conflictmap.store.sqlite import Store

T = TypeVar("T")

# pg_advisory_xact_lock key: two processes opening a new database migrate one after the other
MIGRATION_LOCK = 0x436D6170


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def _redact(dsn: str) -> str:
    """The connection string without its password, fit for logs, messages and cache keys."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", dsn)


@functools.lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """The shared SQL in psycopg's dialect: `?` placeholders become `%s`, a literal `%` doubles."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Conn:
    """A pooled connection that speaks like the sqlite3 connection the shared SQL expects."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.raw.execute(_pg_sql(sql), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.raw.cursor() as cur:
            cur.executemany(_pg_sql(sql), rows)


def _async_commit(raw: Any) -> None:
    raw.execute("SET synchronous_commit TO off")


def _retried(method: Callable[..., T]) -> Callable[..., T]:
    """Run a write again when PostgreSQL aborted it for a deadlock, a serialisation
    conflict or a concurrent insert of the same key; each try is a whole transaction."""

    @functools.wraps(method)
    def wrapper(self: PostgresStore, *args: Any, **kwargs: Any) -> T:
        import psycopg.errors as pe

        for attempt in range(5):
            try:
                return method(self, *args, **kwargs)
            except (pe.DeadlockDetected, pe.SerializationFailure, pe.UniqueViolation):
                if attempt == 4 or getattr(self._local, "conn", None) is not None:
                    raise  # out of tries, or inside an outer transaction that must fail whole
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


# what a server says when waiting will not help: the pool would retry these for its whole timeout
_FOR_GOOD = ("does not exist", "authentication failed", "no pg_hba.conf entry")


def _refused_for_good(dsn: str, where: str, timeout: float) -> None:
    """Fail at once when the server answers that this database or user will never do.

    A server still starting (connection refused) is left to the pool, which waits for it.
    """
    import psycopg

    try:
        psycopg.connect(dsn, autocommit=True, connect_timeout=max(1, int(timeout))).close()
    except psycopg.OperationalError as exc:
        said = " ".join(str(exc).split())
        if any(word in said for word in _FOR_GOOD):
            raise StoreError(f"cannot connect to PostgreSQL at {where} ({said[:300]}); check --db / CONFLICTMAP_DB "
                             "(postgresql://USER@HOST:PORT/DATABASE) and that the database exists") from exc


class PostgresStore(Store):
    """The server store: `PostgresStore("postgresql://user@host/db")`.

    Thread-safe: each call takes a connection from the pool (at most `max_size` at once).
    """

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 8, timeout: float = 10.0, async_commit: bool = False) -> None:
        """`async_commit`: commits return before their WAL record is flushed to disk (PostgreSQL's
        `synchronous_commit = off`, for this store's connections only). A server crash can then lose
        the last fraction of a second of commits, whole, never half a transaction: right for an
        idempotent bulk ingest, which a re-run completes, and wrong for a journalist's correction."""
        try:
            from psycopg_pool import ConnectionPool
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise StoreError("psycopg is not installed; run ./setup.sh (it installs requirements.txt)") from exc
        self.dsn = dsn
        self.path = _redact(dsn)
        self.notice = ""  # nothing about a server database needs telling at open
        self._local = threading.local()
        _refused_for_good(dsn, self.path, timeout)
        self._pool = ConnectionPool(dsn, min_size=min_size, max_size=max_size, kwargs={"autocommit": True}, open=False,
                                    timeout=timeout, name="conflictmap", configure=_async_commit if async_commit else None)
        try:
            self._pool.open(wait=True, timeout=timeout)
        except Exception as exc:
            self._pool.close()
            raise StoreError(f"cannot connect to PostgreSQL at {self.path} ({exc}); start the server, or check "
                             "--db / CONFLICTMAP_DB (postgresql://USER@HOST:PORT/DATABASE)") from exc
        try:
            self._migrate()
        except BaseException:
            self._pool.close()
            raise

    # -- plumbing: a pooled connection per call instead of one connection behind a lock --

    @property
    def _lock(self) -> Any:  # type: ignore[override]
        return self._hold()

    @property
    def _db(self) -> _Conn:  # type: ignore[override]
        conn = getattr(self._local, "conn", None)
        if conn is None:
            raise RuntimeError("PostgresStore._db used outside `with self._lock` or a transaction")
        return conn

    @contextmanager
    def _hold(self) -> Iterator[_Conn]:
        """This thread's connection for the length of the block (re-entrant)."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._pool.connection() as raw:
            self._local.conn = _Conn(raw)
            try:
                yield self._local.conn
            finally:
                self._local.conn = None

    @contextmanager
    def _transaction(self) -> Iterator[_Conn]:  # type: ignore[override]
        with self._hold() as conn, conn.raw.transaction():
            yield conn

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        from psycopg.rows import dict_row

        with self._hold() as conn, conn.raw.cursor(row_factory=dict_row) as cur:
            cur.execute(_pg_sql(sql), tuple(params))
            return cur.fetchall()

    def _migrate(self) -> None:
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.raw.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                db.execute("INSERT INTO schema_version VALUES (0)")
            version = row[0] if row else 0
            if version > len(PG_MIGRATIONS):
                raise StoreError(f"{self.path} was written by a newer Conflict Map (schema {version}, this one knows "
                                 f"{len(PG_MIGRATIONS)}); upgrade conflictmap")
            for number in range(version, len(PG_MIGRATIONS)):
                db.raw.execute(PG_MIGRATIONS[number])  # a whole script: no parameters, several statements
                db.execute("UPDATE schema_version SET version = ?", (number + 1,))

    @property
    def schema_version(self) -> int:
        return int(self._rows("SELECT version FROM schema_version")[0]["version"])

    def close(self) -> None:
        self._pool.close()

    # -- what differs from SQLite -------------------------------------------------------

    def _keyword_condition(self, keyword: str) -> tuple[str, str] | None:
        # plainto_tsquery takes what a user types (quotes, operators are only words), all words required
        if not re.search(r"\w", keyword):
            return None
        return "a.search @@ plainto_tsquery('conflictmap', ?)", keyword

    def place_id(self, place: Place) -> int:
        """The id of a place row, added on first sight; safe when two writers add it at once."""
        values = (place.geonameid, place.name, float(place.lat), float(place.lon), place.country_code or "",
                  place.admin1 or "", place.feature or "", place.kind or "city", place.geonames_name or None)
        insert = ("INSERT INTO places (geonameid, name, lat, lon, country_code, admin1, feature, kind, geonames_name)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        if place.geonameid is not None:
            find, key = "SELECT id FROM places WHERE geonameid = ?", (place.geonameid,)
            conflict = " ON CONFLICT (geonameid) DO NOTHING RETURNING id"
        else:
            find = ("SELECT id FROM places WHERE geonameid IS NULL AND name = ? AND round(lat::numeric, 4) = round(?::numeric, 4)"
                    " AND round(lon::numeric, 4) = round(?::numeric, 4)")
            key = (place.name, float(place.lat), float(place.lon))
            conflict = " ON CONFLICT (name, round(lat::numeric, 4), round(lon::numeric, 4)) WHERE geonameid IS NULL DO NOTHING RETURNING id"
        with self._hold() as db:
            # look, else insert, else (another writer inserted it meanwhile) look again
            row = db.execute(find, key).fetchone() or db.execute(insert + conflict, values).fetchone() or db.execute(find, key).fetchone()
            return int(row[0])

    def article(self, article_id: str) -> dict[str, Any] | None:
        row = super().article(article_id)
        if row is not None:
            row.pop("search", None)  # the index's own column, not the article's
        return row

    add_article = _retried(Store.add_article)
    add_articles = _retried(Store.add_articles)
    replace_mentions = _retried(Store.replace_mentions)
    correct = _retried(Store.correct)
    uncorrect = _retried(Store.uncorrect)
