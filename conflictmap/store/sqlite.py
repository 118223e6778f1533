"""The store: articles, places, mentions and user corrections in one embedded database.

SQLite is the default backend (see docs/decisions.md for why). Everything else in
the library talks to the store only through the methods of `Store`, which take and
return plain data (`Mention` and `Place` records, dicts whose keys are the records' field
names), so a server database (PostgreSQL, `postgres.py`) stands behind the same
interface: `StoreLike` spells that interface out. This module is the opening, the
schema upgrade and the transactions; the work is split by job into mixins:
`writes.py`, `corrections.py`, `reads.py` and `counts.py`.

Writes are one transaction per article: an article and all its mentions land
together or not at all, so a killed ingest never leaves half an article behind.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from conflictmap.errors import StoreError
from conflictmap.filters import Filters
from conflictmap.mentions import Candidate, Mention, Place
from conflictmap.store.corrections import Corrections
from conflictmap.store.counts import Counts
from conflictmap.store.migrations import MIGRATIONS
from conflictmap.store.reads import Reads
from conflictmap.store.writes import Writes, text_key

HOME_ENV = "CONFLICTMAP_HOME"
DB_NAME = "conflictmap.db"
MMAP_BYTES = 256 << 20  # the OS file cache mapped in: shared pages, yet counted in RSS, hence bounded
CACHE_KIB = 64 * 1024


def default_path() -> Path:
    """Where the database lives unless told otherwise.

    `CONFLICTMAP_HOME` wins so a newsroom can point every tool at one folder;
    otherwise the per-user data folder of the platform.
    """
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser() / DB_NAME
    from platformdirs import user_data_dir

    return Path(user_data_dir("conflictmap", appauthor=False)) / DB_NAME


class StoreLike(Protocol):
    """What the rest of the library needs from a store; a PostgreSQL backend implements the same."""

    def has_article(self, article_id: str, text: str | None = None) -> bool: ...
    def has_text(self, text: str) -> str | None: ...
    def known_texts(self, articles: Sequence[tuple[str, str]]) -> tuple[dict[str, str], set[str]]: ...
    def delete_article(self, article_id: str) -> bool: ...
    def add_article(self, article: dict[str, Any], mentions: Sequence[Mention], *, geoparser: str = "") -> bool: ...
    def add_articles(self, items: Sequence[tuple[dict[str, Any], Sequence[Mention], str]]) -> list[str | Exception]: ...
    def replace_mentions(self, article_id: str, mentions: Sequence[Mention], *, geoparser: str = "") -> None: ...
    def stale_articles(self, version: str | None = None) -> list[dict[str, Any]]: ...
    def stale_count(self, version: str) -> int: ...
    def place_id(self, place: Place) -> int: ...
    def correct(self, place_id: int, *, new_place: Place | None = None, note: str = "", by: str = "") -> None: ...
    def uncorrect(self, place_id: int, *, by: str = "") -> None: ...
    def correction_history(self, place_id: int) -> list[dict[str, Any]]: ...
    def place_rows(self, filters: Filters) -> list[dict[str, Any]]: ...
    def daily_counts(self, filters: Filters) -> list[dict[str, Any]]: ...
    def article(self, article_id: str) -> dict[str, Any] | None: ...
    def articles(self, filters: Filters, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]: ...
    def mention_rows(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]: ...
    def totals(self, filters: Filters) -> dict[str, int]: ...
    def place(self, place_id: int) -> Place | None: ...
    def place_candidates(self, place_id: int) -> list[Candidate]: ...
    def corrections(self) -> list[dict[str, Any]]: ...
    def facets(self) -> dict[str, list[Any]]: ...
    def span(self) -> tuple[str | None, str | None]: ...
    def stats(self) -> dict[str, Any]: ...
    def revision(self) -> str: ...


class Store(Writes, Corrections, Reads, Counts):
    """The embedded SQLite store.

    Open with `Store(path)` or `Store(":memory:")`.  One connection is shared
    behind a lock, so a single `Store` may serve every thread of a dashboard.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        target = default_path() if path is None else path
        self.path = str(target)
        #: something the user should know about the file that did not stop it opening (shown by the CLI and dashboard)
        self.notice = ""
        self._was_empty = False
        if self.path != ":memory:":
            folder = Path(self.path).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the data folder {folder}: {exc.strerror}; set {HOME_ENV} or --db to a writable place") from exc
            self._was_empty = _check_file(Path(self.path).expanduser())
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise StoreError(_open_problem(self.path, exc)) from exc
        try:
            self._db.row_factory = sqlite3.Row
            self._db.create_function("text_key", 1, text_key, deterministic=True)
            self._db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                # reads straight from the page cache of the OS, and a bigger cache of our own,
                # so a view of a large store does not pay a system call per page (docs/benchmarks.md)
                self._db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
                self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._lock = threading.RLock()
            self._migrate()
        except sqlite3.Error as exc:
            self._db.close()
            raise StoreError(_open_problem(self.path, exc)) from exc
        except BaseException:
            self._db.close()
            raise

    # -- plumbing -------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        self._refuse_newer(version)
        if version == len(MIGRATIONS):
            return
        with self._transaction():
            # Read again under the write lock: another process opening the same new store
            # at the same moment may have built the schema while this one waited.
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            self._refuse_newer(version)
            if version == 0 and self._was_empty:
                self.notice = (f"{self.path} was an empty file (0 bytes), so a new store was started in it; if you "
                               "expected your articles here, restore the database from a backup (or a copy that failed)")
            for number in range(version, len(MIGRATIONS)):
                for statement in _split_sql(MIGRATIONS[number]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")

    def _refuse_newer(self, version: int) -> None:
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer Conflict Map (schema {version}, this one knows {len(MIGRATIONS)}); "
                "upgrade conflictmap (pip install -U conflictmap) to open it, or choose another --db; the file is untouched"
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction; inside another (a batch of whole articles), a savepoint of its own,
        so one article that fails is undone alone and the rest of the batch still lands."""
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("SAVEPOINT article")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK TO article")
                    raise
                finally:
                    self._db.execute("RELEASE article")
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.path} is busy ({exc}); wait for the other ingest to finish and try again") from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._db.execute(sql, params).fetchall()]

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_file(path: Path) -> bool:
    """Refuse a path SQLite would misreport; True when it is an old empty (0-byte) file.

    A file just made by another process opening the same new store is also 0
    bytes for a moment; only one older than a few seconds counts as empty.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot read {path} ({exc.strerror}); check its permissions or choose another --db") from exc
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file; give a file name with --db or {HOME_ENV}")
    return info.st_size == 0 and time.time() - info.st_mtime > 5


def _open_problem(path: str, exc: sqlite3.Error) -> str:
    """What went wrong opening a store, told apart, each with its next step."""
    message = str(exc)
    lowered = message.lower()
    if "readonly" in lowered or "read-only" in lowered or "unable to open" in lowered or "permission" in lowered:
        return (f"{path} cannot be opened for writing ({message}): the file or its folder is read-only; the database "
                "itself may be fine. Give this user write permission on both, or copy the file to a writable folder "
                "and point --db or CONFLICTMAP_HOME there")
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return (f"{path} is damaged or is not a database ({message}); restore it from a backup, or move it away "
                "so a new store is started, or choose another --db")
    if "locked" in lowered or "busy" in lowered:
        return f"{path} is busy ({message}); wait for the other ingest to finish and try again"
    return f"{path} could not be opened ({message}); check the file, or choose another --db"


def _split_sql(script: str) -> Iterable[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statement: list[str] = []
    for line in script.strip().splitlines():
        statement.append(line)
        joined = "\n".join(statement).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            yield joined
            statement = []
    rest = "\n".join(statement).strip()
    if rest:
        yield rest
