"""The geoparser: text and date in, dated and located place mentions out.

`Geoparser.parse(text, date)` is a pure function of its inputs (the gazetteer and
the cue weights are read-only data), so bulk runs can fan it out over any engine
that calls Python functions. Each mention is a `Mention` record (with the sentence it
sits in); its `to_dict()` is the shape of the `geoparse` JSON Lines contract.
"""

from __future__ import annotations

import gc
import json
import re
import threading
import datetime as dt
from contextlib import contextmanager
from bisect import bisect_right
from functools import lru_cache
from typing import IO, Any
from urllib.parse import urlparse

from conflictmap.geoparser.gazetteer import Gazetteer, default_gazetteer
from conflictmap.geoparser.mention_dates import mention_date
from conflictmap.geoparser.recognition import Recognizer, load_model
from conflictmap.geoparser.resolution import resolve
from conflictmap.geoparser.sentences import sentences
from conflictmap.geoparser.spans import tokenize
from conflictmap.mentions import Mention
from conflictmap.readers.dates import parse_published

GEOPARSER_VERSION = "conflictmap-geoparser/2"  # the code; `Geoparser.version` adds the model's date
MAX_CHARS = 1_000_000
MAX_CONTEXT_CHARS = 1_000  # of title and outlet: enough for any headline or paper's name

# "LONDON, Ont. —", "WASHINGTON (AP) —", "BAGHDAD, June 12 (Reuters) -": a place in capitals
# at the very start, then an optional qualifier, date or agency, then a dash.
_DATELINE = re.compile(
    r"\A\s*(?P<place>[A-Z][A-Z.'’\- ]*[A-Z]\.?)(?:,\s*(?P<qualifier>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\.?))?"
    r"(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s"
)
# Country-code domains that are used as brands, not as where an outlet is.
_GENERIC_TLDS = frozenset("co io tv me fm am ly ai cc ws to nu gg la".split())


def dateline_end(text: str) -> int:
    """Where a dateline's place part ends (0 when the text has none): that place is where the story was filed."""
    m = _DATELINE.match(text)
    return m.end("qualifier") if m and m.group("qualifier") else m.end("place") if m else 0


def outlet_country(url: str | None) -> str | None:
    """ISO code of a country-code domain ("lfpress.ca" -> "CA"): where the outlet publishes."""
    if not url:
        return None
    host = urlparse(url if "//" in url else "//" + url).hostname or ""
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(tld) != 2 or tld in _GENERIC_TLDS:
        return None
    return "GB" if tld == "uk" else tld.upper()


def as_date(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    """An article date from whatever the caller has: a date, a datetime, ISO or raw text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed, _note = parse_published(str(value))
    return parsed.date() if parsed else None


_FROZEN = threading.Lock()
_frozen = {"parses": 0, "ours": False}


@contextmanager
def _older_objects_set_aside():
    """Keep the collector's full passes to the objects of the text being parsed.

    A long text keeps its tokens, spans and cues alive until it is resolved, and that many
    survivors set off full collections, each walking every older object too: the gazetteer's
    and recognition's caches, hundreds of thousands of them. On a 200k-character text two such
    passes were a quarter of the parse (docs/benchmarks.md). `gc.freeze` sets the older objects
    aside for the parse (they cannot become garbage meanwhile: the caches hold them) and
    `gc.unfreeze` gives them back. Parses in several threads share one freeze, and a program
    that froze objects itself (a server before it forks) keeps its freeze untouched.
    """
    with _FROZEN:
        if _frozen["parses"] == 0:
            _frozen["ours"] = gc.get_freeze_count() == 0
            if _frozen["ours"]:
                gc.freeze()
        _frozen["parses"] += 1
    try:
        yield
    finally:
        with _FROZEN:
            _frozen["parses"] -= 1
            if _frozen["parses"] == 0 and _frozen["ours"]:
                gc.unfreeze()
                _frozen["ours"] = False


def model_version(model: dict) -> str:
    """What a store records as the geoparser behind an article: the code's version and the model's."""
    return f"{GEOPARSER_VERSION}+model-{model.get('trained', 'untrained')}-{float(model.get('threshold', 0.5))}"


def current_version() -> str:
    """The version `default_geoparser()` writes, read from the shipped model alone (no gazetteer
    loaded), so the dashboard can tell which stored articles an older geoparser placed."""
    return model_version(load_model())


class Geoparser:
    """Recognise, resolve and date the places in one text at a time."""

    def __init__(self, gazetteer: Gazetteer | None = None, *, model: dict | None = None, demonyms: bool = True) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.recognizer = Recognizer(self.gazetteer, model)
        self.demonyms = demonyms
        self.version = model_version(self.recognizer.model)

    def parse(
        self,
        text: str,
        date: dt.date | dt.datetime | str | None = None,
        *,
        title: str | None = None,
        source: str | None = None,
        url: str | None = None,
        demonyms: bool | None = None,
        candidates: bool = True,
    ) -> list[Mention]:
        """Every place mention in `text`, in reading order.

        `date` anchors relative dates ("on Thursday"). The outlet context (the article's
        `title`, its `source` and `url`) is read, never tagged: its places and a
        country-code domain are context, and a place the outlet is named after ("Hamilton
        Spectator"), like a dateline's ("LONDON, Ont. —"), is what the same name means in
        the text. Demonyms ("Iranian") are included with reason 'demonym of …' unless
        `demonyms` is False.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string, not {type(text).__name__}; pass the article body as str")
        if len(text) > MAX_CHARS:
            raise ValueError(f"text is {len(text):,} characters, over the {MAX_CHARS:,} limit; split the article")
        with _older_objects_set_aside():
            return self._parse(text, date, title, source, url, self.demonyms if demonyms is None else demonyms, candidates)

    def _parse(self, text: str, date: dt.date | dt.datetime | str | None, title: str | None, source: str | None,
               url: str | None, keep_demonyms: bool, candidates: bool) -> list[Mention]:
        day = as_date(date)
        outlet = _one_line(source)[:MAX_CONTEXT_CHARS]
        head = _one_line(title)[:MAX_CONTEXT_CHARS]
        # The context lines go before the body, so recognition and resolution read them like
        # any other sentence; their spans are then left out and the offsets shifted back.
        prefix = f"{outlet}\n{head}\n\n" if outlet or head else ""
        offset = len(prefix)
        full = prefix + text
        sents = sentences(text)
        tokens = tokenize(full, None if prefix else sents)
        spans = self.recognizer.recognize(full, tokens, outlet_end=len(outlet), dateline=(offset, offset + dateline_end(text)))
        if not keep_demonyms:
            spans = [s for s in spans if s.via != "demonym"]
        home = [i for i, s in enumerate(spans) if s.start < len(outlet) or s.cues.get("dateline")]
        choices = [
            ch for ch in resolve(spans, weights=self.recognizer.model.get("resolver"), home=home, home_country=outlet_country(url))
            if ch.span.start >= offset
        ]
        sent_starts = [a for a, _ in sents]
        sentence_dates: dict[int, tuple[date | None, str]] = {}
        out: list[Mention] = []
        for ch in choices:
            s, p = ch.span, ch.place
            start, end = s.start - offset, s.end - offset
            k = max(0, bisect_right(sent_starts, start) - 1)
            a, b = sents[k] if sents else (0, len(text))
            if k not in sentence_dates:
                sentence_dates[k] = mention_date(text[a:b], day)
            when, cue = sentence_dates[k]
            out.append(Mention(
                start=start,
                end=end,
                text=s.text,
                place=p.as_place(digits=5),
                confidence=round(s.score * ch.confidence, 3),
                date=when.isoformat() if when else None,
                date_cue=cue,
                reason=ch.reason,
                sentence=text[a:b].strip(),
                sentence_start=a + (len(text[a:b]) - len(text[a:b].lstrip())),
                candidates=tuple(q.as_candidate(round(sc, 2)) for q, sc in ch.alternatives)
                if candidates else (),
            ))
        return out


@lru_cache(maxsize=1)
def default_geoparser() -> Geoparser:
    """One geoparser per process: the gazetteer and model are loaded once."""
    return Geoparser()


def geoparse(text: str, date: dt.date | dt.datetime | str | None = None, **options: Any) -> list[Mention]:
    """The library's public geoparsing call (see `Geoparser.parse`)."""
    return default_geoparser().parse(text, date, **options)


_LINE_BREAKS = {ord(ch): f"\\u{ord(ch):04x}" for ch in "\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e"}


def _one_line(value: str | None) -> str:
    """Title or outlet as one line: a newline inside would start a false sentence."""
    return " ".join(value.split()) if isinstance(value, str) else ""


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

    In: {"id", "text"} with optional "date", "title", "source" and "url" (the outlet
    context, read but never tagged). Out: {"id", "places": [...]}.

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
            context: dict[str, str] = {}
            for field in ("title", "source", "url"):
                value = record.get(field)
                if isinstance(value, str):
                    context[field] = value
                elif value is not None:
                    print(f"line {number} (id {_shown(ident)}): \"{field}\" is {type(value).__name__}, not text; it was left out (give it as a string)", file=errors)
            try:
                answer["places"] = [m.to_dict() for m in parser.parse(text, record.get("date"), **context, **options)]
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
        # one line per answer even for readers that split on Unicode line breaks (U+2028, U+0085)
        out.write(written.translate(_LINE_BREAKS) + "\n")
    out.flush()
    return failures
