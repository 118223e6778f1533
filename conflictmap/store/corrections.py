"""Corrections: a place moved to another or rejected, applied at read time, with a history.

A mixin of `Store` (both backends). Corrections sit beside the mentions instead of
rewriting them, so they cover past and future mentions and can be undone; the one kept
count that depends on them (articles per day count only visible mentions) is adjusted here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from conflictmap.errors import StoreError
from conflictmap.mentions import Place
from conflictmap.store.writes import now


class Corrections:
    """Correct, undo, and read back corrections and their history."""

    _db: Any
    _transaction: Any
    _rows: Any
    place_id: Any

    def correct(self, place_id: int, *, new_place: Place | None = None, note: str = "", by: str = "") -> None:
        """Record that a place is wrong: moved to `new_place`, or not a place at all when None.

        Corrections sit beside the mentions instead of rewriting them, so they apply
        to past and future mentions alike and can be undone. The latest correction of
        a place wins; every one is kept in its history with who made it (`by`).
        """
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM places WHERE id = ?", (place_id,)).fetchone() is None:
                raise StoreError(f"no place with id {place_id}; list places with `python -m conflictmap stats`")
            hidden = self._hidden_places()
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
                    (place_id, action, new_id, note, now(), by),
                )
                # Places already moved onto this one follow it, so a correction is never a chain:
                # what the user saw as one place stays one place.
                db.execute(
                    "UPDATE corrections SET action = ?, new_place_id = ? WHERE new_place_id = ? AND place_id != ?",
                    (action, new_id, place_id, new_id if new_id is not None else -1),
                )
                db.execute("DELETE FROM corrections WHERE action = 'replace' AND new_place_id = place_id")
            self._recount_hidden(hidden)
            self._log_correction(place_id, before, new_id, by, note)

    def uncorrect(self, place_id: int, *, by: str = "") -> None:
        with self._transaction() as db:
            before = self._shown_at(place_id)
            hidden = self._hidden_places()
            db.execute("DELETE FROM corrections WHERE place_id = ?", (place_id,))
            self._recount_hidden(hidden)
            if before != place_id:
                self._log_correction(place_id, before, place_id, by, "undone")

    def _hidden_places(self) -> set[int]:
        """Stored places whose mentions no view shows (rejected: "not a place")."""
        return {int(r[0]) for r in self._db.execute("SELECT place_id FROM corrections WHERE action = 'reject'").fetchall()}

    def _recount_hidden(self, before: set[int]) -> None:
        """Keep the per-article-and-day counts to visible mentions after a correction: mentions
        of places just rejected leave them, those of places just restored come back."""
        after = self._hidden_places()
        for places, sign in ((sorted(after - before), "-"), (sorted(before - after), "")):
            if not places:
                continue
            marks = ",".join("?" * len(places))
            self._db.execute(
                "INSERT INTO article_days (article_id, day, demonym, mentions) SELECT article_id, COALESCE(date, ''),"
                f" reason LIKE 'demonym%', {sign}COUNT(*) FROM mentions WHERE place_id IN ({marks}) GROUP BY 1, 2, 3"
                " ORDER BY 1, 2, 3 ON CONFLICT (article_id, day, demonym) DO UPDATE"
                " SET mentions = article_days.mentions + excluded.mentions", places)
            self._db.execute(f"DELETE FROM article_days WHERE mentions <= 0 AND article_id IN (SELECT article_id FROM mentions"
                             f" WHERE place_id IN ({marks}))", places)

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
