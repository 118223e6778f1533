"""The geoparser: text and date in, dated and located place mentions out.

`Geoparser.parse(text, date)` is a pure function of its inputs (the gazetteer and
the cue weights are read-only data), so bulk runs can fan it out over any engine
that calls Python functions. Each mention is a `Mention` record (with the sentence it
sits in); its `to_dict()` is the shape of the `geoparse` JSON Lines contract.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import replace
from datetime import date, datetime
from functools import lru_cache
from typing import IO, Any

from conflictmap.geoparser.mention_dates import mention_date
from conflictmap.readers.dates import parse_published
from conflictmap.geoparser.gazetteer import Gazetteer, default_gazetteer
from conflictmap.geoparser.recognition import Recognizer, tokenize
from conflictmap.geoparser.resolution import resolve
from conflictmap.mentions import Candidate, Mention

GEOPARSER_VERSION = "conflictmap-geoparser/1"  # the code; `Geoparser.version` adds the model's date
MAX_CHARS = 1_000_000

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n\s*")
_NOT_ENDS = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Mt|Ft|Gov|Sen|Rep|Gen|Col|Lt|Capt|Sgt|Jr|Sr|No|Vs|vs|Inc|Co|Corp|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec))\.$")


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of a text; abbreviations such as 'U.S.' and 'Mr.' do not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if _NOT_ENDS.search(text, max(start, m.start() - 6), m.start()):
            continue
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def as_date(value: date | datetime | str | None) -> date | None:
    """An article date from whatever the caller has: a date, a datetime, ISO or raw text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed, _note = parse_published(str(value))
    return parsed.date() if parsed else None


class Geoparser:
    """Recognise, resolve and date the places in one text at a time."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, model: dict | None = None, demonyms: bool = True) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.recognizer = Recognizer(self.gazetteer, model)
        self.demonyms = demonyms
        trained = self.recognizer.model.get("trained", "untrained")
        self.version = f"{GEOPARSER_VERSION}+model-{trained}-{self.recognizer.threshold}"

    def parse(
        self,
        text: str,
        published: date | datetime | str | None = None,
        *,
        demonyms: bool | None = None,
        candidates: bool = True,
    ) -> list[Mention]:
        """Every place mention in `text`, in reading order.

        `published` anchors relative dates ("on Thursday"); demonyms ("Iranian")
        are included with reason 'demonym of …' unless `demonyms` is False.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}; pass the article body as str")
        if len(text) > MAX_CHARS:
            raise ValueError(f"text is {len(text):,} characters, over the {MAX_CHARS:,} limit; split the article")
        keep_demonyms = self.demonyms if demonyms is None else demonyms
        day = as_date(published)
        tokens = tokenize(text)
        spans = self.recognizer.recognize(text, tokens)
        if not keep_demonyms:
            spans = [s for s in spans if s.via != "demonym"]
        choices = resolve(spans, weights=self.recognizer.model.get("resolver"))
        sents = sentences(text)
        sent_starts = [a for a, _ in sents]
        sentence_dates: dict[int, tuple[date | None, str]] = {}
        out: list[Mention] = []
        for ch in choices:
            s, p = ch.span, ch.place
            k = max(0, bisect_right(sent_starts, s.start) - 1)
            a, b = sents[k] if sents else (0, len(text))
            if k not in sentence_dates:
                sentence_dates[k] = mention_date(text[a:b], day)
            when, cue = sentence_dates[k]
            out.append(Mention(
                start=s.start,
                end=s.end,
                text=s.text,
                place=replace(p.as_place(), lat=round(p.lat, 5), lon=round(p.lon, 5)),
                confidence=round(s.score * ch.confidence, 3),
                date=when.isoformat() if when else None,
                date_cue=cue,
                reason=ch.reason,
                sentence=text[a:b].strip(),
                sentence_start=a + (len(text[a:b]) - len(text[a:b].lstrip())),
                candidates=tuple(Candidate(**q.as_place().to_dict(), score=round(sc, 2)) for q, sc in ch.alternatives)
                if candidates else (),
            ))
        return out


@lru_cache(maxsize=1)
def default_geoparser() -> Geoparser:
    """One geoparser per process: the gazetteer and model are loaded once."""
    return Geoparser()


def geoparse(text: str, published: date | datetime | str | None = None, **options: Any) -> list[Mention]:
    """The library's public geoparsing call (see `Geoparser.parse`)."""
    return default_geoparser().parse(text, published, **options)


def _script_note(text: str) -> str:
    """Say so when most letters are not Latin: the gazetteer names and cues are English."""
    letters = [ch for ch in text[:5000] if ch.isalpha()]
    if len(letters) >= 20 and sum(ch.isascii() or "\u00c0" <= ch <= "\u024f" for ch in letters) < 0.5 * len(letters):
        return "text is mostly in a non-Latin script; the geoparser reads English news, so few or no places are found"
    return ""


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(value: Any) -> str:
    """An id as it can be printed on any terminal (lone surrogates from truncated emoji escaped)."""
    return json.dumps(value)[:80] if not isinstance(value, str) or _LONE_SURROGATE.search(value) else value


def geoparse_lines(lines: IO[str], out: IO[str], parser: Geoparser, *, errors: IO[str], **options: Any) -> int:
    """The JSON Lines contract of `python -m conflictmap geoparse`: one line out per article in.

    A bad line gets a one-line message on `errors` (and, when it has an id, an
    answer with an "error" field) and never stops the lines after it.
    Returns how many lines failed.
    """
    failures = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            failures += 1
            print(f"line {number}: not valid JSON ({exc.msg}); send one {{\"id\", \"text\", \"date\"}} object per line", file=errors)
            continue
        except (ValueError, RecursionError) as exc:  # a number over 4,300 digits; nesting too deep
            failures += 1
            print(f"line {number}: not usable JSON ({type(exc).__name__}: a number too long or nesting too deep); "
                  "send one flat {\"id\", \"text\", \"date\"} object per line", file=errors)
            continue
        if not isinstance(record, dict):
            failures += 1
            print(f"line {number}: expected a JSON object with \"id\" and \"text\", got {type(record).__name__}", file=errors)
            continue
        ident = record.get("id", number)
        text = record.get("text")
        answer: dict[str, Any] = {"id": ident, "places": []}
        if not isinstance(text, str) or not text.strip():
            failures += 1
            answer["error"] = "no text"
            print(f"line {number} (id {_shown(ident)}): no \"text\" field; give the article text as a string", file=errors)
        else:
            note = _script_note(text)
            if note:
                print(f"line {number} (id {_shown(ident)}): {note}", file=errors)
            try:
                answer["places"] = [m.to_dict() for m in parser.parse(text, record.get("date"), **options)]
            except ValueError as exc:
                failures += 1
                answer["error"] = str(exc)
                print(f"line {number} (id {_shown(ident)}): {exc}", file=errors)
            except Exception as exc:  # noqa: BLE001 - one line, one failure; the lines after it still run
                failures += 1
                answer["error"] = f"geoparser failed: {type(exc).__name__}"
                print(f"line {number} (id {_shown(ident)}): geoparser failed ({exc!r}); please report this line", file=errors)
        written = json.dumps(answer, ensure_ascii=False)
        if _LONE_SURROGATE.search(written):
            written = json.dumps(answer)  # \ud800 escapes: valid JSON that round-trips, where raw surrogates cannot be written
        out.write(written + "\n")
    out.flush()
    return failures
