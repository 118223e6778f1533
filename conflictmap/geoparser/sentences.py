"""The one sentence splitter of the geoparser.

Recognition reads capitals differently at a sentence start ("Jordan said" vs "in
Jordan") and dating reads one sentence at a time ("on Thursday"), so both must agree
on where sentences end; this module is that agreement. A full stop after an
abbreviation ("U.S.", "Mr.", "Gen.", "Jan.") ends nothing, and neither does one
followed by a lower-case word ("approx. five").
"""

from __future__ import annotations

import re

# Words after which a full stop is part of the word. Single letters (initials, "U.S.")
# are handled apart.
ABBREVIATIONS = frozenset(
    "mr mrs ms dr st mt ft gov sen rep gen col lt capt sgt maj cpl pvt adm cmdr jr sr no nos vs inc co corp ltd bros"
    " dept univ prof rev hon pres jan feb mar apr aug sept sep oct nov dec approx est".split()
)

_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]*[^\s\"'“‘(\[a-z])|\n\s*")
_WORD_BEFORE = re.compile(r"(\w+)$")


def _ends_nothing(text: str, dot: int) -> bool:
    """Is the full stop at `dot` part of an abbreviation or an initial?"""
    if text[dot] != ".":
        return False
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not m:
        return False
    word = m.group(1)
    return len(word) == 1 and word.isalpha() or word.lower() in ABBREVIATIONS


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a text, in order; every character outside them is space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if _ends_nothing(text, m.start()):
            continue
        end = m.start() + len(m.group().rstrip())
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
