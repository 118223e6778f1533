"""Counting reads: places in view, the timeline, the totals and the filter facets.

A mixin of `Store` (both backends). Views are answered from counts the database keeps
(`place_days` per place and day, `place_months` per place and month, `article_days` per
article and day; schema.LEAN_AND_MONTHS), not from the raw mentions: a window is its
whole months plus at most two partial months of days, so a year's map sums a few
thousand month rows whatever the number of mentions; each bucket also keeps its
confidence sum, so a place's mean confidence comes with it. Corrections still apply at read
time. A keyword, source or confidence floor needs the raw mentions, and so gets them.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from conflictmap.filters import Filters
from conflictmap.store.reads import real_day

_MONTH_COLS = "place_id, demonym, mentions, articles, first_day, last_day, confidence_sum, confident"
_DAY_COLS = "place_id, demonym, mentions, articles, day AS first_day, day AS last_day, confidence_sum, confident"


def window_parts(start: date | None, end: date | None) -> list[tuple[str, list[Any]]]:
    """SELECTs (with their parameters) whose union is every count bucket of the window:
    the months wholly inside it from `place_months`, the days at its two ragged edges from
    `place_days`. Without an end, undated mentions (day '') are in; with one, out."""
    start = None if start is None else real_day(start, "start")
    end = None if end is None else real_day(end, "end")
    first_full = None if start is None else (start if start.day == 1 else _next_month(start))
    last_full = None if end is None else _month_end(end) if end == _month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first_full is not None and last_full is not None and first_full > last_full:
        return [(f"SELECT {_DAY_COLS} FROM place_days WHERE day >= ? AND day <= ?", [start.isoformat(), end.isoformat()])]  # type: ignore[union-attr]
    cond, args = [], []
    if first_full is not None:
        cond.append("month >= ?")
        args.append(first_full.isoformat()[:7])
    if last_full is not None:
        cond.append("month <= ? AND month != ''")
        args.append(last_full.isoformat()[:7])
    parts = [(f"SELECT {_MONTH_COLS} FROM place_months" + (" WHERE " + " AND ".join(cond) if cond else ""), args)]
    if start is not None and first_full is not None and start < first_full:
        parts.append((f"SELECT {_DAY_COLS} FROM place_days WHERE day >= ? AND day < ?", [start.isoformat(), first_full.isoformat()]))
    if end is not None and last_full is not None and end > last_full:
        parts.append((f"SELECT {_DAY_COLS} FROM place_days WHERE day > ? AND day <= ?", [last_full.isoformat(), end.isoformat()]))
    return parts


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class Counts:
    """Place rows, daily counts, totals and facets from the kept counts where they can answer."""

    _rows: Any
    _where: Any
    _mentions_from: Any

    @staticmethod
    def _counts_serve(f: Filters) -> bool:
        """Can the kept counts answer this view? They keep the place, the day and whether a
        mention is a demonym; a keyword, source or confidence floor needs the raw mentions."""
        return not (f.keyword.strip() or f.sources or f.min_confidence)

    # Buckets keyed by the place the geoparser chose; corrections apply here, at read time.
    _CORRECTED = " LEFT JOIN corrections c ON c.place_id = d.place_id JOIN places p ON p.id = COALESCE(c.new_place_id, d.place_id) "

    def _place_sums(self, f: Filters) -> tuple[str, list[Any]]:
        """The window's buckets summed per stored place (no joins), as a derived table `d`."""
        demonym = "" if f.demonyms else " WHERE NOT demonym"
        parts = window_parts(f.start, f.end)
        union = " UNION ALL ".join(f"SELECT * FROM ({sql}) b{k}" for k, (sql, _) in enumerate(parts))
        args = [a for _, part_args in parts for a in part_args]
        return ("(SELECT place_id, SUM(mentions) AS mentions, SUM(articles) AS articles, MIN(NULLIF(first_day, '')) AS first_seen,"
                " MAX(NULLIF(last_day, '')) AS last_seen, SUM(confidence_sum) AS confidence_sum, SUM(confident) AS confident"
                " FROM (" + union + ") w" + demonym + " GROUP BY place_id) d", args)

    def place_rows(self, filters: Filters) -> list[dict[str, Any]]:
        """One row per place in view, summed from the kept counts when they can answer.

        From the counts, `articles` counts an article once per day it mentions the place
        (the same as distinct articles unless one story dates the same place to two days),
        and `confidence` is the mean over the mentions that have one (schema 9 keeps the sums).
        """
        columns = "SELECT p.id AS place_id, p.name, p.lat, p.lon, p.country_code, p.admin1, p.feature, p.kind, p.geonameid, "
        if self._counts_serve(filters):
            sums, args = self._place_sums(filters)
            where, place_args = self._where(Filters(countries=filters.countries, places=filters.places, kinds=filters.kinds,
                                                    demonyms=True), counts=True)
            sql = (columns + "SUM(d.mentions) AS mentions, SUM(d.articles) AS articles, MIN(d.first_seen) AS first_seen,"
                   " MAX(d.last_seen) AS last_seen, SUM(d.confidence_sum) / NULLIF(SUM(d.confident), 0) AS confidence FROM " + sums + self._CORRECTED + "WHERE " + where
                   + " GROUP BY p.id")
            args += place_args
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

    def daily_counts(self, filters: Filters) -> list[dict[str, Any]]:
        if self._counts_serve(filters):
            where, args = self._where(filters, counts=True)
            placed = filters.countries or filters.places or filters.kinds
            # places are joined only when a place filter asks: corrections alone decide what is hidden
            joins = self._CORRECTED if placed else " LEFT JOIN corrections c ON c.place_id = d.place_id "
            sql = "SELECT NULLIF(d.day, '') AS day, SUM(d.mentions) AS mentions FROM place_days d" + joins + "WHERE " + where + " GROUP BY d.day"
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
        if not self._counts_serve(filters):
            where, args = self._where(filters)
            rows = self._rows(
                "SELECT COUNT(*) AS mentions, COUNT(DISTINCT m.article_id) AS articles, COUNT(DISTINCT p.id) AS places"
                + self._mentions_from(filters) + "WHERE " + where,
                args,
            )
            return {k: int(v or 0) for k, v in rows[0].items()}
        sums, args = self._place_sums(filters)
        where, place_args = self._where(Filters(countries=filters.countries, places=filters.places, kinds=filters.kinds,
                                                demonyms=True), counts=True)
        row = self._rows("SELECT SUM(d.mentions) AS mentions, COUNT(DISTINCT p.id) AS places FROM " + sums + self._CORRECTED
                         + "WHERE " + where, args + place_args)[0]
        return {"mentions": int(row["mentions"] or 0), "articles": self._distinct_articles(filters), "places": int(row["places"] or 0)}

    def _distinct_articles(self, f: Filters) -> int:
        """Distinct articles with a visible mention in view: from the per-article-and-day counts,
        unless a place filter needs the mentions' places."""
        if f.countries or f.places or f.kinds:
            where, args = self._where(f)
            raw = " FROM effective_mentions m JOIN places p ON p.id = m.eff_place_id "
            return int(self._rows("SELECT COUNT(DISTINCT m.article_id) AS n" + raw + "WHERE " + where, args)[0]["n"] or 0)
        cond, args = [], []
        if f.start:
            cond.append("day >= ?")
            args.append(real_day(f.start, "start").isoformat())
        if f.end:
            cond.append("day <= ? AND day != ''")
            args.append(real_day(f.end, "end").isoformat())
        if not f.demonyms:
            cond.append("NOT demonym")
        sql = "SELECT COUNT(DISTINCT article_id) AS n FROM article_days" + (" WHERE " + " AND ".join(cond) if cond else "")
        return int(self._rows(sql, args)[0]["n"] or 0)

    def facets(self) -> dict[str, list[Any]]:
        """Values the filter widgets offer."""
        return {
            # a skip through the source index (one seek per source), not a pass over every article
            "sources": [r["v"] for r in self._rows(
                "WITH RECURSIVE s(v) AS (SELECT MIN(source) FROM articles WHERE source != ''"
                " UNION ALL SELECT (SELECT MIN(source) FROM articles WHERE source > s.v) FROM s WHERE s.v IS NOT NULL)"
                " SELECT v FROM s WHERE v IS NOT NULL ORDER BY v")],
            "countries": [r["country_code"] for r in self._rows("SELECT DISTINCT country_code FROM places WHERE country_code != '' ORDER BY 1")],
            "kinds": [r["kind"] for r in self._rows("SELECT DISTINCT kind FROM places ORDER BY 1")],
            # the places worth offering in a picker: the 500 most mentioned, as (id, name, country)
            "places": [(r["id"], r["name"], r["country_code"]) for r in self._rows(
                "SELECT p.id, p.name, p.country_code FROM (SELECT place_id, SUM(mentions) AS mentions FROM place_months"
                " GROUP BY place_id) d" + self._CORRECTED + "WHERE c.action IS NULL OR c.action = 'replace'"
                " GROUP BY p.id ORDER BY SUM(d.mentions) DESC, p.id LIMIT 500")],
        }
