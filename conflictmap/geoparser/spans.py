"""Word tokens of a text and the spans proposed as place names: the records recognition passes on.

Tokens keep their offsets (a mention points back into the article) and whether each
begins a sentence or clause, where a capital letter says little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.sentences import sentences

_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Span:
    """A proposed place name: where it is, what it matched, and the cues around it."""

    start: int
    end: int
    text: str
    key: str
    first: int
    last: int
    places: tuple[GazetteerEntry, ...]
    via: str
    demonym: GazetteerEntry | None = None
    cues: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    # "London, Ont.": the letters of an abbreviated province or state after a comma
    qualifier_prefix: str = ""
    # matched through the kind of area written after it ("Kurdistan Regional", "Aleppo province")
    area_word: bool = False


@dataclass(frozen=True)
class Tokens:
    """Word tokens of a text with their offsets and the sentence each one starts."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    sent_initial: tuple[bool, ...]
    # the tokens' text, cut once: recognition reads each word many times
    words: tuple[str, ...]

    def word(self, i: int) -> str:
        return self.words[i]

    def gap(self, i: int) -> str:
        """Text between token i and token i+1."""
        return self.text[self.ends[i] : self.starts[i + 1]]

    def __len__(self) -> int:
        return len(self.starts)


# After a colon, a semicolon or an opening quote, capitals say as little as at a sentence start.
_CLAUSE_START = re.compile(r"[:;][\"'”’)\]]*\s+[\"'“‘(\[]*$|^\s*[\"“‘]\s*$")


def tokenize(text: str) -> Tokens:
    """Word tokens with offsets, and whether each begins a sentence or clause (where capitals say less)."""
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    initial: list[bool] = []
    bounds = iter(a for a, _ in sentences(text))
    next_start = next(bounds, None)
    prev_end = 0
    clause_start = _CLAUSE_START.search
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        first = False
        while next_start is not None and next_start <= start:
            first = True
            next_start = next(bounds, None)
        if not first and starts:
            gap = text[prev_end:start]
            # a single space (most gaps) holds no colon or quote: the pattern cannot match
            first = gap != " " and bool(clause_start(gap))
        starts.append(start)
        ends.append(end)
        words.append(m.group())
        initial.append(first or len(starts) == 1)
        prev_end = end
    return Tokens(text, tuple(starts), tuple(ends), tuple(initial), tuple(words))


def is_cap(word: str) -> bool:
    return word[:1].isupper()
