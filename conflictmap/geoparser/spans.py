"""Word tokens of a text and the spans proposed as place names: the records recognition passes on.

Tokens keep their offsets (a mention points back into the article) and whether each
begins a sentence or clause, where a capital letter says little.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from conflictmap.geoparser.gazetteer import GazetteerEntry
from conflictmap.geoparser.sentences import sentences

WORD = re.compile(r"[^\W_]+")


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


# A clause can only start after one of these: the pattern needs a colon, a semicolon or a quote.
_CLAUSE_MARKS = re.compile(r"[:;\"“‘]")


def tokenize(text: str, sentence_spans: Sequence[tuple[int, int]] | None = None) -> Tokens:
    """Word tokens with offsets, and whether each begins a sentence or clause (where capitals say less).

    `sentence_spans`: the text's `sentences()`, when the caller has them already.
    """
    found = list(WORD.finditer(text))
    starts = [m.start() for m in found]
    ends = [m.end() for m in found]
    initial = [False] * len(found)
    if found:
        initial[0] = True
    # the first token at or after each sentence start begins that sentence
    for a, _ in sentence_spans if sentence_spans is not None else sentences(text):
        k = bisect_left(starts, a)
        if k < len(starts):
            initial[k] = True
    # a token after a colon, semicolon or opening quote begins a clause; only gaps holding one are read
    checked = -1
    for mark in _CLAUSE_MARKS.finditer(text):
        k = bisect_right(starts, mark.start())
        if 0 < k < len(starts) and k != checked:
            checked = k
            if not initial[k] and _CLAUSE_START.search(text[ends[k - 1] : starts[k]]):
                initial[k] = True
    return Tokens(text, tuple(starts), tuple(ends), tuple(initial), tuple(WORD.findall(text)))


def is_cap(word: str) -> bool:
    return word[:1].isupper()
