"""Writing to the store: articles with their mentions (one transaction each), deletes, place rows.

A mixin of `Store`; the SQL runs on SQLite and, through `PostgresStore`'s connection
wrapper, on PostgreSQL. The kept counts (per place and day, per place and month, per
article and day) follow every write through the database's own triggers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from conflictmap.mentions import Mention, Place
from conflictmap.readers.dates import implausible_note, plausible


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def text_key(text: str | None) -> str | None:
    """The key two copies of one article share whatever file, format or URL brought them:
    a hash of the text with its spacing made uniform."""
    if text is None:
        return None
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8", "replace")).hexdigest()[:32]


def plausibly_dated(mention: Mention) -> Mention:
    """A mention whose date is a typo (year 2300, 0001) or no real day (2014-02-31) is kept,
    undated, with the cue saying why: every view and every backend then agree on it."""
    if mention.date is None or plausible(mention.date):
        return mention
    try:
        date.fromisoformat(str(mention.date)[:10])
        note = implausible_note(mention.date)
    except ValueError:
        note = f"date {str(mention.date)[:10]} is not a real day, so it is taken for a typo; kept undated; fix the date in the source and ingest again"
    return replace(mention, date=None, date_cue=note)


def _place_key(place: Place) -> tuple[Any, ...]:
    """What tells stored places apart: the gazetteer id, else the name and rounded point."""
    if place.geonameid is not None:
        return ("g", int(place.geonameid))
    return ("p", place.name, round(float(place.lat), 4), round(float(place.lon), 4))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Writes:
    """Adds, replaces and deletes articles and their mentions; finds or adds place rows."""

    _db: Any
    _lock: Any
    _transaction: Any

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

    def known_texts(self, articles: Sequence[tuple[str, str]]) -> tuple[dict[str, str], set[str]]:
        """For a batch of (id, text): the stored text of each id already stored, and which of the
        texts' keys (`text_key`) are stored under any id; two queries for the whole batch, so a
        bulk-ingest worker asks once per partition what `has_article` / `has_text` ask per article."""
        texts: dict[str, str] = {}
        keys: set[str] = set()
        ids = sorted({ident for ident, _ in articles})
        wanted = sorted({k for _, text in articles if (k := text_key(text))})
        with self._lock:
            for chunk in _chunks(ids, 500):
                for row in self._db.execute(f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall():
                    texts[str(row[0])] = row[1]
            for chunk in _chunks(wanted, 500):
                keys.update(str(r[0]) for r in self._db.execute(
                    f"SELECT DISTINCT text_key FROM articles WHERE text_key IN ({','.join('?' * len(chunk))})", chunk).fetchall())
        return texts, keys

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
                " date_note, language, origin, metadata, geoparser, added_at, text_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    now(),
                    text_key(article["text"]),
                ),
            )
            self._insert_mentions(article["id"], mentions)
        return True

    def add_articles(self, items: Sequence[tuple[dict[str, Any], Sequence[Mention], str]]) -> list[str | Exception]:
        """Store a batch of geoparsed articles in one transaction, each whole or not at all.

        For each (article, mentions, geoparser version): "added", "updated", "duplicate",
        or the exception that kept it out (its savepoint undone, the rest kept). One commit
        per batch instead of per article is what bulk ingest into a durable server pays less for.
        """
        outcomes: list[str | Exception] = []
        with self._transaction():
            for article, mentions, version in items:
                try:
                    seen = self.has_article(article["id"])
                    outcomes.append(("updated" if seen else "added") if self.add_article(article, mentions, geoparser=version)
                                    else "duplicate")
                except Exception as exc:  # noqa: BLE001 - one article's failure is its own line
                    outcomes.append(exc)
        return outcomes

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
        unique = [plausibly_dated(m) for m in {m.start: m for m in reversed(mentions)}.values()]
        ids = self._place_ids([m.place for m in unique])
        unique.sort(key=lambda m: (ids[_place_key(m.place)], m.date or "", m.start))
        rows = [(article_id, m.start, m.end, m.text, ids[_place_key(m.place)], m.sentence, m.sentence_start, m.date, m.date_cue,
                 float(m.confidence or 0.0), m.reason) for m in unique]
        # one statement per article (not one per mention): PostgreSQL's statement triggers then
        # update each kept count once for the whole article
        for chunk in _chunks(rows, 500):
            self._db.execute(
                'INSERT INTO mentions (article_id, start, "end", text, place_id, sentence, sentence_start, date, date_cue,'
                " confidence, reason) VALUES " + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
                + " ON CONFLICT (article_id, start) DO NOTHING", [v for row in chunk for v in row])
        # the runners-up beside the rows, only for mentions that have any (most have none)
        offered = {m.start: json.dumps([c.to_dict() for c in m.candidates], ensure_ascii=False) for m in unique if m.candidates}
        if offered:
            stored = sorted((int(r[0]), int(r[1])) for r in self._db.execute(
                "SELECT id, start FROM mentions WHERE article_id = ?", (article_id,)).fetchall())
            pairs = [(ident, offered[start]) for ident, start in stored if start in offered]
            for chunk in _chunks(pairs, 500):
                self._db.execute("INSERT INTO mention_candidates (mention_id, candidates) VALUES " + ", ".join(["(?, ?)"] * len(chunk)), [v for pair in chunk for v in pair])

    def _place_ids(self, places: Sequence[Place]) -> dict[tuple[Any, ...], int]:
        """Row ids of many places in one lookup; those not stored yet are added one by one
        (`place_id`), in gazetteer-id order."""
        ids: dict[tuple[Any, ...], int] = {}
        known = sorted({p.geonameid for p in places if p.geonameid is not None})
        for chunk in _chunks(known, 500):
            for row in self._db.execute(f"SELECT geonameid, id FROM places WHERE geonameid IN ({','.join('?' * len(chunk))})",
                                        chunk).fetchall():
                ids[("g", int(row[0]))] = int(row[1])
        for place in sorted(places, key=lambda p: (p.geonameid is None, p.geonameid or 0, p.name)):
            if _place_key(place) not in ids:
                ids[_place_key(place)] = self.place_id(place)
        return ids

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
