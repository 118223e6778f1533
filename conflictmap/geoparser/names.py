"""The rules for turning a place name into lookup keys, shared by the gazetteer build and the geoparser.

Folding accents, case and punctuation lets "Tikrīt", "TIKRIT" and "Tikrit" meet,
and "U.S." meet "US"-with-dots; the rule must be identical on both sides, so it
lives here and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_FOLD = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ʿ": "", "ʾ": "", "’": "", "'": ""})


@lru_cache(maxsize=200_000)  # the geoparser folds the same words in every article
def normalize_name(name: str) -> str:
    """Key for a name: accents stripped, case folded, apostrophes dropped, other punctuation runs made one space."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_FOLD))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch)).translate(_FOLD)
    return _NON_ALNUM.sub(" ", ascii_only).strip()


_ARTICLE = re.compile(r"^(?:al|el|ad|adh|ar|as|ash|at|ath|az|an|ed|er|es|et|ez|en|ul|ud|ur)\s+(.{3,})$")
_WORD_SUBS = [  # (word, replacements) applied to whole words of the key
    ("tall", ("tal", "tel")),
    ("tal", ("tall", "tel")),
    ("ayn", ("ain", "ein")),
    ("ain", ("ayn",)),
    ("abu", ("abou",)),
    ("jabal", ("jebel",)),
    ("jebel", ("jabal",)),
    ("qasr", ("kasr",)),
    ("deir", ("dayr", "dair")),
    ("dayr", ("deir",)),
    ("ras", ("raas",)),
]


def arabic_variants(key: str) -> set[str]:
    """Common alternative romanisations of an Arabic place-name key ('al fallujah' -> 'fallujah', 'falluja', ...)."""
    out = {key}
    m = _ARTICLE.match(key)
    if m:
        out.add(m.group(1))
    for k in list(out):
        words = k.split()
        for i, w in enumerate(words):
            for src, reps in _WORD_SUBS:
                if w == src:
                    for r in reps:
                        out.add(" ".join(words[:i] + [r] + words[i + 1:]))
    for k in list(out):
        if k.endswith("ah") and len(k) > 5:
            out.add(k[:-1])  # Fallujah -> Falluja, Raqqah -> Raqqa
        elif k.endswith("iyah") and len(k) > 6:
            out.add(k[:-4] + "iya")
    out.discard(key)
    return {v for v in out if len(v) >= 3}
