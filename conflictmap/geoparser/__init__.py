"""The geoparser stage: text (and its date) in, place mentions out.

Its public face is `Geoparser.parse` (a pure function of the text, the article's date
and optional outlet context) and the JSON Lines contract of `geoparse_lines`. Inside:
the offline gazetteer (`gazetteer`, a geopy `Geocoder`), the shared name key (`names`),
recognition of which word runs are places (`recognition`), resolution of which place
each one means (`resolution`), the day each sentence refers to (`mention_dates`), the
learned model (`model/`), how it is trained (`training`) and scored (`evaluation`), and
an optional online lookup for corrections (`online`).
"""

from conflictmap.geoparser.parser import Geoparser, default_geoparser, geoparse, geoparse_lines

__all__ = ["Geoparser", "default_geoparser", "geoparse", "geoparse_lines"]
