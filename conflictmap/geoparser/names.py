"""One rule for turning a place name into a lookup key, shared by the gazetteer build and the geoparser.

Folding accents, case and punctuation lets "Tikrīt", "TIKRIT" and "Tikrit" meet,
and "U.S." meet "US"-with-dots; the rule must be identical on both sides, so it
lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ʿ": "", "ʾ": "", "’": "", "'": ""})


def normalize_name(name: str) -> str:
    """Key for a name: accents stripped, case folded, apostrophes dropped, other punctuation runs made one space."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch)).translate(_FOLD)
    return _NON_ALNUM.sub(" ", ascii_only).strip()
