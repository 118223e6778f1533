"""What a view of the store is filtered by: one plain record shared by queries and pages."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

KINDS = ("city", "landmark", "admin2", "admin1", "region", "country", "continent")


@dataclass(frozen=True)
class Filters:
    """Filters for every query; the default shows everything.

    Frozen and made of tuples so it hashes, which lets the dashboard cache query
    results keyed on it.
    """

    start: date | None = None
    end: date | None = None
    countries: tuple[str, ...] = ()
    places: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    keyword: str = ""
    min_mentions: int = 1
    demonyms: bool = False
    min_confidence: float = 0.0
    extra: tuple[tuple[str, str], ...] = field(default=())

    def but(self, **changes: object) -> Filters:
        """A copy with some fields changed (for 'this view, but only place X')."""
        return replace(self, **changes)  # type: ignore[arg-type]
