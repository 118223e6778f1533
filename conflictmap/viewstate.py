"""The view a user is looking at, as typed values and as URL query parameters.

A shared link must reopen exactly the same view, and URL values are only strings,
so every field has one parse and one format here, with a safe default when a
value is missing or mangled (a bad link still opens, on the default view).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from conflictmap.filters import KINDS, Filters

BASEMAPS = ("offline", "online")
COLOURINGS = ("recency", "country")


@dataclass(frozen=True)
class View(Filters):
    """Filters plus what else a shared link restores: the selected place, the map's centre
    and zoom, presenter mode and map options, the article being read."""

    place: int | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    present: bool = False
    basemap: str = "offline"
    colour: str = "recency"
    heat: bool = False
    article: str | None = None


def _first(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None, *, low: int | None = None, high: int | None = None) -> int | None:
    try:
        value = int(float(text)) if text not in (None, "") else None
    except (ValueError, OverflowError):  # "abc", "inf", "1e999"
        return None
    if value is not None and ((low is not None and value < low) or (high is not None and value > high)):
        return None
    return value


def _float(text: str | None, limit: float) -> float | None:
    try:
        value = float(text) if text not in (None, "") else None
    except ValueError:
        return None
    return value if value is not None and -limit <= value <= limit else None


def _list(text: str | None) -> tuple[str, ...]:
    """Comma-separated values; a comma inside a value travels as %2C (see `_join`)."""
    return tuple(unquote(x) for x in (text or "").split(",") if x)


def _join(values: tuple) -> str:
    return ",".join(quote(str(v), safe=" ") for v in values)


def _flag(text: str | None) -> bool:
    return (text or "").lower() in ("1", "true", "yes", "on")


def from_params(params: Mapping[str, Any]) -> View:
    """Typed view from URL query parameters; anything unreadable falls back to the default."""
    get = lambda key: _first(params.get(key))  # noqa: E731
    start, end = _date(get("start")), _date(get("end"))
    if start and end and start > end:
        start, end = end, start
    basemap = get("basemap") or "offline"
    colour = get("colour") or "recency"
    return View(
        start=start,
        end=end,
        countries=tuple(c.upper() for c in _list(get("countries")) if len(c) == 2),
        places=tuple(int(x) for x in _list(get("places")) if x.isascii() and x.isdigit()),
        sources=_list(get("sources")),
        kinds=tuple(k for k in _list(get("kinds")) if k in KINDS),
        keyword=(get("q") or "")[:200],
        min_mentions=_int(get("min"), low=1, high=100000) or 1,
        demonyms=_flag(get("demonyms")),
        place=_int(get("place"), low=1),
        lat=_float(get("lat"), 90),
        lon=_float(get("lon"), 180),
        zoom=_int(get("zoom"), low=1, high=18),
        present=_flag(get("present")),
        basemap=basemap if basemap in BASEMAPS else "offline",
        colour=colour if colour in COLOURINGS else "recency",
        heat=_flag(get("heat")),
        article=get("article") or None,
    )


def to_params(view: View) -> dict[str, str]:
    """URL query parameters for a view, leaving defaults out so links stay short."""
    default = View()
    out: dict[str, str] = {}
    names = {"keyword": "q", "min_mentions": "min"}
    for f in fields(View):
        if f.name == "min_confidence":
            continue  # not a dashboard control
        value = getattr(view, f.name)
        if value == getattr(default, f.name):
            continue
        key = names.get(f.name, f.name)
        if isinstance(value, bool):
            out[key] = "1"
        elif isinstance(value, tuple):
            out[key] = _join(value)
        elif isinstance(value, date):
            out[key] = value.isoformat()
        elif isinstance(value, float):
            out[key] = f"{value:.4f}"
        else:
            out[key] = str(value)
    return out
