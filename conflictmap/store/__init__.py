"""The store stage: articles, places, mentions and corrections, behind one interface.

`StoreLike` is the interface every backend keeps; `Store` is the embedded SQLite
backend (`sqlite`), whose schema is the ordered list in `migrations`. Corrections are
applied at read time, and a revision counter tells caches when what they hold is stale.
"""

from conflictmap.store.sqlite import Store, StoreLike, default_path

__all__ = ["Store", "StoreLike", "default_path"]
