"""The colour and size scales of a map: what a place's colour and circle size mean.

Colour encodes recency (a viridis ramp from branca, run backwards so the newest mentions
are the darkest) or country (Okabe & Ito's palette for colour-vision deficiency); circle
*area* encodes the number of mentions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from branca.colormap import LinearColormap

from conflictmap.errors import MapDataError

# Viridis, sampled at 0, .25, .5, .75, 1 (dark purple -> yellow). We run it
# backwards for recency, so the newest mentions are the darkest and stand out
# against light land; every marker also gets a dark outline so the pale old
# end stays visible.
_VIRIDIS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
# Okabe & Ito's palette for colour-vision deficiency, black last.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
OTHER_COLOUR = "#999999"
UNKNOWN_DATE_COLOUR = "#bdbdbd"


def as_date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


#: newest (t = 1) darkest: the viridis stops reversed
_RECENCY = LinearColormap(list(_VIRIDIS[::-1]), vmin=0.0, vmax=1.0)


def recency_colour(t: float) -> str:
    """Colour for a recency in [0 = oldest, 1 = newest]."""
    return _RECENCY.rgb_hex_str(min(1.0, max(0.0, float(t))))


@dataclass(frozen=True)
class Scale:
    """Everything `style_for` needs to know about the whole frame.

    `start`/`end` bound the recency ramp (the date window when given, else
    the frame's last_seen range); `country_colours` is the categorical key.
    """

    colour_by: str = "recency"
    max_mentions: int = 1
    start: date | None = None
    end: date | None = None
    country_colours: Mapping[str, str] = field(default_factory=dict)

    def colour(self, row: Mapping[str, Any]) -> str:
        if self.colour_by == "country":
            return self.country_colours.get(str(row["country_code"]), OTHER_COLOUR)
        seen = as_date(row["last_seen"])
        if seen is None:
            return UNKNOWN_DATE_COLOUR
        if self.start is None or self.end is None or self.end <= self.start:
            return recency_colour(1.0)
        return recency_colour((seen - self.start).days / (self.end - self.start).days)

    def weight(self, mentions: int) -> float:
        """Share of the largest count, on a square-root scale (so area ~ count)."""
        return math.sqrt(max(0, mentions) / max(1, self.max_mentions))


def make_scale(
    places: pd.DataFrame,
    *,
    colour_by: str = "recency",
    window: tuple[date, date] | None = None,
) -> Scale:
    """Derive the colour and size scales from a frame of places."""
    if colour_by not in {"recency", "country"}:
        raise MapDataError(f"colour_by={colour_by!r} is not known; use 'recency' or 'country'")
    max_mentions = int(places["mentions"].max()) if len(places) else 1
    if window is not None:
        start, end = as_date(window[0]), as_date(window[1])
        if start is None or end is None or end < start:
            raise MapDataError(f"window {window!r} is not a (start, end) pair with start <= end")
    elif len(places):
        seen = [d for d in (as_date(v) for v in places["last_seen"]) if d is not None]
        start, end = (min(seen), max(seen)) if seen else (None, None)
    else:
        start = end = None

    colours: dict[str, str] = {}
    if colour_by == "country" and len(places):
        totals = (
            places.assign(country_code=places["country_code"].fillna("").astype(str))
            .groupby("country_code")["mentions"]
            .sum()
            .reset_index()
            .sort_values(["mentions", "country_code"], ascending=[False, True])
        )
        codes = [c for c in totals["country_code"] if c]
        named = codes if len(codes) <= len(OKABE_ITO) else codes[: len(OKABE_ITO) - 1]
        colours = dict(zip(named, OKABE_ITO))
    return Scale(
        colour_by=colour_by,
        max_mentions=max(1, max_mentions),
        start=start,
        end=end,
        country_colours=colours,
    )


