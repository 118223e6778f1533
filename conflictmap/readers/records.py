"""Record formats: JSON, JSON Lines, CSV and TSV, one article per record.

Record files can be large exports, so JSON Lines and CSV are read as a stream
of lines, and a bad record becomes a ReadFailure for its line while the rest
of the file is still read. Text fields are kept exactly as given: markup in a
JSON "text" is literal text, never parsed or stripped.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import IO, Any

from conflictmap.articles import Article
from conflictmap.errors import ReadError
from conflictmap.readers.dates import parse_published
from conflictmap.readers.base import (
    ReadFailure,
    NOT_TEXT,
    decode_bytes,
    has_letters,
    json_problem,
    legacy_encoding,
    utf16_without_bom,
    make_article,
    normalize_newlines,
    primary_language,
)

# Field name -> the record keys that mean it, most specific first. Keys are
# compared lower-cased with spaces and dashes as underscores.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "_id", "guid", "docid", "doc_id", "article_id", "uid", "uuid"),
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "article", "full_text", "fulltext", "maintext", "article_text", "story"),
    "summary": ("description", "summary", "abstract", "lead", "snippet"),
    "url": ("url", "link", "href", "uri", "permalink", "canonical_url", "web_url", "article_url"),
    "source": ("source", "publisher", "site", "site_name", "sitename", "domain", "outlet", "publication", "newspaper"),
    "author": ("author", "byline", "authors", "creator", "writer", "by"),
    "published": (
        "published", "date", "pubdate", "pub_date", "published_at", "datetime", "publish_date", "published_date",
        "publication_date", "date_published", "published_time", "created_at", "created", "time", "timestamp",
        "seendate",
    ),
    "fetched": ("fetched_at", "fetched", "retrieved", "retrieved_at", "crawled", "crawled_at", "dltime",
                "downloaded", "downloaded_at", "scraped_at", "accessed"),
    "language": ("language", "lang", "locale"),
}
_TEXT_KEYS_HINT = "text, body or content"
_WRAPPERS = ("articles", "items", "data", "results", "records", "documents", "docs", "entries", "stories", "posts")
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_CSV_FIELD_LIMIT = 2**31 - 1


def _key(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _as_text(value: Any) -> str:
    """Flatten a field to text: lists of parts become paragraphs, objects their 'name'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n\n".join(part for part in (_as_text(item) for item in value) if part.strip())
    if isinstance(value, Mapping):
        for key in ("name", "title", "text", "value", "url", "href"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    return str(value)


def _names(value: Any) -> str:
    """Authors as one string: ["A", {"name": "B"}] -> "A, B"."""
    if isinstance(value, (list, tuple)):
        return ", ".join(name for name in (_names(item) for item in value) if name)
    return _as_text(value).strip()


def _pick(record: Mapping[str, Any], keys: dict[str, str], field: str, used: set[str]) -> Any:
    """The first non-empty value among the aliases of `field`; marks its key as used."""
    for alias in ALIASES[field]:
        original = keys.get(alias)
        if original is None or original in used:
            continue
        value = record[original]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        used.add(original)
        return value
    return None


def record_to_article(
    record: Mapping[str, Any],
    *,
    origin: str,
    where: str = "",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Article | ReadFailure:
    """Map one record (a dict from JSON, CSV or XML) onto an Article.

    `where` prefixes failure reasons ("line 12: ..."). Keys that are not
    article fields go to metadata untouched; the record's own id is kept as
    metadata["source_id"] because our id is derived from URL and text.
    """
    prefix = f"{where}: " if where else ""
    keys: dict[str, str] = {}
    for name in record:
        keys.setdefault(_key(name), name)
    used: set[str] = set()
    source_id = _pick(record, keys, "id", used)
    text_value = _pick(record, keys, "text", used)
    summary_used = False
    if text_value is None or not _as_text(text_value).strip():
        text_value = _pick(record, keys, "summary", used)
        summary_used = text_value is not None
    if text_value is not None and not isinstance(text_value, (str, list, tuple)):
        kind = "true/false" if isinstance(text_value, bool) else type(text_value).__name__
        return ReadFailure(origin, f"{prefix}the article text is a {kind}, not text; give the text as a string")
    text = normalize_newlines(_as_text(text_value)).strip()
    if not text:
        return ReadFailure(origin, f"{prefix}no article text (looked for {_TEXT_KEYS_HINT}); add the text or remove the record")
    if not has_letters(text):
        return ReadFailure(origin, f"{prefix}the article text has no words (only digits, signs or spaces); "
                           "give the text of the article")
    title = _as_text(_pick(record, keys, "title", used)).strip()
    url = _as_text(_pick(record, keys, "url", used)).strip() or None
    source = _as_text(_pick(record, keys, "source", used)).strip()
    if url is None and source.startswith(("http://", "https://")):
        url, source = source, ""
    author = _names(_pick(record, keys, "author", used))
    language = primary_language(_pick(record, keys, "language", used))
    published_value = _pick(record, keys, "published", used)
    fetched_value = _pick(record, keys, "fetched", used)
    reference = fetched_at
    if fetched_value is not None:
        reference = parse_published(fetched_value)[0] or fetched_at
    published, note = parse_published(published_value, reference=reference)
    if published_value is not None and published is None:
        note = f"{prefix}{note}" if prefix else note
    if published_value is None and fetched_value is not None and reference is not None:
        # A crawl's download time is the best date such a record has (LGL's <dltime>): news
        # is fetched within hours of publication. Say so, so a reader can weigh it.
        published, note = reference, "no publication date; the download time is used"
    meta: dict[str, Any] = dict(metadata or {})
    for name, value in record.items():
        if name not in used and value not in (None, ""):
            meta[str(name)] = value
    if source_id is not None:
        meta["source_id"] = source_id
    if fetched_value is not None:
        meta["fetched"] = fetched_value
    if summary_used:
        meta["text_is_summary"] = True
    return make_article(
        text=text,
        title=title,
        url=url,
        source=source,
        author=author,
        published_raw=published_value,
        published=published,
        date_note=note,
        language=language,
        origin=origin,
        fetched_at=reference,
        metadata=meta,
    )


# --- JSON ------------------------------------------------------------------------


def looks_like_json_lines(text: str) -> bool:
    """Two or more lines that each hold one object: JSON Lines even if named .json."""
    lines = [line.strip() for line in text.splitlines()[:3] if line.strip()]
    return len(lines) >= 2 and all(line.startswith("{") and line.endswith("}") for line in lines[:2])


def _skip_space(text: str, pos: int) -> int:
    return _JSON_SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _array_items(text: str, pos: int, decoder: json.JSONDecoder) -> Iterator[tuple[int, Any]]:
    """(offset, value) for each element of the array starting at `pos`.

    Decoding element by element gives each record its line number and keeps
    the good records before a syntax error.
    """
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        return
    while True:
        value, end = decoder.raw_decode(text, pos)
        yield pos, value
        pos = _skip_space(text, end)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif text.startswith("]", pos):
            return
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _json_items(text: str) -> Iterator[tuple[int, Any]]:
    """(offset, record) for a single object, a list, or {"articles": [...]}."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if text.startswith("[", pos):
        yield from _array_items(text, pos, decoder)
        return
    whole, end = decoder.raw_decode(text, pos)
    if _skip_space(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip_space(text, end))
    wrapper = None
    if isinstance(whole, dict):
        wrapper = next((key for key in _WRAPPERS if isinstance(whole.get(key), list)), None)
    if wrapper is None:
        yield pos, whole
        return
    # Walk the object's members to find where the wrapped list starts.
    pos = _skip_space(text, pos + 1)
    while not text.startswith("}", pos):
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past ':'
        if key == wrapper:
            yield from _array_items(text, pos, decoder)
            return
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)


def read_json_text(
    text: str, *, origin: str, fetched_at: datetime | None = None, metadata: dict[str, Any] | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles from a JSON document; origin of each record is 'origin:line N'."""
    if looks_like_json_lines(text):
        yield from read_json_lines(io.BytesIO(text.encode("utf-8")), origin=origin, fetched_at=fetched_at,
                                   metadata=metadata)
        return
    line, last = 1, 0
    count = 0
    try:
        for offset, value in _json_items(text):
            line += text.count("\n", last, offset)
            last = offset
            count += 1
            where = f"line {line}"
            if not isinstance(value, dict):
                yield ReadFailure(f"{origin}:{where}", f"{where}: expected an object with a text field, "
                                  f"got {type(value).__name__}; give one object per article")
                continue
            yield record_to_article(value, origin=f"{origin}:{where}", where=where, fetched_at=fetched_at,
                                    metadata=metadata)
    except json.JSONDecodeError as exc:
        after = "; records before it were read" if count else ""
        yield ReadFailure(f"{origin}:line {exc.lineno}", f"line {exc.lineno}: not valid JSON ({exc.msg}); "
                          f"fix the file{after}")
        return
    except ValueError as exc:  # a number too long to convert (Python's 4,300-digit limit)
        after = "; records before it were read" if count else ""
        yield ReadFailure(origin, f"{json_problem(exc)}; fix the file{after}")
        return
    except RecursionError:
        yield ReadFailure(origin, "JSON nested too deeply; give one flat object per article")
        return
    else:
        if count == 0:
            yield ReadFailure(origin, "no articles in the JSON; give an object or a list of objects with a text field")


def read_json_lines(
    stream: IO[bytes], *, origin: str, fetched_at: datetime | None = None, metadata: dict[str, Any] | None = None
) -> Iterator[Article | ReadFailure]:
    """Articles from JSON Lines read line by line, so file size does not matter.

    The encoding is decided once from the start of the file (one line is too
    short to guess from); a line that does not decode in it is guessed alone.
    """
    encoding = _stream_encoding(stream)
    if encoding is None:
        yield ReadFailure(origin, NOT_TEXT)
        return
    if encoding.startswith(("utf-16", "utf-32")):
        # Lines of a wide encoding do not end at b"\n"; such files are rare and small, so re-encode.
        stream, encoding = io.BytesIO(stream.read().decode(encoding, "replace").encode("utf-8")), "utf-8"
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        where = f"line {number}"
        here = f"{origin}:{where}"
        try:
            line, used = raw.decode(encoding), encoding
        except UnicodeDecodeError:
            try:
                line, used = decode_bytes(raw)
            except ReadError as exc:
                yield ReadFailure(here, f"{where}: {exc}")
                continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadFailure(here, f"{where}: not valid JSON ({exc.msg}); fix or remove the line")
            continue
        except ValueError as exc:
            yield ReadFailure(here, f"{where}: {json_problem(exc)}; fix or remove the line")
            continue
        except RecursionError:
            yield ReadFailure(here, f"{where}: JSON nested too deeply; fix or remove the line")
            continue
        if not isinstance(value, dict):
            yield ReadFailure(here, f"{where}: expected one JSON object per line, got {type(value).__name__}; "
                              "fix or remove the line")
            continue
        extra = dict(metadata or {})
        if used not in ("utf-8", "utf-8-sig"):
            extra["encoding"] = used
        yield record_to_article(value, origin=here, where=where, fetched_at=fetched_at, metadata=extra)


# --- CSV / TSV -------------------------------------------------------------------


def _stream_encoding(stream: IO[bytes]) -> str | None:
    """Decide a record file's encoding from its first 64 KB, then rewind; None when it is not text."""
    sample = stream.read(65536)
    stream.seek(0)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return name
    wide = utf16_without_bom(sample)
    if wide:
        return wide
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return legacy_encoding(sample)


def _delimiter(header_line: str, default: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts.get(default, 0) else default


class _Lines:
    """The physical lines csv.reader consumes, kept per record so a malformed one can be read again.

    An unterminated quote makes the csv module swallow every line after it into
    one field; replaying all but the record's first line lets the rows after a
    bad one still be read, each with its own line number.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._replay: list[str] = []
        self.taken: list[str] = []
        self.consumed = 0  # physical lines handed out, replays not counted twice

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._replay:
            line = self._replay.pop()
        else:
            line = self._stream.readline()
            if not line:
                raise StopIteration
        self.consumed += 1
        self.taken.append(line)
        return line

    def replay_after_first(self) -> None:
        """Give back the lines of the current record but its first; they are read again."""
        rest = self.taken[1:]
        self._replay.extend(reversed(rest))
        self.consumed -= len(rest)
        self.taken = []


def _header(row: list[str]) -> tuple[list[str], str | None]:
    """Column names with repeats made unique ("tag", "tag_2"); a reason when an article field repeats."""
    names: list[str] = []
    seen: dict[str, int] = {}
    fields = {alias: field for field, aliases in ALIASES.items() for alias in aliases}
    for cell in row:
        name = cell.strip().lstrip("\ufeff")
        key = _key(name)
        if key and key in seen:
            if key in fields:
                return names, (f"columns {seen[key] + 1} and {len(names) + 1} are both named {name!r}; "
                               "rename or remove one so no text is dropped")
            name = f"{name}_{len(names) + 1}"
        seen.setdefault(key, len(names))
        names.append(name)
    return names, None


def read_csv(
    stream: IO[bytes],
    *,
    origin: str,
    delimiter: str = ",",
    fetched_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Iterator[Article | ReadFailure]:
    """Articles from a CSV/TSV file with a header row, streamed row by row.

    Rows with the wrong number of fields, broken quoting or no text become
    ReadFailures that name their line; the other rows are still read.
    """
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        # One article body can exceed the default 128 KB field limit.
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    encoding = _stream_encoding(stream)
    if encoding is None:
        yield ReadFailure(origin, NOT_TEXT)
        return
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    first = text_stream.readline()
    text_stream.seek(0)
    delimiter = _delimiter(first, delimiter)
    lines = _Lines(text_stream)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    extra = dict(metadata or {})
    if encoding not in ("utf-8", "utf-8-sig"):
        extra["encoding"] = encoding
    header: list[str] | None = None
    rows = 0
    while True:
        start = lines.consumed + 1
        lines.taken = []
        where = f"line {start}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield ReadFailure(f"{origin}:{where}", f"{where}: not valid CSV ({exc}); fix the quoting or remove the row")
            lines.replay_after_first()
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header, problem = _header(row)
            if problem:
                yield ReadFailure(origin, f"{where}: {problem}")
                return
            keys = {_key(name) for name in header}
            if not keys & set(ALIASES["text"] + ALIASES["summary"]):
                yield ReadFailure(origin, f"no text column (columns: {', '.join(header)[:200]}); "
                                  "name the article text column 'text'")
                return
            continue
        rows += 1
        if len(row) != len(header):
            yield ReadFailure(f"{origin}:{where}", f"{where}: {len(row)} fields where the header has "
                              f"{len(header)}; fix the quoting or remove the row")
            if len(lines.taken) > 1:
                # a quote left open swallowed the next lines: read them again as rows of their own
                lines.replay_after_first()
                reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        record = {name: cell for name, cell in zip(header, row) if name}
        yield record_to_article(record, origin=f"{origin}:{where}", where=where, fetched_at=fetched_at,
                                metadata=extra)
    if header is None:
        yield ReadFailure(origin, "no header row; put column names (title, text, ...) on the first line")
    elif rows == 0:
        yield ReadFailure(origin, "only a header row; add one row per article under it")
