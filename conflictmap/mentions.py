"""The `Mention` record the geoparser yields and the store, queries and pages read, and its `Place`.

One name for one thing from end to end: a field is called the same in the geoparser's
JSON Lines, the store's columns, the query frames, the exports and the pages, so a
mention can be followed through the code by searching for one word. The flat dict
(`to_dict`) is the `geoparse` contract: the place's fields sit beside the mention's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Place:
    """A place on the map: a gazetteer entry, another candidate, or a point a user put by hand.

    `geonameid` is None for a point picked on the map or found online; the store then
    keys the place by its name and rounded coordinates.
    """

    name: str
    lat: float
    lon: float
    geonameid: int | None = None
    country_code: str = ""
    admin1: str = ""
    feature: str = ""
    kind: str = "city"
    # GeoNames' own name ("Al Fallūjah") beside the display name ("Fallujah"), so exports can
    # be matched against GeoNames-keyed data; empty for a point picked by hand
    geonames_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Place:
        """The place in a flat row (a frame row, a stored candidate, a JSON object); other keys are ignored."""
        values = _known(cls, row)
        if values.get("geonames_name", "") is None:  # a stored place from before the column, or a hand-picked point
            values["geonames_name"] = ""
        return cls(**values)


@dataclass(frozen=True)
class Candidate(Place):
    """Another place the geoparser weighed for a name, with its score (the runner-up first)."""

    score: float = 0.0


@dataclass(frozen=True)
class Mention:
    """One place name in one article: where it is, which place it means, when and how sure.

    `date` is the ISO day the mention's sentence refers to (else the article's day);
    `sentence` is that sentence and `sentence_start` its offset in the article, so an
    excerpt can mark the name without finding the sentence again.
    """

    start: int
    end: int
    text: str
    place: Place
    confidence: float = 0.0
    date: str | None = None
    date_cue: str = ""
    reason: str = ""
    sentence: str = ""
    sentence_start: int = 0
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The flat JSON-ready shape: the place's fields beside the mention's, candidates as dicts."""
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text, **self.place.to_dict()}
        for name in MENTION_FIELDS:
            if name not in out and name not in ("place", "candidates"):
                out[name] = getattr(self, name)
        out["candidates"] = [c.to_dict() for c in self.candidates]
        return out

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Mention:
        """A mention from its flat shape (`to_dict`, a stored row, a query frame row); other keys are ignored."""
        values = {k: row[k] for k in MENTION_FIELDS if k in row and k not in ("place", "candidates")}
        values["place"] = Place.from_dict(row)
        candidates = row.get("candidates") or ()
        if isinstance(candidates, str):  # a stored row keeps them as the JSON the store wrote
            candidates = json.loads(candidates)
        values["candidates"] = tuple(Candidate.from_dict(c) for c in candidates)
        return cls(**values)


MENTION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Mention))
PLACE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Place))


def _known(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in row.items() if k in names}
