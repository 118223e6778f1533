"""The data's credits, worded once for the map, the standalone export and the data exports.

GeoNames' licence (CC BY 4.0) asks for its name, a link to the licence and a word that
the data was changed (we add display names, rank and trim it: geodata/README.md).
Natural Earth is public domain; it is credited because that is the courteous thing to do.
"""

from __future__ import annotations

from typing import NamedTuple

from conflictmap.excerpts import safe_text


class Credit(NamedTuple):
    what: str
    source: str
    url: str
    licence: str
    licence_url: str | None
    changed: bool


CREDITS: tuple[Credit, ...] = (
    Credit("Places", "GeoNames", "https://www.geonames.org/", "CC BY 4.0",
           "https://creativecommons.org/licenses/by/4.0/", changed=True),
    Credit("Outlines", "Natural Earth", "https://www.naturalearthdata.com/", "public domain", None, changed=False),
)


def credit_text() -> str:
    """One line for files (a CSV column, a GeoJSON member), with every address written out."""
    parts = []
    for c in CREDITS:
        licence = f"{c.licence} ({c.licence_url})" if c.licence_url else c.licence
        parts.append(f"{c.what}: {c.source} ({c.url}), {licence}{', adapted' if c.changed else ''}")
    return "; ".join(parts)


def credit_html() -> str:
    """The map's attribution line: the same credits as links, short enough for a map's corner."""
    def link(text: str, url: str) -> str:
        return f'<a href="{safe_text(url)}" target="_blank" rel="noopener">{safe_text(text)}</a>'

    parts = []
    for c in CREDITS:
        licence = link(c.licence, c.licence_url) if c.licence_url else safe_text(c.licence)
        parts.append(f"{safe_text(c.what)}: {link(c.source, c.url)} ({licence}{', adapted' if c.changed else ''})")
    return " · ".join(parts)
