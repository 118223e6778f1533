"""The store stage: articles, places, mentions and corrections, behind one interface.

`StoreLike` is the interface every backend keeps; `Store` is the embedded SQLite
backend (`sqlite`), whose schema is the ordered list in `migrations`; `PostgresStore`
(`postgres`) is the server backend, with its own list numbered alike. Corrections are
applied at read time, and a revision counter tells caches when what they hold is stale.
`open_store` picks the backend from `--db` or `CONFLICTMAP_DB`.
"""

from __future__ import annotations

import os
from pathlib import Path

from conflictmap.store.postgres import PostgresStore, is_postgres_url
from conflictmap.store.sqlite import Store, StoreLike, default_path

DB_ENV = "CONFLICTMAP_DB"


def open_store(target: str | Path | None = None) -> Store:
    """The store `target` names: a postgresql:// URL opens PostgreSQL, anything else an SQLite file.

    Without a target, `CONFLICTMAP_DB` decides, and without that the embedded SQLite
    store in `$CONFLICTMAP_HOME` (the single-user default).
    """
    target = target or os.environ.get(DB_ENV) or None
    if is_postgres_url(target):
        return PostgresStore(str(target))
    return Store(target)


__all__ = ["DB_ENV", "PostgresStore", "Store", "StoreLike", "default_path", "open_store"]
