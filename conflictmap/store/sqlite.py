"""The store: articles, places, mentions and user corrections in one embedded database.

SQLite is the default backend (see docs/decisions.md for why). Everything else in
the library talks to the store only through the methods of `Store`, which take and
return plain data (`Mention` and `Place` records, dicts whose keys are the records' field
names), so a server database (PostgreSQL) can stand behind the same
interface later: `StoreLike` spells that interface out.

Writes are one transaction per article: an article and all its mentions land
together or not at all, so a killed ingest never leaves half an article behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from conflictmap.errors import StoreError
from conflictmap.filters import Filters
from conflictmap.readers.dates import EARLIEST
from conflictmap.mentions import Candidate, Mention, Place
from conflictmap.store.migrations import MIGRATIONS

HOME_ENV = "CONFLICTMAP_HOME"
DB_NAME = "conflictmap.db"


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
    def delete_article(self, article_id: str) -> bool: ...
    def add_article(self, article: dict[str, Any], mentions: Sequence[Mention], *, geoparser: str = "") -> bool: ...
    def replace_mentions(self, article_id: str, mentions: Sequence[Mention], *, geoparser: str = "") -> None: ...
    def stale_articles(self, version: str | None = None) -> list[dict[str, Any]]: ...
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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
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
        with self._lock:
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

    # -- writes ---------------------------------------------------------------------------

    def has_article(self, article_id: str, text: str | None = None) -> bool:
        """Is the article stored (with exactly this text, when `text` is given)?"""
        with self._lock:
            row = self._db.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None and (text is None or row[0] == text)

    def has_text(self, text: str) -> str | None:
        """The id of a stored article with this text (spacing aside), whatever its id; else None."""
        with self._lock:
            row = self._db.execute("SELECT id FROM articles WHERE text_key = ? LIMIT 1", (text_key(text),)).fetchone()
        return None if row is None else str(row[0])

    def delete_article(self, article_id: str) -> bool:
        """Remove an article, its mentions, and places nothing else mentions or corrects.

        One transaction, so a crash leaves the article whole or gone. Returns False
        when there was no such article.
        """
        with self._transaction() as db:
            places = [r[0] for r in db.execute("SELECT DISTINCT place_id FROM mentions WHERE article_id = ?", (article_id,))]
            db.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            gone = db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount
            for place in places:
                db.execute(
                    "DELETE FROM places WHERE id = ? AND NOT EXISTS (SELECT 1 FROM mentions WHERE place_id = ?)"
                    " AND NOT EXISTS (SELECT 1 FROM corrections WHERE place_id = ? OR new_place_id = ?)",
                    (place, place, place, place),
                )
        return bool(gone)

    def add_article(self, article: dict[str, Any], mentions: Sequence[Mention], *, geoparser: str = "") -> bool:
        """Store one article with its mentions in one transaction (an upsert).

        Returns False (and writes nothing) when the article is already there with the
        same text, which is what makes re-running an ingest safe; a new version of a
        stored article (same URL, new text) replaces the old one and its mentions.
        """
        with self._transaction() as db:
            old = db.execute("SELECT text FROM articles WHERE id = ?", (article["id"],)).fetchone()
            if old is not None:
                if old[0] == article["text"]:
                    return False
                db.execute("DELETE FROM mentions WHERE article_id = ?", (article["id"],))
                db.execute("DELETE FROM articles WHERE id = ?", (article["id"],))
            published = article.get("published")
            if isinstance(published, datetime):
                published = published.isoformat()
            db.execute(
                "INSERT INTO articles (id, title, text, source, url, author, published, day, published_raw,"
                " date_note, language, origin, metadata, geoparser, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article["id"],
                    article.get("title") or "",
                    article["text"],
                    article.get("source") or "",
                    article.get("url"),
                    article.get("author") or "",
                    published,
                    (published or "")[:10] or None,
                    article.get("published_raw") or "",
                    article.get("date_note") or "",
                    article.get("language"),
                    article.get("origin") or "",
                    json.dumps(article.get("metadata") or {}, ensure_ascii=False, default=str),
                    geoparser,
                    _now(),
                ),
            )
            self._insert_mentions(article["id"], mentions)
        return True

    def replace_mentions(self, article_id: str, mentions: Sequence[Mention], *, geoparser: str = "") -> None:
        """Swap an article's mentions for a fresh geoparse, atomically."""
        with self._transaction() as db:
            db.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            self._insert_mentions(article_id, mentions)
            db.execute("UPDATE articles SET geoparser = ? WHERE id = ?", (geoparser, article_id))

    def _insert_mentions(self, article_id: str, mentions: Sequence[Mention]) -> None:
        # One mention per start offset (what the unique key keeps anyway), places looked up
        # in gazetteer-id order and rows written in (place, date) order: concurrent writers on
        # a server database then take their row locks in one order and never deadlock.
        unique = list({m.start: m for m in reversed(mentions)}.values())
        ids = {id(m): self.place_id(m.place)
               for m in sorted(unique, key=lambda m: (m.place.geonameid is None, m.place.geonameid or 0, m.place.name))}
        unique.sort(key=lambda m: (ids[id(m)], m.date or "", m.start))
        rows = []
        for m in unique:
            rows.append(
                (
                    article_id,
                    m.start,
                    m.end,
                    m.text,
                    ids[id(m)],
                    m.sentence,
                    m.sentence_start,
                    m.date,
                    m.date_cue,
                    float(m.confidence or 0.0),
                    m.reason,
                    json.dumps([c.to_dict() for c in m.candidates], ensure_ascii=False),
                )
            )
        self._db.executemany(
            'INSERT INTO mentions (article_id, start, "end", text, place_id, sentence, sentence_start,'
            " date, date_cue, confidence, reason, candidates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (article_id, start) DO NOTHING",
            rows,
        )

    def place_id(self, place: Place) -> int:
        """The id of a place row, added on first sight (a lookup, as in sqlite-utils).

        Places are keyed by gazetteer id; a place without one (a point picked on the
        map) is keyed by its name and rounded coordinates.
        """
        geonameid = place.geonameid
        with self._lock:
            if geonameid is not None:
                row = self._db.execute("SELECT id FROM places WHERE geonameid = ?", (geonameid,)).fetchone()
            else:
                row = self._db.execute(
                    "SELECT id FROM places WHERE geonameid IS NULL AND name = ? AND round(lat, 4) = round(?, 4)"
                    " AND round(lon, 4) = round(?, 4)",
                    (place.name, place.lat, place.lon),
                ).fetchone()
            if row:
                return int(row[0])
            cur = self._db.execute(
                "INSERT INTO places (geonameid, name, lat, lon, country_code, admin1, feature, kind, geonames_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    geonameid,
                    place.name,
                    float(place.lat),
                    float(place.lon),
                    place.country_code or "",
                    place.admin1 or "",
                    place.feature or "",
                    place.kind or "city",
                    place.geonames_name or None,
                ),
            )
            return int(cur.lastrowid)

    def correct(self, place_id: int, *, new_place: Place | None = None, note: str = "", by: str = "") -> None:
        """Record that a place is wrong: moved to `new_place`, or not a place at all when None.

        Corrections sit beside the mentions instead of rewriting them, so they apply
        to past and future mentions alike and can be undone. The latest correction of
        a place wins; every one is kept in its history with who made it (`by`).
        """
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone() is None:
                raise StoreError(f"no place with id {place_id}; list places with `python -m conflictmap stats`")
            new_id = self.place_id(new_place) if new_place else None
            before = self._shown_at(place_id)
            if new_id == place_id:
                db.execute("DELETE FROM corrections WHERE place_id = ?", (place_id,))
            else:
                action = "replace" if new_id else "reject"
                db.execute(
                    "INSERT INTO corrections (place_id, action, new_place_id, note, created_at, made_by) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (place_id) DO UPDATE SET action = excluded.action, new_place_id = excluded.new_place_id,"
                    " note = excluded.note, created_at = excluded.created_at, made_by = excluded.made_by",
                    (place_id, action, new_id, note, _now(), by),
                )
                # Places already moved onto this one follow it, so a correction is never a chain:
                # what the user saw as one place stays one place.
                db.execute(
                    "UPDATE corrections SET action = ?, new_place_id = ? WHERE new_place_id = ? AND place_id != ?",
                    (action, new_id, place_id, new_id if new_id is not None else -1),
                )
                db.execute("DELETE FROM corrections WHERE action = 'replace' AND new_place_id = place_id")
            self._log_correction(place_id, before, new_id, by, note)

    def uncorrect(self, place_id: int, *, by: str = "") -> None:
        with self._transaction() as db:
            before = self._shown_at(place_id)
            db.execute("DELETE FROM corrections WHERE place_id = ?", (place_id,))
            if before != place_id:
                self._log_correction(place_id, before, place_id, by, "undone")

    def _shown_at(self, place_id: int) -> int | None:
        """Where a place's mentions show now: itself, the place it was moved to, or nowhere (None)."""
        row = self._db.execute("SELECT action, new_place_id FROM corrections WHERE place_id = ?", (place_id,)).fetchone()
        if row is None:
            return place_id
        return None if row[0] == "reject" else int(row[1])

    def _log_correction(self, place_id: int, before: int | None, after: int | None, by: str, note: str) -> None:
        self._db.execute(
            "INSERT INTO correction_log (place_id, from_place_id, to_place_id, made_by, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (place_id, before, after, by, note, datetime.now(timezone.utc).isoformat(timespec="milliseconds")),
        )

    def correction_history(self, place_id: int) -> list[dict[str, Any]]:
        """Every correction of a place, newest first: who, when, from where, to where (None: hidden)."""
        return self._rows(
            "SELECT l.id, l.place_id, l.from_place_id, f.name AS from_name, l.to_place_id, t.name AS to_name,"
            " l.made_by, l.note, l.created_at FROM correction_log l LEFT JOIN places f ON f.id = l.from_place_id"
            " LEFT JOIN places t ON t.id = l.to_place_id WHERE l.place_id = ? ORDER BY l.id DESC",
            (place_id,),
        )

    def corrections(self) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT c.*, p.name AS place_name, n.name AS new_name FROM corrections c JOIN places p ON p.id = c.place_id"
            " LEFT JOIN places n ON n.id = c.new_place_id ORDER BY c.created_at DESC"
        )

    # -- reads ----------------------------------------------------------------------------

    def _where(self, f: Filters, *, counts: bool = False, corrected: bool = True) -> tuple[str, list[Any]]:
        """SQL conditions over places `p` and either raw effective mentions `m` (and articles
        `a`) or, with `counts`, the per-place-and-day counts `d` (see `_counts_serve`)."""
        cond: list[str] = []
        args: list[Any] = []
        if f.start:
            cond.append("d.day >= ?" if counts else "m.date >= ?")
            args.append(f.start.isoformat())
        if f.end:
            cond.append("d.day <= ? AND d.day != ''" if counts else "m.date <= ?")
            args.append(f.end.isoformat())
        if f.countries:
            cond.append(f"p.country_code IN ({','.join('?' * len(f.countries))})")
            args.extend(f.countries)
        if f.places:
            cond.append(f"p.id IN ({','.join('?' * len(f.places))})")
            args.extend(int(x) for x in f.places)
        if f.kinds:
            cond.append(f"p.kind IN ({','.join('?' * len(f.kinds))})")
            args.extend(f.kinds)
        if not f.demonyms:
            cond.append("NOT d.demonym" if counts else "m.reason NOT LIKE 'demonym%'")
        if counts:
            if corrected:  # `c`, the correction of the bucket's place, is joined
                cond.append("(c.action IS NULL OR c.action = 'replace')")
            return " AND ".join(cond) or "TRUE", args
        if f.sources:
            cond.append(f"a.source IN ({','.join('?' * len(f.sources))})")
            args.extend(f.sources)
        if f.min_confidence:
            cond.append("m.confidence >= ?")
            args.append(f.min_confidence)
        if f.keyword:
            keyword = self._keyword_condition(f.keyword)
            if keyword:
                cond.append(keyword[0])
                args.append(keyword[1])
        return (" AND ".join(cond) or "TRUE"), args

    def _keyword_condition(self, keyword: str) -> tuple[str, str] | None:
        """The full-text condition on articles `a` and its one parameter; None when nothing is searchable."""
        query = _fts_query(keyword)
        return ("a.id IN (SELECT id FROM articles_fts WHERE articles_fts MATCH ?)", query) if query else None

    @staticmethod
    def _counts_serve(f: Filters) -> bool:
        """Can the per-place-and-day counts answer this view? They keep the place, the day
        and whether a mention is a demonym; a keyword, source or confidence floor needs
        the raw mentions."""
        return not (f.keyword.strip() or f.sources or f.min_confidence)

    # Counts kept by triggers, keyed by the place the geoparser chose; corrections apply here, at read time.
    _COUNTS = (" FROM place_days d LEFT JOIN corrections c ON c.place_id = d.place_id"
               " JOIN places p ON p.id = COALESCE(c.new_place_id, d.place_id) ")

    @staticmethod
    def _mentions_from(f: Filters, *, articles: bool = False) -> str:
        """Raw effective mentions, joined to articles only when a filter or a column needs them."""
        sql = " FROM effective_mentions m JOIN places p ON p.id = m.eff_place_id "
        if articles or f.sources or f.keyword.strip():
            sql += "JOIN articles a ON a.id = m.article_id "
        return sql

    def place_rows(self, filters: Filters) -> list[dict[str, Any]]:
        """One row per place in view, summed from the per-day counts when they can answer.

        From the counts, `articles` counts an article once per day it mentions the place
        (the same as distinct articles unless one story dates the same place to two days).
        """
        columns = "SELECT p.id AS place_id, p.name, p.lat, p.lon, p.country_code, p.admin1, p.feature, p.kind, p.geonameid, "
        if self._counts_serve(filters):
            # Sum the window's buckets per stored place first (no joins), then apply corrections
            # and place filters to those few thousand sums.
            days, day_args = self._where(filters.but(countries=(), places=(), kinds=()), counts=True, corrected=False)
            where, args = self._where(Filters(countries=filters.countries, places=filters.places, kinds=filters.kinds,
                                              demonyms=True), counts=True)
            sql = (columns + "SUM(d.mentions) AS mentions, SUM(d.articles) AS articles,"
                   " MIN(d.first_seen) AS first_seen, MAX(d.last_seen) AS last_seen, NULL AS confidence"
                   " FROM (SELECT place_id, SUM(mentions) AS mentions, SUM(articles) AS articles,"
                   " MIN(NULLIF(day, '')) AS first_seen, MAX(NULLIF(day, '')) AS last_seen FROM place_days d WHERE "
                   + days + " GROUP BY place_id) d LEFT JOIN corrections c ON c.place_id = d.place_id"
                   " JOIN places p ON p.id = COALESCE(c.new_place_id, d.place_id) WHERE " + where + " GROUP BY p.id")
            args = day_args + args
            total = "SUM(d.mentions)"
        else:
            where, args = self._where(filters)
            sql = (columns + "COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles,"
                   " MIN(m.date) AS first_seen, MAX(m.date) AS last_seen, AVG(m.confidence) AS confidence" + self._mentions_from(filters)
                   + "WHERE " + where + " GROUP BY p.id")
            total = "COUNT(*)"
        if filters.min_mentions > 1:
            sql += f" HAVING {total} >= ?"
            args.append(filters.min_mentions)
        return [{**r, "mentions": int(r["mentions"]), "articles": int(r["articles"])}
                for r in self._rows(sql + " ORDER BY mentions DESC, p.name", args)]

    def mention_rows(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Mentions in view with their place and article, newest first."""
        where, args = self._where(filters)
        sql = (
            'SELECT m.id AS mention_id, m.article_id, m.start, m."end", m.text, m.sentence, m.sentence_start,'
            " m.date, m.date_cue, m.confidence, m.reason, m.candidates, p.id AS place_id, p.name, p.lat, p.lon, p.geonameid,"
            " p.country_code, p.admin1, p.feature, p.kind, p.geonames_name, a.title, a.source, a.url, a.published"
            + self._mentions_from(filters, articles=True)
            + "WHERE " + where
        )
        if filters.min_mentions > 1:
            # keep mention rows consistent with the place view
            shown = [int(r["place_id"]) for r in self.place_rows(filters)]
            sql += f" AND p.id IN ({','.join('?' * len(shown))})" if shown else " AND FALSE"
            args = args + shown
        sql += " ORDER BY m.date DESC NULLS LAST, a.published DESC NULLS LAST, m.article_id, m.start"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args = args + [limit, offset]
        return self._rows(sql, args)

    def daily_counts(self, filters: Filters) -> list[dict[str, Any]]:
        if self._counts_serve(filters):
            where, args = self._where(filters, counts=True)
            sql = "SELECT NULLIF(d.day, '') AS day, SUM(d.mentions) AS mentions" + self._COUNTS + "WHERE " + where + " GROUP BY d.day"
        else:
            where, args = self._where(filters)
            sql = "SELECT m.date AS day, COUNT(*) AS mentions" + self._mentions_from(filters) + "WHERE " + where + " GROUP BY m.date"
        return [{"day": r["day"], "mentions": int(r["mentions"])} for r in self._rows(sql + " ORDER BY day", args)]

    def totals(self, filters: Filters) -> dict[str, int]:
        """The counts over exactly the places the map shows (minimum mentions included)."""
        if filters.min_mentions > 1:
            shown = tuple(int(r["place_id"]) for r in self.place_rows(filters))
            if not shown:
                return {"mentions": 0, "articles": 0, "places": 0}
            return self.totals(filters.but(places=shown, min_mentions=1))
        where, args = self._where(filters)
        if not self._counts_serve(filters):
            rows = self._rows(
                "SELECT COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles, COUNT(DISTINCT p.id) AS places"
                + self._mentions_from(filters) + "WHERE " + where,
                args,
            )
            return {k: int(v or 0) for k, v in rows[0].items()}
        # Mentions and places from the counts; distinct articles need the mentions themselves,
        # though not their places unless a place filter asks.
        placed = filters.countries or filters.places or filters.kinds
        raw = " FROM effective_mentions m " + ("JOIN places p ON p.id = m.eff_place_id " if placed else "")
        articles = self._rows("SELECT COUNT(DISTINCT m.article_id) AS n" + raw + "WHERE " + where, args)[0]["n"]
        where, args = self._where(filters, counts=True)
        row = self._rows("SELECT SUM(d.mentions) AS mentions, COUNT(DISTINCT p.id) AS places" + self._COUNTS + "WHERE " + where, args)[0]
        return {"mentions": int(row["mentions"] or 0), "articles": int(articles or 0), "places": int(row["places"] or 0)}

    def article(self, article_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM articles WHERE id = ?", (article_id,))
        if not rows:
            return None
        row = rows[0]
        row["metadata"] = json.loads(row["metadata"] or "{}")
        row["mentions"] = self._rows(
            "SELECT m.*, p.name, p.lat, p.lon, p.geonameid, p.country_code, p.admin1, p.feature, p.kind, p.geonames_name FROM effective_mentions m"
            " JOIN places p ON p.id = m.eff_place_id WHERE m.article_id = ? ORDER BY m.start",
            (article_id,),
        )
        for m in row["mentions"]:
            m["candidates"] = json.loads(m["candidates"] or "[]")
        return row

    def articles(self, filters: Filters, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
        """Articles with at least one mention in view, newest first."""
        where, args = self._where(filters)
        return self._rows(
            "SELECT a.id, a.title, a.source, a.url, a.published, a.day, COUNT(*) AS mentions"
            + self._mentions_from(filters, articles=True) + "WHERE " + where
            + " GROUP BY a.id ORDER BY a.day DESC NULLS LAST, a.published DESC NULLS LAST LIMIT ? OFFSET ?",
            args + [limit, offset],
        )

    def stale_articles(self, version: str | None = None) -> list[dict[str, Any]]:
        """Articles (id, text, day) geoparsed by another version than `version`; all when None."""
        if version is None:
            return self._rows("SELECT id, text, day FROM articles ORDER BY added_at, id")
        return self._rows("SELECT id, text, day FROM articles WHERE geoparser != ? ORDER BY added_at, id", (version,))

    def place(self, place_id: int) -> Place | None:
        rows = self._rows("SELECT * FROM places WHERE id = ?", (place_id,))
        return Place.from_dict(rows[0]) if rows else None

    def place_candidates(self, place_id: int) -> list[Candidate]:
        """Next-best candidates the geoparser recorded for mentions of this place."""
        seen: dict[tuple[float, float], Candidate] = {}
        for row in self._rows("SELECT candidates FROM effective_mentions WHERE eff_place_id = ? LIMIT 200", (place_id,)):
            for cand in json.loads(row["candidates"] or "[]"):
                seen.setdefault((round(cand["lat"], 3), round(cand["lon"], 3)), Candidate.from_dict(cand))
        return list(seen.values())

    def facets(self) -> dict[str, list[Any]]:
        """Values the filter widgets offer."""
        return {
            "sources": [r["source"] for r in self._rows("SELECT DISTINCT source FROM articles WHERE source != '' ORDER BY source")],
            "countries": [r["country_code"] for r in self._rows("SELECT DISTINCT country_code FROM places WHERE country_code != '' ORDER BY 1")],
            "kinds": [r["kind"] for r in self._rows("SELECT DISTINCT kind FROM places ORDER BY 1")],
            # the places worth offering in a picker: the 500 most mentioned, as (id, name, country)
            "places": [(r["id"], r["name"], r["country_code"]) for r in self._rows(
                "SELECT p.id, p.name, p.country_code" + self._COUNTS + "WHERE c.action IS NULL OR c.action = 'replace'"
                " GROUP BY p.id ORDER BY SUM(d.mentions) DESC, p.id LIMIT 500")],
        }

    def span(self) -> tuple[str | None, str | None]:
        """First and last day mentioned, over real, plausible days only: a store written before dates
        were checked at ingest may hold "2300-06-10" or worse, and no view may fail on it."""
        latest = (date.today() + timedelta(days=366)).isoformat()
        row = self._rows(
            "SELECT MIN(date) AS lo, MAX(date) AS hi FROM mentions WHERE date >= ? AND date <= ? AND date(date) = date",
            (EARLIEST.isoformat(), latest),
        )[0]
        return row["lo"], row["hi"]

    def revision(self) -> str:
        """Changes with every write (a trigger counts them); caches key on it."""
        return f"{self.path}#{self._rows('SELECT n FROM revision')[0]['n']}"

    def stats(self) -> dict[str, Any]:
        counts = {t: self._rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in ("articles", "places", "mentions", "corrections")}
        lo, hi = self.span()
        return {"path": self.path, "schema": self.schema_version, **counts, "first_day": lo, "last_day": hi}


_NOT_IN_QUERY = re.compile(r'["\x00-\x1f\x7f\ud800-\udfff]')


def _fts_query(keyword: str) -> str:
    """Turn what a user types into a safe FTS5 query: each word quoted, all required.

    Quotes, control characters (a NUL ends FTS5's string early: "unterminated
    string") and lone surrogates are dropped; they are never part of a word.
    """
    words = [_NOT_IN_QUERY.sub("", w) for w in keyword.split()]
    return " ".join(f'"{w}"' for w in words if w)


def text_key(text: str | None) -> str | None:
    """The key two copies of one article share whatever file, format or URL brought them:
    a hash of the text with its spacing made uniform."""
    if text is None:
        return None
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8", "replace")).hexdigest()[:32]


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
