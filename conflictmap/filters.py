"""What a view of the store is filtered by: one plain record shared by queries and pages."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

#: Below this confidence the geoparser was genuinely unsure (the map draws such places dashed, excerpts say so).
LOW_CONFIDENCE = 0.5

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

    def but(self, **changes: object):  # noqa: ANN201 - returns the same class as self
        """A copy with some fields changed (for 'this view, but only place X')."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def filters(self) -> Filters:
        """Just the filters (a subclass such as the dashboard's View carries more)."""
        return Filters(**{f.name: getattr(self, f.name) for f in fields(Filters)})
