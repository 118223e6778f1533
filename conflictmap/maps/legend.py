"""The legend: what colour, size and shape mean, in words, as one HTML element."""

from __future__ import annotations

from datetime import date

import pandas as pd

from conflictmap.excerpts import safe_text
from conflictmap.maps.scale import OKABE_ITO, OTHER_COLOUR, UNKNOWN_DATE_COLOUR, Scale, recency_colour
from conflictmap.maps.style import LOW_CONFIDENCE, RADIUS

#: Room (px) kept free at the bottom when fitting the map to the places, so
#: the open legend does not hide any of them.
LEGEND_ROOM = {False: 130, True: 175}
#: How far above the map's bottom edge a legend in the bottom-left corner sits: clear of the scale bar.
_ABOVE_SCALE = {False: 54, True: 72}


def legend_corner(places: pd.DataFrame, bounds: list[list[float]] | None) -> str:
    """"left" or "right": the bottom corner of the first view (`bounds`, south-west then
    north-east) where fewer mentions are, so the legend hides as little of the news as it can.

    The first view is framed on the bulk of every date's places, so the corner is the same
    for every window and play step: a legend that jumped sides would be a distraction.
    A tie keeps the legend where readers last saw it, bottom right.
    """
    if not bounds or places.empty:
        return "right"
    (south, west), (north, east) = bounds
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    lat, lon = places["lat"].astype(float), places["lon"].astype(float)
    low = places[(lat >= south) & (lat < mid_lat) & (lon >= west) & (lon <= east)]
    left = float(low.loc[low["lon"].astype(float) < mid_lon, "mentions"].sum())
    right = float(low["mentions"].sum()) - left
    return "left" if left < right else "right"


def legend_html(
    scale: Scale,
    *,
    presenter: bool,
    window: tuple[date, date] | None,
    has_points: bool,
    has_areas: bool,
    heat: bool,
    unknown_dates: bool,
    shown: int | None = None,
    total: int | None = None,
    uncertain: bool = False,
    corner: str = "right",
) -> str:
    """The legend as HTML: what colour, size and shape mean, in words.

    `shown`/`total`: when fewer places are drawn than are in view, say so. `corner`: the
    bottom corner it sits in ("left" or "right", see `legend_corner`).
    """
    font = 16 if presenter else 12
    lines: list[str] = []
    if window is not None:
        lines.append(f"<div><b>{safe_text(window[0].isoformat())} to {safe_text(window[1].isoformat())}</b></div>")
    if shown is not None and total is not None and shown < total:
        lines.append(
            f"<div class='conflictmap-cap'>Showing the {shown:,} most-mentioned of {total:,} places"
            f"{'; heat counts all' if heat else ''}</div>"
        )
    if scale.colour_by == "recency":
        # With a window the dates are on the line above; otherwise name them here.
        old = "older" if window or not scale.start else safe_text(scale.start.isoformat())
        new = "newer" if window or not scale.end else safe_text(scale.end.isoformat())
        stops = ", ".join(recency_colour(t / 4) for t in range(5))
        lines.append(
            "<div>Colour: latest mention</div>"
            "<div style='display:flex;align-items:center;gap:6px'>"
            f"<span>{old}</span><span style='flex:1;min-width:60px;height:10px;"
            f"background:linear-gradient(to right, {stops});border:1px solid #555'></span>"
            f"<span>{new}</span></div>"
        )
        if unknown_dates:
            lines.append(_swatch(UNKNOWN_DATE_COLOUR, "date unknown"))
    else:
        swatches = "".join(_swatch(colour, safe_text(code)) for code, colour in scale.country_colours.items())
        if len(scale.country_colours) == len(OKABE_ITO) - 1:
            swatches += _swatch(OTHER_COLOUR, "other")
        lines.append(f"<div>Colour: country</div><div style='display:flex;flex-wrap:wrap;gap:2px 10px'>{swatches}</div>")
    if has_points:
        r_min, r_max = RADIUS[presenter]
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            f"{_dot(int(2 * r_min))}{_dot(int(1.2 * r_max))}"
            f"<span>Size: mentions (max {scale.max_mentions:,})</span></div>"
        )
    if uncertain:
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            "<span style='display:inline-block;width:14px;height:14px;border:2px dashed #222;border-radius:50%;"
            "background:rgba(136,136,136,.35)'></span>"
            f"<span>Dashed, pale: place uncertain (confidence below {LOW_CONFIDENCE:.0%})</span></div>"
        )
    if has_areas:
        lines.append(
            "<div style='display:flex;align-items:center;gap:5px'>"
            "<span style='display:inline-block;width:14px;height:14px;border:2px dashed #333;border-radius:50%'></span>"
            "<span>Province or region</span>"
            "<span style='display:inline-block;width:14px;height:14px;border:1px solid #777;background:rgba(120,120,120,.15);"
            "margin-left:6px'></span><span>Whole country</span></div>"
        )
    if heat:
        lines.append("<div>Heat: where mentions cluster</div>")
    body = "".join(lines)
    # <details> lets a reader fold the legend away; it starts open. A bottom corner, clear of
    # the zoom buttons, the layer list, the scale bar (bottom left) and the credits (bottom right).
    place = f"bottom:{_ABOVE_SCALE[presenter]}px;left:10px" if corner == "left" else "bottom:24px;right:10px"
    return (
        f'<details open class="conflictmap-legend cm-legend-{"left" if corner == "left" else "right"}" role="note" '
        f'aria-label="Map legend" style="position:fixed;{place};z-index:1000;max-width:{300 if presenter else 240}px;'
        "background:rgba(255,255,255,.94);color:#111;padding:5px 9px;border:1px solid #444;"
        f'border-radius:4px;font:{font}px/1.35 sans-serif">'
        f'<summary style="font-weight:bold;cursor:pointer">Places mentioned</summary>{body}</details>'
    )


def _swatch(colour: str, label: str) -> str:
    return (
        f"<div style='display:flex;align-items:center;gap:6px'>"
        f"<span style='display:inline-block;width:12px;height:12px;background:{colour};"
        f"border:1px solid #333'></span><span>{label}</span></div>"
    )


def _dot(size: int) -> str:
    return (
        f"<span style='display:inline-block;width:{size}px;height:{size}px;border-radius:50%;"
        f"background:#888;border:1px solid #222'></span>"
    )


