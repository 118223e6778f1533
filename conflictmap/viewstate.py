"""The view a user is looking at, as typed values and as URL query parameters, and the
one function that turns every user action into the next view.

A shared link must reopen exactly the same view, and URL values are only strings,
so every field has one parse and one format here, with a safe default when a
value is missing or mangled (a bad link still opens, on the default view).

The dashboard keeps exactly one `View` per session. Every widget and map event
becomes an event record (`Select`, `Moved`, `Window`, `Change`, `Page`, `Step`)
and `update(view, event)` returns the next view; nothing else changes the view,
so no event is lost between two copies of the state and none is applied twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
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
    #: excerpt page of the selected place (0 = newest)
    page: int = 0
    #: the timeline shows every date, outliers included, not just where the news is
    all_dates: bool = False
    #: seconds per play step, and days the window moves per step
    speed: float = 2.0
    step: int = 7
    # --- session only, never in a link ---
    #: other places drawn under the last click, offered as a short chooser
    nearby: tuple[int, ...] = ()
    playing: bool = False


#: Fields a link does not carry: they describe this session's moment, not the view.
SESSION_ONLY = frozenset({"nearby", "playing"})
SPEEDS = (0.5, 1.0, 2.0, 4.0)
STEPS = (1, 3, 7, 14, 30)


# ---------------------------------------------------------------------------- events


@dataclass(frozen=True)
class Select:
    """A place chosen by the picker, a click, the chooser or a link; None clears it.

    `fly_to` centres the map on the place (the picker and the chooser do; a click on the
    map does not move what the user is looking at). `nearby` lists other places drawn
    under the same click.
    """

    place: int | None
    fly_to: tuple[float, float] | None = None
    nearby: tuple[int, ...] = ()


@dataclass(frozen=True)
class Moved:
    """The map was panned or zoomed (as the map reports it)."""

    lat: float
    lon: float
    zoom: int


@dataclass(frozen=True)
class Window:
    """A new date window (slider, histogram brush, step buttons)."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class Change:
    """Any other field set by a control (filters, map options, presenter mode, play)."""

    changes: Mapping[str, Any]


@dataclass(frozen=True)
class Page:
    """Another page of excerpts."""

    page: int


@dataclass(frozen=True)
class Step:
    """One tick of play: move the window forward by `view.step` days inside [lo, hi]."""

    lo: date
    hi: date


Event = Select | Moved | Window | Change | Page | Step

#: Changing these shows other mentions, so the excerpt list starts again at its first page.
_RESETS_PAGE = frozenset({f.name for f in fields(Filters)}) - {"start", "end"}


def update(view: View, event: Event) -> View:
    """The view after one event: the only place a view changes."""
    if isinstance(event, Select):
        changes: dict[str, Any] = {"place": event.place, "page": 0, "nearby": tuple(p for p in event.nearby if p != event.place)}
        if event.fly_to is not None and event.place is not None:
            changes.update(lat=round(float(event.fly_to[0]), 4), lon=round(float(event.fly_to[1]), 4),
                           zoom=max(view.zoom or 0, 6))
        return view.but(**changes)
    if isinstance(event, Moved):
        return view.but(lat=round(float(event.lat), 4), lon=round(float(event.lon), 4), zoom=int(event.zoom))
    if isinstance(event, Window):
        start, end = event.start, event.end
        if start and end and start > end:
            start, end = end, start
        if (start, end) == (view.start, view.end):
            return view
        return view.but(start=start, end=end, page=0)
    if isinstance(event, Change):
        known = {f.name for f in fields(View)}
        unknown = set(event.changes) - known
        if unknown:
            raise ValueError(f"View has no field(s) {sorted(unknown)}; use one of {sorted(known)}")
        new = view.but(**dict(event.changes))
        if any(getattr(new, k) != getattr(view, k) for k in _RESETS_PAGE & set(event.changes)):
            new = new.but(page=0, nearby=())
        return new
    if isinstance(event, Page):
        return view.but(page=max(0, int(event.page)))
    if isinstance(event, Step):
        start, end = next_window(view.start or event.lo, view.end or event.hi, view.step, event.lo, event.hi)
        return view.but(start=start, end=end, page=0)
    raise TypeError(f"not a view event: {event!r}")


def next_window(start: date, end: date, step_days: int, lo: date, hi: date) -> tuple[date, date]:
    """The window one play step later: the same width, moved `step_days` on, wrapping to the start at the end."""
    width = max(timedelta(0), end - start)
    if end >= hi:
        return lo, min(lo + width, hi)
    new_end = min(end + timedelta(days=step_days), hi)
    return new_end - width, new_end


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


def _choice(text: str | None, allowed: tuple, default: Any) -> Any:
    try:
        value = type(default)(text) if text not in (None, "") else default
    except (TypeError, ValueError, OverflowError):
        return default
    return value if value in allowed else default


def _share(text: str | None) -> float:
    """A confidence in [0, 1]; anything else is 0 (show everything)."""
    value = _float(text, 1.0)
    return value if value is not None and value >= 0 else 0.0


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
        min_confidence=_share(get("conf")),
        place=_int(get("place"), low=1),
        lat=_float(get("lat"), 90),
        lon=_float(get("lon"), 180),
        zoom=_int(get("zoom"), low=1, high=18),
        present=_flag(get("present")),
        basemap=basemap if basemap in BASEMAPS else "offline",
        colour=colour if colour in COLOURINGS else "recency",
        heat=_flag(get("heat")),
        article=get("article") or None,
        page=_int(get("page"), low=0, high=100000) or 0,
        all_dates=_flag(get("alldates")),
        speed=_choice(get("speed"), SPEEDS, 2.0),
        step=_choice(get("step"), STEPS, 7),
    )


def to_params(view: View) -> dict[str, str]:
    """URL query parameters for a view, leaving defaults out so links stay short."""
    default = View()
    out: dict[str, str] = {}
    names = {"keyword": "q", "min_mentions": "min", "min_confidence": "conf", "all_dates": "alldates"}
    for f in fields(View):
        if f.name in SESSION_ONLY:
            continue
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
        elif f.name == "speed":
            out[key] = f"{value:g}"
        elif f.name == "min_confidence":
            out[key] = f"{value:.2f}"
        elif isinstance(value, float):
            out[key] = f"{value:.4f}"
        else:
            out[key] = str(value)
    return out
