"""Reading rows back: mentions with their excerpts, articles, places, the span, stats.

A mixin of `Store` (both backends; `PostgresStore` overrides the full-text condition).
The filter conditions (`_where`) are shared with the counting reads in `counts.py`.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from conflictmap.errors import StoreError
from conflictmap.filters import Filters
from conflictmap.mentions import Candidate, Place
from conflictmap.readers.dates import EARLIEST


def real_day(value: date | str, which: str) -> date:
    """A filter's day (a date, or ISO text from a link or a caller), or a one-line error naming it,
    the same on every backend (PostgreSQL compares text and would take "2014-02-31")."""
    try:
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise StoreError(f"the {which} day {value!r} is not a real day; give it as YYYY-MM-DD (e.g. 2014-06-10)") from None


def _is_day(value: str | None, latest: str) -> bool:
    if not value or not EARLIEST.isoformat() <= value <= latest:
        return False
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


class Reads:
    """Rows for excerpts, articles and places; the conditions every read shares."""

    _db: Any
    _lock: Any
    _rows: Any
    path: str
    schema_version: int
    place_rows: Any

    def _where(self, f: Filters, *, counts: bool = False, corrected: bool = True) -> tuple[str, list[Any]]:
        """SQL conditions over places `p` and either raw effective mentions `m` (and articles
        `a`) or, with `counts`, the per-place-and-day counts `d` (see `_counts_serve`)."""
        cond: list[str] = []
        args: list[Any] = []
        if f.start:
            cond.append("d.day >= ?" if counts else "m.date >= ?")
            args.append(real_day(f.start, "start").isoformat())
        if f.end:
            cond.append("d.day <= ? AND d.day != ''" if counts else "m.date <= ?")
            args.append(real_day(f.end, "end").isoformat())
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
        return ("a.fts_rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", query) if query else None

    @staticmethod
    def _mentions_from(f: Filters, *, articles: bool = False) -> str:
        """Raw effective mentions, joined to articles only when a filter or a column needs them."""
        sql = " FROM effective_mentions m JOIN places p ON p.id = m.eff_place_id "
        if articles or f.sources or f.keyword.strip():
            sql += "JOIN articles a ON a.id = m.article_id "
        return sql

    def mention_rows(self, filters: Filters, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Mentions in view with their place and article, newest first; the runners-up are read
        for the rows returned only (after the limit), from their side table."""
        where, args = self._where(filters)
        sql = (
            'SELECT m.id AS mention_id, m.article_id, m.start, m."end", m.text, m.sentence, m.sentence_start,'
            " m.date, m.date_cue, m.confidence, m.reason, p.id AS place_id, p.name, p.lat, p.lon, p.geonameid,"
            " p.country_code, p.admin1, p.feature, p.kind, p.geonames_name, a.title, a.source, a.url, a.published"
            + self._mentions_from(filters, articles=True)
            + "WHERE " + where
        )
        if filters.min_mentions > 1:
            # keep mention rows consistent with the place view
            shown = [int(r["place_id"]) for r in self.place_rows(filters)]
            sql += f" AND p.id IN ({','.join('?' * len(shown))})" if shown else " AND FALSE"
            args = args + shown
        order = " ORDER BY {0}date DESC NULLS LAST, {0}published DESC NULLS LAST, {0}article_id, {0}start"
        sql += order.format("m.").replace("m.published", "a.published")
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args = args + [limit, offset]
        return self._rows("SELECT q.*, COALESCE((SELECT candidates FROM mention_candidates WHERE mention_id = q.mention_id), '[]')"
                          " AS candidates FROM (" + sql + ") q" + order.format("q."), args)

    def article(self, article_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT * FROM articles WHERE id = ?", (article_id,))
        if not rows:
            return None
        row = rows[0]
        row["metadata"] = json.loads(row["metadata"] or "{}")
        row["mentions"] = self._rows(
            "SELECT m.*, COALESCE((SELECT candidates FROM mention_candidates WHERE mention_id = m.id), '[]') AS candidates,"
            " p.name, p.lat, p.lon, p.geonameid, p.country_code, p.admin1, p.feature, p.kind, p.geonames_name FROM effective_mentions m"
            " JOIN places p ON p.id = m.eff_place_id WHERE m.article_id = ? ORDER BY m.start",
            (article_id,),
        )
        for m in row["mentions"]:
            m["candidates"] = json.loads(m["candidates"] or "[]")
            # the names `mention_rows` uses: `place_id` is the place shown (after corrections),
            # `parsed_place_id` the one the geoparser chose
            m["mention_id"] = m.pop("id")
            m["parsed_place_id"] = m.pop("place_id")
            m["place_id"] = m.pop("eff_place_id")
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
        """Articles geoparsed by another version than `version` (all when None), with what the
        geoparser reads: id, text, day and the outlet context (title, source, url)."""
        columns = "SELECT id, text, day, title, source, url FROM articles"
        if version is None:
            return self._rows(columns + " ORDER BY added_at, id")
        return self._rows(columns + " WHERE geoparser != ? ORDER BY added_at, id", (version,))

    def stale_count(self, version: str) -> int:
        """How many articles another geoparser version than `version` placed (`regeoparse` redoes them)."""
        return int(self._rows("SELECT COUNT(*) AS n FROM articles WHERE geoparser != ?", (version,))[0]["n"])

    def place(self, place_id: int) -> Place | None:
        rows = self._rows("SELECT * FROM places WHERE id = ?", (place_id,))
        return Place.from_dict(rows[0]) if rows else None

    def place_candidates(self, place_id: int) -> list[Candidate]:
        """Next-best candidates the geoparser recorded for mentions of this place."""
        seen: dict[tuple[float, float], Candidate] = {}
        for row in self._rows("SELECT mc.candidates FROM effective_mentions m JOIN mention_candidates mc ON mc.mention_id = m.id"
                                  " WHERE m.eff_place_id = ? LIMIT 200", (place_id,)):
            for cand in json.loads(row["candidates"] or "[]"):
                seen.setdefault((round(cand["lat"], 3), round(cand["lon"], 3)), Candidate.from_dict(cand))
        return list(seen.values())

    def span(self) -> tuple[str | None, str | None]:
        """First and last day mentioned, over real, plausible days only: a store written before dates
        were checked at ingest may hold "2300-06-10" or "2014-02-31", and no view may fail on it.

        Read from the month counts (a row per place and month), checked in Python, so both
        backends answer alike; only a month whose edge day is not real is looked into day by day."""
        latest = (date.today() + timedelta(days=366)).isoformat()
        months = self._rows("SELECT month, MIN(first_day) AS lo, MAX(last_day) AS hi FROM place_months WHERE month >= ?"
                            " AND month <= ? GROUP BY month ORDER BY month", (EARLIEST.isoformat()[:7], latest[:7]))
        return self._edge_day(months, "lo", latest), self._edge_day(months[::-1], "hi", latest)

    def _edge_day(self, months: list[dict[str, Any]], edge: str, latest: str) -> str | None:
        for month in months:
            days = [month[edge]] if _is_day(month[edge], latest) else [
                r["day"] for r in self._rows("SELECT DISTINCT day FROM place_days WHERE day >= ? AND day <= ? ORDER BY day",
                                             (month["month"], month["month"] + "-99"))]
            real = [d for d in days if _is_day(d, latest)]
            if real:
                return real[0] if edge == "lo" else real[-1]
        return None

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


